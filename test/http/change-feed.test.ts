import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { type App, createApp } from '../../src/main.js';
import { createTestApp, postIdBySlug } from '../helpers/app.js';
import { postgresUrl } from '../helpers/postgres.js';

/**
 * Two instances on one database (issue 19): a write through one is on the other's
 * cached pages within a second. On PostgreSQL the change travels over LISTEN/NOTIFY; on
 * SQLite the second process learns from the file that someone wrote.
 */
let a: App & { dataDir: string };
let b: App;

/** Another Hearth on the same database and data folder, as a second instance would be. */
async function secondInstance(first: App & { dataDir: string }): Promise<App> {
  const config = loadConfig(
    {
      HEARTH_DATA_DIR: first.dataDir,
      HEARTH_LOG_LEVEL: 'silent',
      HEARTH_PUBLIC_URL: 'http://blog.test',
      ...(first.config.databaseUrl ? { HEARTH_DATABASE_URL: first.config.databaseUrl } : {}),
    },
    {},
  );
  return createApp(config, { pause: async () => {}, changeCheckMs: 200 });
}

/** Asks until `ok` holds of the page, for at most `ms`; returns how long it took. */
async function within(ms: number, app: App, url: string, ok: (body: string) => boolean): Promise<number> {
  const start = performance.now();
  for (;;) {
    const res = await app.server.inject({ method: 'GET', url });
    if (ok(res.body)) return performance.now() - start;
    if (performance.now() - start > ms) throw new Error(`${url} did not change within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  a = await createTestApp({}, {});
  b = await secondInstance(a);
});

afterAll(async () => {
  await b?.close();
  await a?.close();
});

describe('changes reach every instance', () => {
  it('shows a post edited on one instance on the other’s cached page within a second', async () => {
    const id = await postIdBySlug(a, 'benefits-of-infant-massage');
    const url = '/benefits-of-infant-massage/';
    // Both instances have the page in their caches.
    for (const app of [a, b]) {
      await app.server.inject({ method: 'GET', url });
      await app.server.inject({ method: 'GET', url });
    }
    expect(b.cache.size).toBeGreaterThan(0);
    await a.services.posts.update(id, { title: 'An evening massage, edited on instance A' });
    const took = await within(1000, b, url, (body) => body.includes('An evening massage, edited on instance A'));
    expect(took).toBeLessThan(1000);
  });

  it('shows new site settings on the other instance within a second', async () => {
    await b.server.inject({ method: 'GET', url: '/' });
    await a.services.settings.update({ title: 'Retitled on A' });
    await within(1000, b, '/', (body) => body.includes('<title>Retitled on A'));
  });
});

describe.runIf(postgresUrl)('when a notification is missed (PostgreSQL)', () => {
  it('drops every kept page after the listening connection is lost, once it listens again', async () => {
    await b.server.inject({ method: 'GET', url: '/' });
    // A change nobody announces, then the listener's connection cut by the server.
    await a.database.db
      .updateTable('settings')
      .set({ value: JSON.stringify('Changed behind Hearth') })
      .where('key', '=', 'title')
      .execute();
    const cut = await sql<{ pid: number }>`select pid from pg_stat_activity
      where datname = current_database() and application_name = 'hearth-listen'`.execute(b.database.db);
    expect(cut.rows.length).toBe(2);
    await sql`select pg_terminate_backend(pid) from pg_stat_activity
      where datname = current_database() and application_name = 'hearth-listen'`.execute(b.database.db);
    await within(5000, b, '/', (body) => body.includes('<title>Changed behind Hearth'));
  });

  it('drops every kept page when the database counted a change that never arrived', async () => {
    await a.services.settings.update({ title: 'Counted title' });
    await within(1000, b, '/', (body) => body.includes('<title>Counted title'));
    // A write nobody announces: nothing tells b, which keeps its page (five checks pass).
    await a.database.db
      .updateTable('settings')
      .set({ value: JSON.stringify('Never announced') })
      .where('key', '=', 'title')
      .execute();
    await new Promise((r) => setTimeout(r, 1000));
    expect((await b.server.inject({ method: 'GET', url: '/' })).body).toContain('<title>Counted title');
    // The counter raised with no notification, as if one were lost on the way.
    await a.database.db
      .updateTable('change_counter')
      .set((eb) => ({ version: eb('version', '+', 1) }))
      .execute();
    // Two checks of the counter (200 ms apart here) find it ahead of what was heard.
    await within(3000, b, '/', (body) => body.includes('<title>Never announced'));
  });
});
