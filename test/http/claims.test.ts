import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { type App, createApp } from '../../src/main.js';
import { createTestApp } from '../helpers/app.js';

/*
 * Work that one instance among several does (issue 19): the demo install is claimed by a
 * marker; a claim left by an instance that died half-way is taken over, a fresh one is not.
 */
const opened: App[] = [];
afterEach(async () => {
  for (const app of opened.splice(0).reverse()) await app.close();
});

async function emptyBlog(): Promise<App & { dataDir: string }> {
  const app = await createTestApp({ demo: false });
  opened.push(app);
  return app;
}

/** Another instance on the same database, with the demo on. */
async function withDemo(first: App & { dataDir: string }): Promise<App> {
  const config = loadConfig({
    HEARTH_DATA_DIR: first.dataDir,
    HEARTH_LOG_LEVEL: 'silent',
    HEARTH_PUBLIC_URL: 'http://blog.test',
    ...(first.config.databaseUrl ? { HEARTH_DATABASE_URL: first.config.databaseUrl } : {}),
  });
  const app = await createApp(config, { pause: async () => {} });
  opened.push(app);
  return app;
}

const marker = (app: App, value: string) =>
  app.database.db
    .insertInto('settings')
    .values({ key: 'internal.demo_installed', value: JSON.stringify(value) })
    .execute();
const posts = async (app: App) => (await app.database.db.selectFrom('posts').select('id').execute()).length;

describe('the demo install claim', () => {
  it('is taken over when the instance that claimed it died half-way (ten minutes ago or more)', async () => {
    const first = await emptyBlog();
    await marker(first, `installing since ${new Date(Date.now() - 11 * 60_000).toISOString()}`);
    const second = await withDemo(first);
    expect(await posts(second)).toBeGreaterThan(5);
    const row = await second.database.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', 'internal.demo_installed')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(row.value)).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('is left alone while fresh: the other instance starts without installing', async () => {
    const first = await emptyBlog();
    await marker(first, `installing since ${new Date().toISOString()}`);
    const second = await withDemo(first);
    expect(await posts(second)).toBe(0);
  });

  it('never installs again over a blog that had the demo', async () => {
    const first = await emptyBlog();
    await marker(first, new Date(Date.now() - 86_400_000).toISOString());
    const second = await withDemo(first);
    expect(await posts(second)).toBe(0);
  });
});
