import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createServices } from '../../src/services.js';
import { openDatabase } from '../../src/storage/index.js';

const bin = path.resolve('dist/cli/bin.js');
let dataDir: string;

/** The built CLI, with no HEARTH_* variable from outside but the data folder and public URL. */
const hearth = (args: string[]) => {
  const env: Record<string, string> = { HEARTH_DATA_DIR: dataDir, HEARTH_PUBLIC_URL: 'http://blog.test' };
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HEARTH_') && v !== undefined) env[k] = v;
  return spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', timeout: 60_000 });
};

beforeAll(async () => {
  // A small SQLite site of its own (the test template may be on PostgreSQL), with a few
  // comments from one reader.
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-cli-comments-'));
  const database = await openDatabase({ url: undefined, dataDir });
  try {
    await database.migrate();
    const services = createServices(
      database,
      loadConfig({ HEARTH_DATA_DIR: dataDir, HEARTH_PUBLIC_URL: 'http://blog.test', HEARTH_DEMO: 'false' }),
    );
    const author = await services.users.create({ name: 'Maren', email: 'maren@example.org', role: 'owner' });
    const post = await services.posts.create({
      title: 'Benefits of Infant Massage',
      body: 'Warm hands, slow strokes.',
      status: 'published',
      publishedAt: new Date(Date.now() - 60_000).toISOString(),
      authorId: author.id,
    });
    for (const body of ['First thought from Gwen.', 'Second thought from Gwen.']) {
      await services.comments.submit(
        { postId: post.id, name: 'Gwen', email: 'Gwen@Example.org', body },
        { ip: '203.0.113.40', userAgent: 'cli test' },
      );
    }
    await services.comments.submit(
      { postId: post.id, name: 'Hal', email: 'hal@example.org', body: 'Someone else entirely.' },
      { ip: '203.0.113.41', userAgent: 'cli test' },
    );
  } finally {
    await database.close();
  }
});
afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('hearth comments', () => {
  it('export --email prints everything kept about that commenter as JSON, and nobody else', () => {
    const r = hearth(['comments', 'export', '--email', 'gwen@example.org']);
    expect(r.status, r.stderr).toBe(0);
    const data = JSON.parse(r.stdout);
    expect(data.email).toBe('gwen@example.org');
    expect(data.comments.map((c: { text: string }) => c.text)).toEqual([
      'First thought from Gwen.',
      'Second thought from Gwen.',
    ]);
    expect(data.comments[0]).toMatchObject({
      name: 'Gwen',
      status: 'pending',
      userAgent: 'cli test',
      addressKept: true,
      post: { url: 'http://blog.test/benefits-of-infant-massage/' },
    });
    expect(r.stdout).not.toContain('Hal');
  });

  it('erase --email deletes that commenter’s comments only', () => {
    const r = hearth(['comments', 'erase', '--email', 'GWEN@example.org']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Erased 2 comments sent with gwen@example.org.');
    expect(JSON.parse(hearth(['comments', 'export', '--email', 'gwen@example.org']).stdout).comments).toEqual([]);
    expect(JSON.parse(hearth(['comments', 'export', '--email', 'hal@example.org']).stdout).comments).toHaveLength(1);
  });

  it('explains a missing or malformed email, and an unknown action', () => {
    for (const args of [
      ['comments', 'export'],
      ['comments', 'erase', '--email', 'not-an-address'],
      ['comments', 'purge'],
    ]) {
      const r = hearth(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^hearth: (--email needs an email address|unknown comments command)/);
    }
  });
});
