import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { type App, createApp } from '../../src/main.js';
import { type Database, openDatabase } from '../../src/storage/index.js';
import { createDatabase, databaseUrl, dropDatabase, postgresUrl } from '../helpers/postgres.js';

const TABLES = [
  'settings',
  'media',
  'users',
  'categories',
  'tags',
  'posts',
  'post_tags',
  'comments',
  'redirects',
  'account_links',
  'login_attempts',
  'audit_log',
  'spam_tokens',
  'spam_corpus',
  'books',
  'book_authors',
  'book_items',
  'book_sources',
  'book_builds',
  'review_notes',
] as const;
const PAGES = [
  '/',
  '/page/2/',
  '/benefits-of-infant-massage/',
  '/about/',
  '/category/green-living/',
  '/tag/babies/',
  '/nothing/',
];

/** Every row of every table, in key order, with values in one form whatever the dialect. */
async function dump(database: Database) {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    const key =
      table === 'settings' || table === 'login_attempts'
        ? 'key'
        : table === 'post_tags'
          ? 'post_id'
          : table === 'spam_tokens'
            ? 'token'
            : table === 'spam_corpus'
              ? 'label'
              : table.startsWith('book_') && table !== 'book_builds'
                ? 'position'
                : 'id';
    let query = database.db.selectFrom(table).selectAll();
    // A book's rows are keyed by the book and their position in it.
    if (table.startsWith('book_') && table !== 'book_builds') query = query.orderBy('book_id' as never);
    const rows = await query.orderBy(key as never).execute();
    out[table] = rows
      .filter((r) => !(table === 'settings' && String((r as { key: string }).key).startsWith('internal.setup')))
      .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
    if (table === 'post_tags') out[table]?.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return out;
}

async function pages(app: App) {
  const out: Record<string, string> = {};
  for (const url of PAGES) out[url] = (await app.server.inject(url)).body;
  return out;
}

const hearth = (args: string[], dataDir: string) =>
  spawnSync(process.execPath, [path.resolve('dist/cli/bin.js'), ...args], {
    env: { ...process.env, HEARTH_DATA_DIR: dataDir },
    encoding: 'utf8',
    timeout: 120_000,
  });

// Needs a PostgreSQL server: runs under `npm run test:postgres` (and so in CI), not in `npm test`.
describe.runIf(postgresUrl)('hearth migrate-data between SQLite and PostgreSQL', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-copy-'));
  const sqliteA = `sqlite:${path.join(dataDir, 'a.db')}`;
  const sqliteB = `sqlite:${path.join(dataDir, 'b.db')}`;
  let pgName: string;
  let pgUrl: string;
  const open = (url: string) => openDatabase({ url, dataDir });
  const app = (url: string) =>
    createApp(
      loadConfig({
        HEARTH_DATA_DIR: dataDir,
        HEARTH_DATABASE_URL: url,
        HEARTH_LOG_LEVEL: 'silent',
        HEARTH_PUBLIC_URL: 'http://blog.test',
      }),
    );

  beforeAll(async () => {
    pgName = await createDatabase('hearth_copy');
    pgUrl = databaseUrl(pgName);
    // Accounts too: a user who signs in after a failure (throttle count, audit log, a
    // session, which is not copied) and invites someone (a pending link).
    const source = await app(sqliteA);
    const { accounts } = source.services;
    const ctx = { ip: '192.0.2.1', userAgent: 'test' };
    const email = 'copy@example.org';
    await source.services.users.create({ name: 'Copy Owner', email, password: 'correct horse battery', role: 'owner' });
    await expect(accounts.signIn.signIn({ email, password: 'not the password' }, ctx)).rejects.toThrow();
    const { token } = await accounts.signIn.signIn({ email, password: 'correct horse battery' }, ctx);
    const me = (await accounts.signIn.session(token))?.user;
    if (!me) throw new Error('not signed in');
    await accounts.team.invite({ email: 'guest@example.org', role: 'author' }, me, ctx);
    // A book: its authors, a part with a post and text written for it, a category feeding it.
    const { books } = source.services;
    const book = await books.create(me, {
      title: 'Gentle Hands',
      language: 'en',
      subjects: ['Massage'],
      pageSize: 'us-trade',
    });
    await books.setAuthors(me, book.id, [
      { userId: me.id, fileAs: 'Owner, Copy' },
      { name: 'Ida Lund', role: 'ill' },
    ]);
    await books.setContents(me, book.id, [
      {
        part: 'Touch',
        chapters: [{ post: 'benefits-of-infant-massage' }, { title: 'Afterword', body: 'Thank *you*.' }],
      },
    ]);
    await books.setSources(me, book.id, [{ kind: 'category', term: 'natural-parenting' }]);
    // A post waiting for review, with a review note (issue 18).
    const at = '2026-03-01T10:00:00.000Z';
    const draft = await source.database.db
      .updateTable('posts')
      .set({ review_submitted_at: at })
      .where('slug', '=', 'benefits-of-infant-massage')
      .returning('id')
      .executeTakeFirstOrThrow();
    await source.database.db
      .insertInto('review_notes')
      .values({ post_id: draft.id, author_id: me.id, kind: 'note', body: 'Say how warm the oil is.', created_at: at })
      .execute();
    await source.close();
  });
  afterAll(async () => {
    if (pgName) await dropDatabase(pgName);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('copies the demo site to PostgreSQL and back: every row and every page identical', async () => {
    const there = hearth(['migrate-data', '--from', sqliteA, '--to', pgUrl], dataDir);
    expect(there.stderr + there.stdout).toMatch(/Copied \d+ rows \(.*posts.*\) from sqlite:.* to postgres:/);
    expect(there.status).toBe(0);
    const back = hearth(['migrate-data', '--from', pgUrl, '--to', sqliteB], dataDir);
    expect(back.status).toBe(0);

    const [a, p, b] = [await open(sqliteA), await open(pgUrl), await open(sqliteB)];
    const [rowsA, rowsP, rowsB] = [await dump(a), await dump(p), await dump(b)];
    const sessions = async (d: Database) => (await d.db.selectFrom('sessions').select('id').execute()).length;
    expect([await sessions(a), await sessions(p), await sessions(b)]).toEqual([1, 0, 0]);
    await Promise.all([a.close(), p.close(), b.close()]);
    expect(rowsA.posts?.length).toBeGreaterThan(10);
    expect(rowsA.account_links?.length).toBe(1);
    expect(rowsA.login_attempts?.length).toBe(1);
    // The demo's book (2 authors, 7 parts and chapters) and the one made here (2 authors, 3 items, a source).
    expect([rowsA.books, rowsA.book_authors, rowsA.book_items, rowsA.book_sources].map((r) => r?.length)).toEqual([
      2, 4, 10, 1,
    ]);
    expect(rowsA.audit_log?.map((r) => (r as { action: string }).action)).toEqual([
      'sign_in_failed',
      'sign_in',
      'invite_sent',
    ]);
    expect(rowsP).toEqual(rowsA);
    expect(rowsB).toEqual(rowsA);

    const apps = [await app(sqliteA), await app(pgUrl), await app(sqliteB)];
    try {
      const [pagesA, pagesP, pagesB] = [
        await pages(apps[0] as App),
        await pages(apps[1] as App),
        await pages(apps[2] as App),
      ];
      expect(pagesA['/benefits-of-infant-massage/']).toContain('You Might Also Like');
      expect(pagesP).toEqual(pagesA);
      expect(pagesB).toEqual(pagesA);
      // New rows on the copy get fresh ids after the copied ones.
      const author = await apps[1]?.database.db.selectFrom('users').select('id').executeTakeFirstOrThrow();
      const created = await apps[1]?.services.posts.create({
        title: 'After the move',
        body: 'Hello.',
        status: 'draft',
        authorId: author?.id as number,
      });
      expect(created?.id).toBe((rowsA.posts?.length ?? 0) + 1);
    } finally {
      for (const x of apps) await x.close();
    }
  }, 120_000);

  it('refuses to write into a database that holds data, unless forced', () => {
    const refused = hearth(['migrate-data', '--from', sqliteA, '--to', pgUrl], dataDir);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('already holds data');
    const forced = hearth(['migrate-data', '--from', sqliteA, '--to', pgUrl, '--force'], dataDir);
    expect(forced.status).toBe(0);
  }, 120_000);

  it('names the problem with a bad URL, an unreachable server, a wrong password or a missing database', () => {
    const wrong = new URL(pgUrl);
    wrong.password = 'not-the-password';
    const cases: [string, RegExp][] = [
      [wrong.toString(), /the password for postgres:\/\/hearth:\*\*\*@127\.0\.0\.1:\d+\/hearth_copy_\w+ was refused/],
      ['mysql://x', /--to needs sqlite:PATH or postgres/],
      ['postgres://hearth@127.0.0.1:1/x', /nothing is listening at postgres:\/\/hearth@127\.0\.0\.1:1\/x/],
      [databaseUrl('no_such_database'), /does not exist; create it first/],
    ];
    for (const [to, message] of cases) {
      const r = hearth(['migrate-data', '--from', sqliteA, '--to', to], dataDir);
      expect(r.status, to).not.toBe(0);
      expect(r.stderr, to).toMatch(message);
      expect(r.stderr.trim().split('\n')[0], to).toMatch(/^hearth: /);
    }
  }, 120_000);
});
