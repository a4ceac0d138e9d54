import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/main.js';
import { openDatabase } from '../../src/storage/index.js';
import { createDatabase, databaseUrl, dropDatabase, postgresUrl } from '../helpers/postgres.js';

/** The CLI as a user runs it: the built `hearth` binary in a child process. */
const bin = path.resolve('dist/cli/bin.js');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-search-cli-'));
const source = `sqlite:${path.join(dataDir, 'source.db')}`;
let pgName: string | undefined;

const hearth = (args: string[], env: Record<string, string> = {}) => {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HEARTH_') && v !== undefined) clean[k] = v;
  return spawnSync(process.execPath, [bin, ...args], {
    env: { ...clean, HEARTH_DATA_DIR: dataDir, HEARTH_LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
};

/** How many posts a search for `q` finds on the site at `url`, through its HTTP API. */
async function found(url: string, q: string): Promise<number> {
  const app = await createApp(
    loadConfig({
      HEARTH_DATA_DIR: dataDir,
      HEARTH_DATABASE_URL: url,
      HEARTH_LOG_LEVEL: 'silent',
      HEARTH_PUBLIC_URL: 'http://blog.test',
    }),
  );
  try {
    const res = await app.server.inject(`/search.json?q=${encodeURIComponent(q)}`);
    expect(res.statusCode).toBe(200);
    return (res.json() as { total: number }).total;
  } finally {
    await app.close();
  }
}

/** Takes every post out of the full-text index (as a copy between databases leaves it). */
async function emptyIndex(url: string): Promise<void> {
  const database = await openDatabase({ url, dataDir });
  try {
    const posts = await database.db.selectFrom('posts').select('id').execute();
    for (const p of posts) await database.search.remove(database.db, p.id);
  } finally {
    await database.close();
  }
}

beforeAll(async () => {
  if (!fs.existsSync(bin)) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  // The demo site, on SQLite.
  const app = await createApp(
    loadConfig({ HEARTH_DATA_DIR: dataDir, HEARTH_DATABASE_URL: source, HEARTH_LOG_LEVEL: 'silent' }),
  );
  await app.close();
  if (postgresUrl) pgName = await createDatabase('hearth_search');
}, 60_000);
afterAll(async () => {
  if (pgName) await dropDatabase(pgName);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const targets: [string, () => string][] = [['SQLite', () => `sqlite:${path.join(dataDir, 'copy.db')}`]];
// PostgreSQL when a test server is given (scripts/with-postgres.sh, npm run test:postgres).
if (postgresUrl) targets.push(['PostgreSQL', () => databaseUrl(pgName as string)]);

describe('hearth migrate-data with a mistyped source', () => {
  it('stops, names it, and makes no empty database there', () => {
    const missing = path.join(dataDir, 'no-such-blog.db');
    const copy = hearth([
      'migrate-data',
      '--from',
      `sqlite:${missing}`,
      '--to',
      `sqlite:${path.join(dataDir, 'x.db')}`,
    ]);
    expect(copy.status).toBe(1);
    expect(copy.stderr).toContain(`sqlite:${missing} does not exist: nothing to copy`);
    expect(fs.existsSync(missing)).toBe(false);
  });
});

describe.each(targets)('search after a copy to %s', (_name, target) => {
  it('finds posts right after `hearth migrate-data`: the copy ends by building the index', async () => {
    expect(await found(source, 'massage')).toBeGreaterThan(0);
    const copy = hearth(['migrate-data', '--from', source, '--to', target()]);
    expect(copy.stderr + copy.stdout).toMatch(/Search index built: \d+ posts/);
    expect(copy.status).toBe(0);
    expect(await found(target(), 'massage')).toBe(await found(source, 'massage'));
    expect(await found(target(), 'nappies')).toBe(await found(source, 'nappies'));
  });

  it('`hearth search --rebuild` builds a lost index again', async () => {
    await emptyIndex(target());
    expect(await found(target(), 'massage')).toBe(0);
    const rebuilt = hearth(['search', '--rebuild'], { HEARTH_DATABASE_URL: target() });
    expect(rebuilt.stderr).toBe('');
    expect(rebuilt.stdout).toMatch(/^Search index built: 11 posts in \d+\.\d s\.\n$/);
    expect(rebuilt.status).toBe(0);
    expect(await found(target(), 'massage')).toBe(await found(source, 'massage'));
  });

  it('says how to use `hearth search` when run without --rebuild', () => {
    const bare = hearth(['search'], { HEARTH_DATABASE_URL: target() });
    expect(bare.status).toBe(2);
    expect(bare.stderr).toContain('hearth: use hearth search --rebuild');
  });
});
