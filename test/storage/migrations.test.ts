import { type Kysely, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { HearthError } from '../../src/errors.js';
import { openDatabase } from '../../src/storage/index.js';
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

describe.each(dialects)('several instances migrating on $name', (dialect) => {
  it('run each migration once when three start at once on an empty database', async () => {
    const t = await dialect.open();
    const others = await Promise.all([1, 2].map(() => openDatabase({ url: t.url, dataDir: t.dataDir })));
    try {
      const results = await Promise.all([t.database, ...others].map((d) => d.migrate()));
      // Between them, the three applied every migration exactly once; the others found nothing to do.
      expect(results.flatMap((r) => r.applied).sort()).toEqual([...MIGRATION_NAMES].sort());
      const recorded = await sql<{ name: string; n: number }>`
        select name, count(*) as n from kysely_migration group by name order by name`.execute(t.database.db);
      expect(recorded.rows.map((r) => r.name)).toEqual([...MIGRATION_NAMES].sort());
      expect(recorded.rows.every((r) => Number(r.n) === 1)).toBe(true);
      for (const d of [t.database, ...others]) expect(await d.pendingMigrations()).toEqual([]);
    } finally {
      for (const d of others) await d.close();
      await t.dispose();
    }
  });

  it('refuse a schema a newer Hearth migrated, naming what it does not know', async () => {
    const t = await dialect.open();
    try {
      expect(await t.database.newerMigrations()).toEqual([]);
      await t.database.migrate();
      await sql`insert into kysely_migration (name, timestamp) values (${'9999-from-the-future'}, ${new Date().toISOString()})`.execute(
        t.database.db,
      );
      expect(await t.database.newerMigrations()).toEqual(['9999-from-the-future']);
      const refused = await t.database.migrate().catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(HearthError);
      expect((refused as HearthError).code).toBe('HEARTH_ERR_SCHEMA_NEWER');
      expect((refused as HearthError).message).toMatch(
        /migrated by a newer Hearth.*\(9999-from-the-future\).*Upgrade this instance/,
      );
      // Another instance of this (older) code starting now stops the same way.
      const older = await openDatabase({ url: t.url, dataDir: t.dataDir });
      try {
        await expect(older.migrate()).rejects.toMatchObject({ code: 'HEARTH_ERR_SCHEMA_NEWER' });
      } finally {
        await older.close();
      }
    } finally {
      await t.dispose();
    }
  });
});

describe.runIf(process.env.HEARTH_TEST_DATABASE_URL)('waiting for another instance’s migrations (PostgreSQL)', () => {
  it('waits past the statement timeout for the migration lock, then finds what is left', async () => {
    const postgres = dialects.find((d) => d.name === 'postgres');
    if (!postgres) throw new Error('no PostgreSQL dialect in this run');
    const t = await postgres.open();
    // An instance whose statements may take 300 ms at most.
    const waiting = await openDatabase({ url: t.url, dataDir: t.dataDir, statementTimeout: 300 });
    const holder = await openDatabase({ url: t.url, dataDir: t.dataDir });
    try {
      // Another instance holds Kysely's migration lock for 1.5 s, on a connection of its own.
      const held = await holder.db.connection().execute(async (conn) => {
        await sql`select pg_advisory_lock(${sql.lit(BigInt('3853314791062309107'))})`.execute(conn);
        const migrating = waiting.migrate();
        await new Promise((r) => setTimeout(r, 1500));
        await sql`select pg_advisory_unlock(${sql.lit(BigInt('3853314791062309107'))})`.execute(conn);
        return migrating;
      });
      expect(held.applied).toEqual(MIGRATION_NAMES);
    } finally {
      await holder.close();
      await waiting.close();
      await t.dispose();
    }
  });
});
