import { type Kysely, sql } from 'kysely';
import type { DialectAdapter } from '../dialects/types.js';
import { sqlIn } from './helpers.js';

/*
 * Books (issue 17): a book made from the blog's posts, with its authors, its table of
 * contents (parts and chapters, in an explicit order) and, optionally, the categories or
 * tags that feed it chapters in date order.
 *
 * A chapter's post is NOT a foreign key: deleting a post must not make its chapter vanish
 * from a book without a word (a cascade would) nor turn it into an empty chapter that no
 * longer says which post it was (set null would). The item keeps the post's id and the
 * title it had when it was chosen; `BookService.resolve` reports it as missing, and the
 * build stops or leaves it out. Ids are never reused (AUTOINCREMENT on SQLite, sequences on
 * PostgreSQL; copies and archives keep ids), so a kept id never names another post. The
 * same holds for a source's category or tag (one column for two tables, checked at resolve).
 */
export async function up(db: Kysely<unknown>, d: DialectAdapter): Promise<void> {
  const ts = d.timestampType;
  await db.schema
    .createTable('books')
    .addColumn('id', 'integer', d.primaryKeyId)
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('subtitle', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('publisher', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('rights', 'text', (c) => c.notNull().defaultTo(''))
    // `urn:isbn:<13 or 10 digits>` or a generated `urn:uuid:<uuid>`.
    .addColumn('identifier', 'text', (c) => c.notNull())
    // JSON array of strings.
    .addColumn('subjects', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('cover_media_id', 'integer', (c) => c.references('media.id').onDelete('set null'))
    .addColumn('cover_mode', 'text', (c) =>
      c
        .notNull()
        .defaultTo('drawn')
        .check(sqlIn('cover_mode', ['upload', 'drawn'])),
    )
    .addColumn('front_matter', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('front_matter_html', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('public', 'integer', (c) => c.notNull().defaultTo(0).check(sql`public in (0, 1)`))
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('book_authors')
    .addColumn('book_id', 'integer', (c) => c.notNull().references('books.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    // A user of the blog, or null for a name given as free text (a user removed keeps the name).
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('file_as', 'text', (c) => c.notNull().defaultTo(''))
    // A MARC relator code: aut, edt, ill, pht, trl, ctb, aui.
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('aut'))
    .addPrimaryKeyConstraint('book_authors_pk', ['book_id', 'position'])
    .execute();

  await db.schema
    .createTable('book_items')
    .addColumn('book_id', 'integer', (c) => c.notNull().references('books.id').onDelete('cascade'))
    // The reading order: parts and chapters numbered together from 0.
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sqlIn('kind', ['part', 'chapter'])))
    // A part's or a book-only chapter's title; for a post's chapter the post's title when chosen.
    .addColumn('title', 'text', (c) => c.notNull().defaultTo(''))
    // The post or page this chapter is (no foreign key: see above); null for a part or book-only text.
    .addColumn('post_id', 'integer')
    .addColumn('body', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('body_html', 'text', (c) => c.notNull().defaultTo(''))
    // The position of the part this chapter belongs to (always before it); null outside parts.
    .addColumn('part_position', 'integer')
    .addPrimaryKeyConstraint('book_items_pk', ['book_id', 'position'])
    .addCheckConstraint('book_items_part_before', sql`part_position is null or part_position < position`)
    .execute();
  await db.schema.createIndex('book_items_post').on('book_items').columns(['post_id']).execute();

  await db.schema
    .createTable('book_sources')
    .addColumn('book_id', 'integer', (c) => c.notNull().references('books.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sqlIn('kind', ['category', 'tag'])))
    .addColumn('term_id', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('book_sources_pk', ['book_id', 'position'])
    .execute();
}
