import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/main.js';

/** The CLI as a user runs it: the built `hearth` binary in a child process, on the demo blog (SQLite). */
const bin = path.resolve('dist/cli/bin.js');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-book-cli-'));
const url = `sqlite:${path.join(dataDir, 'hearth.db')}`;

const hearth = (args: string[]) => {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HEARTH_') && v !== undefined) clean[k] = v;
  return spawnSync(process.execPath, [bin, ...args], {
    env: { ...clean, HEARTH_DATA_DIR: dataDir, HEARTH_DATABASE_URL: url, HEARTH_LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 120_000,
  });
};

beforeAll(async () => {
  if (!fs.existsSync(bin)) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  const template = inject('templateDir');
  if (template && fs.existsSync(path.join(template, 'hearth.db'))) fs.cpSync(template, dataDir, { recursive: true });
  const app = await createApp(
    loadConfig({ HEARTH_DATA_DIR: dataDir, HEARTH_DATABASE_URL: url, HEARTH_LOG_LEVEL: 'silent' }),
  );
  await app.close();
}, 120_000);
afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('hearth book list', () => {
  it('says there are no books, then lists each with its chapters, parts and sources', async () => {
    const demo = hearth(['book', 'list']);
    expect(demo.stderr).toBe('');
    expect(demo.status).toBe(0);
    expect(demo.stdout.split('\n')).toEqual([
      'SLUG               TITLE              CHAPTERS  PARTS  FROM',
      'ten-quiet-minutes  Ten Quiet Minutes  5         2      -',
      '',
    ]);

    const app = await createApp(
      loadConfig({ HEARTH_DATA_DIR: dataDir, HEARTH_DATABASE_URL: url, HEARTH_LOG_LEVEL: 'silent' }, { demo: false }),
    );
    try {
      const maren = await app.database.db
        .selectFrom('users')
        .select(['id', 'role'])
        .where('slug', '=', 'maren-ashby')
        .executeTakeFirstOrThrow();
      const books = app.services.books;
      await books.delete(maren, 'ten-quiet-minutes');
      const empty = hearth(['book', 'list']);
      expect(empty.stderr).toBe('');
      expect(empty.stdout).toBe('No books yet.\n');
      const massage = await books.create(maren, { title: 'Gentle Hands', language: 'en' });
      await books.setContents(maren, massage.id, [
        { part: 'Touch', chapters: [{ post: 'benefits-of-infant-massage' }, { post: 'babywearing-for-beginners' }] },
        { part: 'Growing up', chapters: [{ post: 'reading-aloud-to-toddlers' }] },
      ]);
      const kitchen = await books.create(maren, { title: 'Küche für Kleine', language: 'de' });
      await books.setSources(maren, kitchen.id, [{ kind: 'category', term: 'family-kitchen' }]);
    } finally {
      await app.close();
    }

    const listed = hearth(['book', 'list']);
    expect(listed.stderr).toBe('');
    expect(listed.status).toBe(0);
    expect(listed.stdout.split('\n')).toEqual([
      'SLUG                TITLE             CHAPTERS  PARTS  FROM',
      'gentle-hands        Gentle Hands      3         2      -',
      'kueche-fuer-kleine  Küche für Kleine  0         0      category:family-kitchen',
      '',
    ]);
  });

  it('refuses an unknown book command with the usage', () => {
    const wrong = hearth(['book', 'shelve']);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('hearth: unknown book command "shelve"; try: hearth book list');
    expect(wrong.stderr).toContain('hearth book list');
  });
});
