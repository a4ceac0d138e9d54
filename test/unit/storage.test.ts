import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HearthError } from '../../src/errors.js';
import { type Database, type NewPost, type NewUser, openDatabase } from '../../src/storage/index.js';
import { MIGRATION_NAMES } from '../../src/storage/migrations/index.js';

let dataDir: string;
let database: Database | undefined;

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-unit-storage-'));
});

afterEach(async () => {
  await database?.close();
  database = undefined;
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function open(): Promise<Database> {
  database = await openDatabase({ url: undefined, dataDir });
  return database;
}

const now = '2026-10-20T08:30:00.000Z';
const user: NewUser = {
  slug: 'ana',
  display_name: 'Ana',
  email: 'ana@example.org',
  bio: '',
  website: null,
  avatar_media_id: null,
  role: 'owner',
  password_hash: null,
  created_at: now,
  updated_at: now,
};
const post = (authorId: number, overrides: Partial<NewPost> = {}): NewPost => ({
  type: 'post',
  slug: 'first',
  title: 'First',
  excerpt: '',
  body: '',
  html: '',
  status: 'published',
  published_at: now,
  created_at: now,
  updated_at: now,
  feature_image_id: null,
  feature_image_alt: null,
  category_id: null,
  author_id: authorId,
  editor_note: null,
  editor_note_html: null,
  editor_note_author_id: null,
  seo_title: null,
  seo_description: null,
  comments_enabled: 1,
  ...overrides,
});

describe('openDatabase (SQLite)', () => {
  it('creates hearth.db in the data directory and migrates it', async () => {
    const { db, dialect, migrate } = await open();
    expect(dialect).toBe('sqlite');
    expect(fs.existsSync(path.join(dataDir, 'hearth.db'))).toBe(true);
    expect(await migrate()).toEqual({ applied: MIGRATION_NAMES });
    const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db);
    expect(tables.rows.map((r) => r.name)).toEqual(
      expect.arrayContaining([
        'settings',
        'users',
        'categories',
        'tags',
        'media',
        'posts',
        'post_tags',
        'comments',
        'redirects',
      ]),
    );
  });

  it('applies nothing when migrated a second time, also after reopening', async () => {
    const first = await open();
    expect((await first.migrate()).applied).toEqual(MIGRATION_NAMES);
    expect((await first.migrate()).applied).toEqual([]);
    await first.close();
    database = undefined;

    const again = await open();
    expect((await again.migrate()).applied).toEqual([]);
  });

  it('keeps the data across a close and reopen', async () => {
    const first = await open();
    await first.migrate();
    await first.db.insertInto('users').values(user).execute();
    await first.close();
    database = undefined;

    const again = await open();
    const row = await again.db.selectFrom('users').select('email').executeTakeFirst();
    expect(row?.email).toBe('ana@example.org');
  });

  it('enforces foreign keys: a post needs an existing author', async () => {
    const { db, migrate } = await open();
    await migrate();
    await expect(db.insertInto('posts').values(post(4242)).execute()).rejects.toThrow(/FOREIGN KEY constraint failed/);
    expect(await db.selectFrom('posts').select('id').execute()).toEqual([]);

    // The very same row is accepted with an author that exists.
    const { id } = await db.insertInto('users').values(user).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('posts').values(post(id)).execute();
    expect(await db.selectFrom('posts').select('author_id').execute()).toEqual([{ author_id: id }]);
  });

  it('refuses to delete an author who still has posts', async () => {
    const { db, migrate } = await open();
    await migrate();
    const { id } = await db.insertInto('users').values(user).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('posts').values(post(id)).execute();
    await expect(db.deleteFrom('users').where('id', '=', id).execute()).rejects.toThrow(/FOREIGN KEY/);
  });

  it('refuses a post status outside the CHECK constraint', async () => {
    const { db, migrate } = await open();
    await migrate();
    const { id } = await db.insertInto('users').values(user).returning('id').executeTakeFirstOrThrow();
    const bogus = post(id, { status: 'bogus' as NewPost['status'] });
    await expect(db.insertInto('posts').values(bogus).execute()).rejects.toThrow(/CHECK constraint failed/);
    await db
      .insertInto('posts')
      .values(post(id, { status: 'draft' }))
      .execute();
    expect(await db.selectFrom('posts').select('status').execute()).toEqual([{ status: 'draft' }]);
  });

  it('runs the file in WAL mode with foreign keys on', async () => {
    const { db } = await open();
    const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db);
    expect(journal.rows).toEqual([{ journal_mode: 'wal' }]);
    const foreignKeys = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db);
    expect(foreignKeys.rows).toEqual([{ foreign_keys: 1 }]);
  });

  it('opens a sqlite: URL at the given path', async () => {
    const file = path.join(dataDir, 'nested', 'blog.db');
    database = await openDatabase({ url: `sqlite:${file}`, dataDir: '/nonexistent' });
    await database.migrate();
    expect(fs.existsSync(file)).toBe(true);
  });

  it('refuses a database URL of an unknown kind with a config error that names the variable', async () => {
    await expect(openDatabase({ url: 'mysql://localhost/hearth', dataDir })).rejects.toSatisfy(
      (error: unknown) =>
        error instanceof HearthError &&
        error.code === 'HEARTH_ERR_CONFIG' &&
        error.message.includes('HEARTH_DATABASE_URL'),
    );
  });
});
