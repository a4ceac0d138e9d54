import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { type Config, loadConfig } from '../../src/config.js';
import { type App, createApp } from '../../src/main.js';

/**
 * A real Hearth on a real database in a temporary folder. With HEARTH_TEST_DATABASE_URL
 * set (a PostgreSQL URL), the same tests run on PostgreSQL.
 */
export async function createTestApp(
  overrides: Partial<Config> = {},
  options: { now?: () => Date } = {},
): Promise<App & { dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-test-'));
  const template = inject('templateDir');
  if (template && overrides.demo !== false) {
    // The template was closed cleanly, so the database file holds everything (no WAL).
    fs.cpSync(template, dataDir, { recursive: true });
  }
  const config = loadConfig(
    { HEARTH_DATA_DIR: dataDir, HEARTH_LOG_LEVEL: 'silent', HEARTH_PUBLIC_URL: 'http://blog.test' },
    { ...overrides },
  );
  const app = await createApp(config, options);
  const close = app.close.bind(app);
  return Object.assign(app, {
    dataDir,
    async close() {
      await close();
      fs.rmSync(dataDir, { recursive: true, force: true });
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
