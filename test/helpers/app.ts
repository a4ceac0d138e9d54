import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { type Config, loadConfig } from '../../src/config.js';
import { type App, createApp } from '../../src/main.js';
import { createDatabase, databaseUrl, dropDatabase, postgresUrl } from './postgres.js';

/**
 * A real Hearth on a real database in a temporary folder: SQLite by default; with
 * HEARTH_TEST_DATABASE_URL set, a fresh PostgreSQL database on that server. The demo
 * site is copied from the template the global setup installed.
 */
export async function createTestApp(
  overrides: Partial<Config> = {},
  options: { now?: () => Date; pause?: (ms: number) => Promise<void> } = {},
): Promise<App & { dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-test-'));
  const withDemo = overrides.demo !== false;
  const templateDir = inject('templateDir');
  // The template was closed cleanly, so its SQLite file holds everything (no WAL left).
  if (templateDir && withDemo) fs.cpSync(templateDir, dataDir, { recursive: true });
  let database: string | undefined;
  if (postgresUrl) {
    const template = inject('templateDatabase');
    database = await createDatabase('hearth_test', withDemo && template ? template : undefined);
  }
  const config = loadConfig(
    {
      HEARTH_DATA_DIR: dataDir,
      HEARTH_LOG_LEVEL: 'silent',
      HEARTH_PUBLIC_URL: 'http://blog.test',
      ...(database ? { HEARTH_DATABASE_URL: databaseUrl(database) } : {}),
    },
    { ...overrides },
  );
  // Failed sign-ins answer at once in tests unless a test asks to see the pauses.
  const app = await createApp(config, { pause: async () => {}, ...options });
  const close = app.close.bind(app);
  return Object.assign(app, {
    dataDir,
    async close() {
      await close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (database) await dropDatabase(database);
    },
  });
}

/** A form body as a browser sends it. */
export function form(fields: Record<string, string>): { payload: string; headers: Record<string, string> } {
  return {
    payload: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  };
}

/** The id of a post or page of the demo site, by slug. */
export async function postIdBySlug(app: App, slug: string): Promise<number> {
  const row = await app.database.db.selectFrom('posts').select('id').where('slug', '=', slug).executeTakeFirstOrThrow();
  return row.id;
}

/**
 * One test app for a test file: made before its tests, closed after them. `get` sends a
 * GET through `inject`.
 */
export function useTestApp(
  overrides: Partial<Config> = {},
  options: { now?: () => Date; pause?: (ms: number) => Promise<void> } = {},
) {
  const holder: { app: App & { dataDir: string } } = {} as never;
  beforeAll(async () => {
    holder.app = await createTestApp(overrides, options);
  });
  afterAll(async () => {
    await holder.app?.close();
  });
  return {
    get app() {
      return holder.app;
    },
    get: (url: string, headers: Record<string, string> = {}) =>
      holder.app.server.inject({ method: 'GET', url, headers }),
  };
}
