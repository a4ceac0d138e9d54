import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ARCHIVED_TABLES } from '../../src/domain/portability/archive/format.js';
import { folderMediaFiles, wordpressImporter } from '../../src/domain/portability/index.js';
import { createApp } from '../../src/main.js';
import { openZip } from '../../src/shared/zip.js';
import { openDatabase } from '../../src/storage/index.js';
import { MIGRATION_NAMES } from '../../src/storage/migrations/index.js';
import { noisyPhoto } from '../helpers/photos.js';
import { createDatabase, databaseUrl, dropDatabase, postgresUrl } from '../helpers/postgres.js';
import { buildZip, type RawEntry } from '../helpers/zip-builder.js';

/** The CLI as a user runs it: the built `hearth` binary in a child process. */
const bin = path.resolve('dist/cli/bin.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-archive-cli-'));
const dirOf = (name: string) => path.join(root, name);
const sqliteOf = (name: string) => `sqlite:${path.join(dirOf(name), 'hearth.db')}`;
const archive = path.join(root, 'site.zip');
const PAGES = [
  '/',
  '/page/2/',
  '/benefits-of-infant-massage/',
  '/autumn-lentil-soup/',
  '/about/',
  '/category/green-living/',
  '/tag/babies/',
  '/feed/',
  '/sitemap.xml',
  '/old-address/',
  // Imported from a WordPress export: a post with photos and a comment thread, and old addresses.
  '/raised-beds/',
  '/first-steps/',
  '/2023/04/raised-beds/',
  '/?p=202',
];
const SECRET_SETTINGS = ['internal.secret', 'internal.setup_token_sha256'];

const hearth = (args: string[], dataDir: string, url: string) => {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HEARTH_') && v !== undefined) clean[k] = v;
  return spawnSync(process.execPath, [bin, ...args], {
    env: { ...clean, HEARTH_DATA_DIR: dataDir, HEARTH_DATABASE_URL: url, HEARTH_LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 120_000,
  });
};

const configOf = (dataDir: string, url: string) =>
  loadConfig(
    {
      HEARTH_DATA_DIR: dataDir,
      HEARTH_DATABASE_URL: url,
      HEARTH_LOG_LEVEL: 'silent',
      HEARTH_PUBLIC_URL: 'http://blog.test',
    },
    { demo: false },
  );

/** Every row of every archived table in key order, one form whatever the dialect; secrets left out. */
async function dump(dataDir: string, url: string) {
  const database = await openDatabase({ url, dataDir });
  try {
    const out: Record<string, unknown[]> = {};
    for (const table of ARCHIVED_TABLES) {
      let query = database.db.selectFrom(table.name).selectAll();
      for (const k of table.key) query = query.orderBy(k as never);
      const rows = (await query.execute()) as Record<string, unknown>[];
      out[table.name] = rows
        .filter((r) => !(table.name === 'settings' && SECRET_SETTINGS.some((k) => String(r.key).startsWith(k))))
        .map((r) => {
          const row = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]));
          if (table.name === 'users') for (const k of ['password_hash', 'totp_secret', 'totp_last_step']) delete row[k];
          return row;
        });
    }
    return out;
  } finally {
    await database.close();
  }
}

/** The public pages (and one photo) of the site, as bytes. */
async function pages(dataDir: string, url: string, photo: string) {
  // Visits are not counted: the tables must stay as the archive holds them.
  const app = await createApp({ ...configOf(dataDir, url), analytics: false });
  try {
    const out: Record<string, string> = {};
    for (const page of [...PAGES, `/media/${photo}`]) {
      const res = await app.server.inject(page);
      expect(res.statusCode, page).toBeLessThan(400);
      out[page] = `${res.statusCode} ${res.headers['content-type']}\n${res.rawPayload.toString('base64')}`;
    }
    return out;
  } finally {
    await app.close();
  }
}

/** The archive's entries, to be changed and written again by hand (as an attacker would). */
async function entriesOf(file: string): Promise<RawEntry[]> {
  const zip = await openZip(file);
  try {
    const out: RawEntry[] = [];
    for (const e of zip.entries) out.push({ name: e.name, data: await zip.readBuffer(e.name) });
    return out;
  } finally {
    zip.close();
  }
}

let before: Awaited<ReturnType<typeof dump>>;
let beforePages: Record<string, string>;
let photo: string;

beforeAll(async () => {
  if (!fs.existsSync(bin)) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  // The demo site on SQLite (copied from the template where it is one), with a row in
  // every table the demo leaves empty.
  const source = dirOf('source');
  const template = inject('templateDir');
  if (template && fs.existsSync(path.join(template, 'hearth.db'))) fs.cpSync(template, source, { recursive: true });
  const app = await createApp(
    loadConfig({ HEARTH_DATA_DIR: source, HEARTH_DATABASE_URL: sqliteOf('source'), HEARTH_LOG_LEVEL: 'silent' }),
  );
  try {
    const db = app.database.db;
    const at = '2026-03-01T10:00:00.000Z';
    const post = await db
      .selectFrom('posts')
      .select(['id', 'author_id'])
      .where('slug', '=', 'autumn-lentil-soup')
      .executeTakeFirstOrThrow();
    const other = await db
      .selectFrom('posts')
      .select('id')
      .where('slug', '=', 'slow-family-walks')
      .executeTakeFirstOrThrow();
    const about = await db.selectFrom('posts').select('id').where('slug', '=', 'about').executeTakeFirstOrThrow();
    await db.updateTable('posts').set({ featured: 1 }).where('id', '=', post.id).execute();
    await db.updateTable('posts').set({ parent_id: about.id, menu_order: 3 }).where('id', '=', other.id).execute();
    await db
      .insertInto('redirects')
      .values({ from_path: '/old-address/', to_path: '/autumn-lentil-soup/', status_code: 301, created_at: at })
      .execute();
    await db
      .insertInto('revisions')
      .values({
        post_id: post.id,
        user_id: post.author_id,
        kind: 'save',
        title: 'Lentil soup, first go',
        body: 'Soup — ünïcode ✓',
        excerpt: '',
        created_at: at,
      })
      .execute();
    await db
      .insertInto('import_sources')
      .values({
        source: 'wordpress:https://old.example',
        kind: 'post',
        external_id: '42',
        local_id: post.id,
        created_at: at,
      })
      .execute();
    await db
      .insertInto('audit_log')
      .values({
        at,
        action: 'settings_changed',
        actor_id: post.author_id,
        actor_email: 'x@example.org',
        subject: 'site',
        ip: null,
        details: '{}',
      })
      .execute();
    await db.insertInto('spam_tokens').values({ token: 'casino', ham: 0, spam: 3 }).execute();
    await db.insertInto('spam_corpus').values({ label: 'spam', documents: 3 }).execute();
    await db
      .insertInto('related_overrides')
      .values({ post_id: post.id, related_id: other.id, kind: 'pin', position: 0 })
      .execute();
    // A book with authors, parts, chapters (a post, text written for it) and a tag feeding it.
    const writer = await db
      .selectFrom('users')
      .select(['id', 'role'])
      .where('id', '=', post.author_id)
      .executeTakeFirstOrThrow();
    const book = await app.services.books.create(writer, {
      title: 'Soup and Walks',
      language: 'en-GB',
      isbn: '978-0-306-40615-7',
      subjects: ['Cooking', 'Família'],
      frontMatter: 'For everyone who *stirs*.',
    });
    await app.services.books.setAuthors(writer, book.id, [{ userId: writer.id }, { name: 'Ida Lund', role: 'ill' }]);
    await app.services.books.setContents(writer, book.id, [
      { title: 'Before', body: 'A note — ✓' },
      { part: 'Autumn', chapters: [{ post: post.id }, { post: other.id }] },
    ]);
    await app.services.books.setSources(writer, book.id, [{ kind: 'tag', term: 'babies' }]);
    await db
      .insertInto('login_attempts')
      .values({ key: 'ip:192.0.2.1', failures: 2, first_failure_at: at, locked_until: null })
      .execute();
    // The demo plus a WordPress blog imported into it (users, terms, photos, threads, redirects).
    const uploads = path.join(root, 'uploads');
    fs.mkdirSync(path.join(uploads, '2023/04'), { recursive: true });
    fs.mkdirSync(path.join(uploads, '2023/05'), { recursive: true });
    fs.writeFileSync(path.join(uploads, '2023/04/garden-beds.jpg'), await noisyPhoto(640, 480).jpeg().toBuffer());
    fs.writeFileSync(path.join(uploads, '2023/05/first-steps.png'), await noisyPhoto(480, 360).png().toBuffer());
    const imported = await app.services.imports.run(
      wordpressImporter(() => fs.createReadStream(path.resolve('test/fixtures/wxr-family-blog.xml'))),
      { mediaFiles: folderMediaFiles(uploads) },
    );
    expect(imported.counts.posts.added).toBe(11);
    expect(imported.counts.media.added).toBe(2);
    const media = await db.selectFrom('media').select('variants').orderBy('id').executeTakeFirstOrThrow();
    photo = (JSON.parse(media.variants) as { path: string }[])[0]?.path as string;
  } finally {
    await app.close();
  }
  before = await dump(source, sqliteOf('source'));
  beforePages = await pages(source, sqliteOf('source'), photo);
  const exported = hearth(['export', archive], source, sqliteOf('source'));
  expect(exported.stderr).not.toContain('hearth:');
  expect(exported.status).toBe(0);
  expect(exported.stdout).toMatch(/^Exported .*25 posts.* media files to .*site\.zip/m);
}, 120_000);

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('hearth export', () => {
  it('writes a manifest, one JSON-lines file per table and every photo with its variants', async () => {
    const zip = await openZip(archive);
    try {
      const manifest = JSON.parse((await zip.readBuffer('hearth-archive.json')).toString('utf8'));
      expect(manifest).toMatchObject({
        format: 'hearth-archive',
        version: 1,
        migration: MIGRATION_NAMES.at(-1),
        withPasswords: false,
      });
      expect(manifest.counts).toEqual(Object.fromEntries(Object.entries(before).map(([t, rows]) => [t, rows.length])));
      // The demo's book (2 authors, 7 parts and chapters) and the one made here (2, 4 and a source).
      expect(manifest.counts).toMatchObject({ books: 2, book_authors: 4, book_items: 11, book_sources: 1 });
      for (const table of ARCHIVED_TABLES) expect(zip.has(`tables/${table.name}.jsonl`)).toBe(true);
      expect(zip.has('tables/login_attempts.jsonl')).toBe(false);
      expect(zip.has('tables/sessions.jsonl')).toBe(false);
      expect(zip.has(`media/${photo}`)).toBe(true);
      expect(zip.entries.filter((e) => e.name.startsWith('media/'))).toHaveLength(manifest.files);
      const users = (await zip.readBuffer('tables/users.jsonl')).toString('utf8');
      expect(users).not.toMatch(/"password_hash":"/);
    } finally {
      zip.close();
    }
  });
});

describe('hearth import hearth', () => {
  it('restores into an empty SQLite blog: the same rows in every table and the same pages, byte for byte', async () => {
    const target = dirOf('sqlite');
    const restored = hearth(['import', 'hearth', archive], target, sqliteOf('sqlite'));
    expect(restored.stderr).not.toContain('hearth:');
    expect(restored.status).toBe(0);
    expect(restored.stdout).toMatch(/^Restored .*25 posts.* media files from/m);
    expect(restored.stdout).toContain('Search index built: 17 posts');
    const after = await dump(target, sqliteOf('sqlite'));
    for (const table of ARCHIVED_TABLES) expect(after[table.name], table.name).toEqual(before[table.name]);
    const users = await dump(target, sqliteOf('sqlite'));
    expect(users.users?.length).toBeGreaterThan(0);
    expect(await pages(target, sqliteOf('sqlite'), photo)).toEqual(beforePages);
    // The search index was built.
    const app = await createApp(configOf(target, sqliteOf('sqlite')));
    try {
      const found = await app.server.inject('/search.json?q=lentil');
      expect((found.json() as { total: number }).total).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });

  it('refuses a blog that holds data, and replaces it with --force', async () => {
    const target = dirOf('sqlite');
    const again = hearth(['import', 'hearth', archive], target, sqliteOf('sqlite'));
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/hearth: The blog already holds data \(.*25 posts.*\)\. .*use --force/);
    const forced = hearth(['import', 'hearth', archive, '--force'], target, sqliteOf('sqlite'));
    expect(forced.status).toBe(0);
    expect((await dump(target, sqliteOf('sqlite'))).posts).toEqual(before.posts);
  });

  /** Restores a changed copy of the archive into a fresh blog; returns the CLI's answer. */
  async function tampered(name: string, change: (entries: RawEntry[]) => RawEntry[]) {
    const file = path.join(root, `${name}.zip`);
    fs.writeFileSync(file, buildZip(change(await entriesOf(archive))));
    const target = dirOf(name);
    const result = hearth(['import', 'hearth', file], target, sqliteOf(name));
    const left = await dump(target, sqliteOf(name));
    const rows = Object.values(left).reduce((n, t) => n + t.length, 0);
    const mediaDir = path.join(target, 'media');
    const files = fs.existsSync(mediaDir)
      ? fs.readdirSync(mediaDir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile())
      : [];
    return { ...result, rows, files: files.length };
  }

  it('refuses an archive of an unknown version, naming it, and writes nothing', async () => {
    const result = await tampered('version', (entries) =>
      entries.map((e) =>
        e.name === 'hearth-archive.json'
          ? { ...e, data: Buffer.from(JSON.stringify({ ...JSON.parse(String(e.data)), version: 2 })) }
          : e,
      ),
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'hearth: The archive cannot be read: hearth-archive.json: its version is 2; this Hearth reads version 1 only',
    );
    expect(result.rows).toBe(0);
    const format = await tampered('format', (entries) =>
      entries.map((e) => (e.name === 'hearth-archive.json' ? { ...e, data: Buffer.from('{"format":"ghost"}') } : e)),
    );
    expect(format.stderr).toContain('its format is "ghost", not "hearth-archive"');
  });

  it('refuses an archive with a ../ entry before reading anything', async () => {
    const result = await tampered('traversal', (entries) => [
      ...entries,
      { name: 'media/../../evil.txt', data: Buffer.from('x') },
    ]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('hearth: The archive was refused: entry "media/../../evil.txt" climbs out');
    expect(result.rows).toBe(0);
    expect(fs.existsSync(path.join(root, 'evil.txt'))).toBe(false);
    // A table whose header lies about its size is stopped while it inflates; nothing is kept.
    const liar = await tampered('liar', (entries) =>
      entries.map((e) => (e.name === 'tables/comments.jsonl' ? { ...e, declaredSize: 40 } : e)),
    );
    expect(liar.status).toBe(1);
    expect(liar.stderr).toContain('entry "tables/comments.jsonl" inflates past its declared size of 40 bytes');
    expect(liar.rows).toBe(0);
  });

  it('refuses a bad row naming its table and line, and leaves no row and no photo behind', async () => {
    const bad = await tampered('badrow', (entries) =>
      entries.map((e) => {
        if (e.name !== 'tables/posts.jsonl') return e;
        const lines = String(e.data).trimEnd().split('\n');
        lines[2] = JSON.stringify({ ...JSON.parse(lines[2] as string), title: 5 });
        return { ...e, data: Buffer.from(`${lines.join('\n')}\n`) };
      }),
    );
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('tables/posts.jsonl line 3: the row has 5 in the column "title", which holds text');
    expect(bad.rows).toBe(0);
    const notJson = await tampered('notjson', (entries) =>
      entries.map((e) =>
        e.name === 'tables/comments.jsonl' ? { ...e, data: Buffer.from(`${String(e.data)}{oops\n`) } : e,
      ),
    );
    expect(notJson.stderr).toMatch(/tables\/comments\.jsonl line \d+: is not JSON/);
    expect(notJson.rows).toBe(0);
    // The last photo file is missing: the ones written before are removed with the rollback.
    const lastMedia = (await entriesOf(archive)).filter((e) => e.name.startsWith('media/')).at(-1)?.name;
    const missing = await tampered('missing', (entries) => entries.filter((e) => e.name !== lastMedia));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`${lastMedia}: is missing (photo`);
    expect(missing.rows).toBe(0);
    expect(missing.files).toBe(0);
  });
});

// Needs a PostgreSQL server: runs under `npm run test:postgres`, not in `npm test`.
describe.runIf(postgresUrl)('hearth import hearth into PostgreSQL', () => {
  let name: string;
  beforeAll(async () => {
    name = await createDatabase('hearth_archive');
  });
  afterAll(async () => {
    if (name) await dropDatabase(name);
  });

  it('restores a SQLite export: the same rows and the same pages, byte for byte', async () => {
    const target = dirOf('postgres');
    const url = databaseUrl(name);
    const restored = hearth(['import', 'hearth', archive], target, url);
    expect(restored.stderr).not.toContain('hearth:');
    expect(restored.status).toBe(0);
    const after = await dump(target, url);
    for (const table of ARCHIVED_TABLES) expect(after[table.name], table.name).toEqual(before[table.name]);
    expect(await pages(target, url, photo)).toEqual(beforePages);
    // And back: an export of the PostgreSQL blog restores into SQLite with the same rows.
    const again = path.join(root, 'from-postgres.zip');
    expect(hearth(['export', again], target, url).status).toBe(0);
    expect(hearth(['import', 'hearth', again], dirOf('back'), sqliteOf('back')).status).toBe(0);
    expect(await dump(dirOf('back'), sqliteOf('back'))).toEqual(before);
  });
});
