import { type Kysely, sql } from 'kysely';
import type { DialectAdapter } from '../dialects/types.js';
import { sqlIn } from './helpers.js';

/*
 * Book builds (issue 17): each EPUB or PDF build is a job with its state and progress in
 * the database, so any page (and, later, any instance) can show it. A finished file is
 * named by the fingerprint of everything it was made from (the book, its chapters' HTML,
 * the photos they name, the format and its options), so an unchanged book is not built
 * twice. A job found queued or running when the process starts is run again: the file is
 * written whole under its fingerprint or not at all, so nothing is duplicated.
 */
export async function up(db: Kysely<unknown>, d: DialectAdapter): Promise<void> {
  const ts = d.timestampType;
  await db.schema
    .createTable('book_builds')
    .addColumn('id', 'integer', d.primaryKeyId)
    .addColumn('book_id', 'integer', (c) => c.notNull().references('books.id').onDelete('cascade'))
    .addColumn('format', 'text', (c) => c.notNull().check(sqlIn('format', ['epub', 'pdf'])))
    // JSON: { leaveOutMissing, pageSize }.
    .addColumn('options', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    // The blog's address and the options, hashed: files of one variant replace each other
    // (a one-off page size, or a CLI run elsewhere, does not remove the blog's own file).
    .addColumn('variant', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('state', 'text', (c) =>
      c
        .notNull()
        .defaultTo('queued')
        .check(sqlIn('state', ['queued', 'running', 'done', 'failed'])),
    )
    .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
    // What the build is doing now (a chapter's title, "the PDF").
    .addColumn('step', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('error', 'text', (c) => c.notNull().defaultTo(''))
    // The finished file's name below <data>/books/, and its size.
    .addColumn('file', 'text')
    .addColumn('bytes', 'integer')
    // How many chapters and photos the file holds, and a PDF's pages.
    .addColumn('chapters', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('images', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('pages', 'integer')
    // JSON array of the titles of chapters left out.
    .addColumn('left_out', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('from_cache', 'integer', (c) => c.notNull().defaultTo(0).check(sql`from_cache in (0, 1)`))
    // The running build's last sign of life: one silent for a minute is run again.
    .addColumn('heartbeat_at', ts)
    .addColumn('started_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('finished_at', ts)
    .execute();
  await db.schema.createIndex('book_builds_book').on('book_builds').columns(['book_id', 'format', 'id']).execute();
  // One waiting or running job per book, format and fingerprint: a second ask gets the first.
  await db.schema
    .createIndex('book_builds_pending')
    .on('book_builds')
    .columns(['book_id', 'format', 'fingerprint'])
    .unique()
    .where(sql.ref('state'), 'in', [sql.lit('queued'), sql.lit('running')])
    .execute();
  // Whether a public book's page offers its EPUB and PDF as free downloads (the writer's choice).
  await db.schema
    .alterTable('books')
    .addColumn('offer_downloads', 'integer', (c) => c.notNull().defaultTo(0).check(sql`offer_downloads in (0, 1)`))
    .execute();
  await db.schema.createIndex('book_builds_state').on('book_builds').columns(['state']).execute();
}
