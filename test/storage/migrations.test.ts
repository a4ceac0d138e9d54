import { type Kysely, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { MIGRATION_NAMES } from '../../src/storage/migrations/index.js';
import { dialects } from './dialects.js';

/** Tables a database holds, by name, whatever the dialect. */
async function tableNames(db: Kysely<unknown>) {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  return tables.map((t) => t.name).sort();
}

describe.each(dialects)('migrations on $name', (dialect) => {
  it('leave the database at the previous version when one fails halfway', async () => {
    const t = await dialect.open();
    try {
      // A table in the way: the first migration creates six tables, then fails on this one.
      await sql`create table comments (id integer primary key)`.execute(t.database.db);
      await expect(t.database.migrate()).rejects.toThrow(
        /migration 0001-initial failed; the database is left at the previous version/,
      );
      const names = await tableNames(t.database.db as unknown as Kysely<unknown>);
      for (const created of ['settings', 'media', 'users', 'posts', 'post_tags']) expect(names).not.toContain(created);
      expect(names).toContain('comments');

      // Once the obstacle is gone, the same migration applies cleanly.
      await sql`drop table comments`.execute(t.database.db);
      expect((await t.database.migrate()).applied).toEqual(MIGRATION_NAMES);
      expect(await tableNames(t.database.db as unknown as Kysely<unknown>)).toEqual(
        expect.arrayContaining(['settings', 'users', 'posts', 'comments', 'kysely_migration']),
      );
    } finally {
      await t.dispose();
    }
  });
});
