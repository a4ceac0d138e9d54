import { type Kysely, sql } from 'kysely';
import type { DialectAdapter } from '../dialects/types.js';
import { sqlIn } from './helpers.js';

/*
 * Import jobs (issue 19): the admin's imports were kept in the memory of the instance that
 * took the upload; now each is a row, so the status page works on any instance. One import
 * runs at a time across instances: a unique index on the running rows' state holds at most
 * one. The instance running it writes a heartbeat; a running job silent for a minute is
 * marked failed by whoever sees it (its process stopped, and its upload was on that disk).
 */
export async function up(db: Kysely<unknown>, d: DialectAdapter): Promise<void> {
  const ts = d.timestampType;
  await db.schema
    .createTable('import_jobs')
    // 16 hex characters, the job's address (`/admin/import/<id>`).
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('platform', 'text', (c) => c.notNull().check(sqlIn('platform', ['wordpress', 'ghost'])))
    .addColumn('dry_run', 'integer', (c) => c.notNull().defaultTo(0).check(sql`dry_run in (0, 1)`))
    .addColumn('state', 'text', (c) =>
      c
        .notNull()
        .defaultTo('running')
        .check(sqlIn('state', ['running', 'done', 'failed'])),
    )
    .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total', 'integer')
    // The last lines the import printed that were not progress (newest last).
    .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('error', 'text', (c) => c.notNull().defaultTo(''))
    // JSON: the import's report, once it is done.
    .addColumn('report', 'text')
    .addColumn('started_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('started_at', ts, (c) => c.notNull())
    .addColumn('heartbeat_at', ts, (c) => c.notNull())
    .addColumn('finished_at', ts)
    .execute();
  // At most one running import, whichever instance started it.
  await db.schema
    .createIndex('import_jobs_one_running')
    .on('import_jobs')
    .column('state')
    .unique()
    .where(sql.ref('state'), '=', sql.lit('running'))
    .execute();
  await db.schema.createIndex('import_jobs_started').on('import_jobs').column('started_at').execute();
}
