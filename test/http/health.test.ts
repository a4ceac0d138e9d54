import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app.js';

/** `/healthz` and `/readyz` for a load balancer (issue 19), on SQLite or PostgreSQL. */
const t = useTestApp();

describe('health and readiness', () => {
  it('answers /healthz while the process is up, never cached', async () => {
    const res = await t.get('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('ok\n');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('is ready when the database answers with every migration run, and says which are not', async () => {
    const ready = await t.get('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ ready: true, database: 'ok', migrations: 'current' });
    expect(ready.headers['cache-control']).toBe('no-store');

    // As a database an older Hearth left behind: the newest migration not run.
    const db = t.app.database.db;
    const newest = await db
      .selectFrom('kysely_migration' as never)
      .select('name' as never)
      .orderBy('name' as never, 'desc')
      .executeTakeFirstOrThrow();
    const name = (newest as { name: string }).name;
    await db
      .deleteFrom('kysely_migration' as never)
      .where('name' as never, '=', name as never)
      .execute();
    try {
      const behind = await t.get('/readyz');
      expect(behind.statusCode).toBe(503);
      expect(behind.json()).toEqual({ ready: false, database: 'ok', pendingMigrations: [name] });
    } finally {
      await db
        .insertInto('kysely_migration' as never)
        .values({ name, timestamp: new Date().toISOString() } as never)
        .execute();
    }
    expect((await t.get('/readyz')).statusCode).toBe(200);
  });
});

describe('readiness on a schema a newer Hearth migrated', () => {
  it('answers 503 naming the migrations this code does not know, and says to upgrade', async () => {
    const db = t.app.database.db;
    const name = '9999-from-a-newer-hearth';
    await db
      .insertInto('kysely_migration' as never)
      .values({ name, timestamp: new Date().toISOString() } as never)
      .execute();
    try {
      const res = await t.get('/readyz');
      expect(res.statusCode).toBe(503);
      const body = res.json();
      expect(body).toMatchObject({ ready: false, database: 'ok', newerMigrations: [name] });
      expect(body.message).toMatch(/newer Hearth.*9999-from-a-newer-hearth.*Upgrade this instance/);
    } finally {
      await db
        .deleteFrom('kysely_migration' as never)
        .where('name' as never, '=', name as never)
        .execute();
    }
    expect((await t.get('/readyz')).statusCode).toBe(200);
  });
});
