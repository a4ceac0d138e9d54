import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { SignedInUser } from '../../src/domain/accounts/index.js';
import { type HearthError, ValidationError } from '../../src/errors.js';
import { createServices, type Services } from '../../src/services.js';
import { dialects, type TestDatabase } from './dialects.js';

/**
 * The storage contract: the same services give the same answers on every dialect.
 * No test here is skipped on any dialect.
 */
describe.each(dialects)('storage contract on $name', (dialect) => {
  let t: TestDatabase;
  let s: Services;
  let clock = new Date('2026-06-01T12:00:00.000Z');
  let authorId: number;

  beforeAll(async () => {
    t = await dialect.open();
    await t.database.migrate();
    s = createServices(t.database, loadConfig({ HEARTH_DATA_DIR: t.dataDir }), () => clock);
    authorId = (await s.users.create({ name: 'Ida Writer', email: 'ida@example.org', role: 'author', bio: 'Writes.' }))
      .id;
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('migrates once: a second run applies nothing', async () => {
    expect((await t.database.migrate()).applied).toEqual([]);
  });

  it('keeps users unique by email, case-insensitively, and gives each a free slug', async () => {
    await expect(s.users.create({ name: 'Other', email: 'IDA@example.org', role: 'author' })).rejects.toThrow(
      /already exists/,
    );
    const twin = await s.users.create({ name: 'Ida Writer', email: 'ida2@example.org', role: 'contributor' });
    expect(twin.slug).toBe('ida-writer-2');
    expect((await s.users.bySlug('ida-writer'))?.bio).toBe('Writes.');
  });

  it('upserts settings', async () => {
    await s.settings.update({ title: 'One' });
    await s.settings.update({ title: 'Two', postsPerPage: 3 });
    expect(await s.settings.get()).toMatchObject({ title: 'Two', postsPerPage: 3 });
  });

  it('creates tags once however they are spelled', async () => {
    const a = await s.taxonomy.ensureTags(['Green Living', 'green living', 'Babies']);
    const b = await s.taxonomy.ensureTags(['Babies', 'GREEN LIVING']);
    expect(a.map((x) => x.slug)).toEqual(['green-living', 'babies']);
    expect(b.map((x) => x.id)).toEqual([a[1]?.id, a[0]?.id]);
  });

  it('writes a post and its tags in one transaction, and writes nothing when any part fails', async () => {
    const category = await s.taxonomy.createCategory({ name: 'Home' });
    const created = await s.posts.create({
      title: 'Bread at home',
      body: '## Dough\n\nFlour and water.',
      status: 'published',
      publishedAt: '2026-05-01T08:00:00Z',
      authorId,
      categoryId: category.id,
      tags: ['Baking', 'Kitchen'],
    });
    const post = await s.posts.publishedBySlug('bread-at-home');
    expect(post?.id).toBe(created.id);
    expect(post?.publishedAt).toBe('2026-05-01T08:00:00.000Z');
    expect(post?.html).toContain('<h2 id="dough">');
    expect(post?.tags.map((x) => x.name)).toEqual(['Baking', 'Kitchen']);
    expect(post?.category?.slug).toBe('home');

    const tagsBefore = await t.database.db.selectFrom('tags').select('slug').execute();
    await expect(
      s.posts.create({
        title: 'Again',
        slug: 'bread-at-home',
        body: 'x',
        status: 'draft',
        authorId,
        tags: ['Brand New Tag'],
      }),
    ).rejects.toThrow(/already in use/);
    expect(await t.database.db.selectFrom('tags').select('slug').execute()).toEqual(tagsBefore);
    await expect(
      s.posts.create({ title: 'Orphan', body: 'x', status: 'draft', authorId: 999_999, tags: ['Another New Tag'] }),
    ).rejects.toThrow();
    expect(await t.database.db.selectFrom('tags').select('slug').execute()).toEqual(tagsBefore);
    await expect(s.posts.create({ title: ' ', body: 'x', status: 'published', authorId })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('shows a scheduled post only from its time on', async () => {
    await s.posts.create({
      title: 'Later',
      body: 'Soon.',
      status: 'published',
      publishedAt: '2026-06-01T12:30:00.000Z',
      authorId,
    });
    expect(await s.posts.publishedBySlug('later')).toBeUndefined();
    clock = new Date('2026-06-01T12:30:00.000Z');
    expect((await s.posts.publishedBySlug('later'))?.title).toBe('Later');
  });

  it('pages through published posts, newest first, by category, tag and author', async () => {
    for (let i = 1; i <= 5; i++) {
      await s.posts.create({
        title: `Note ${i}`,
        body: `Note ${i}.`,
        status: 'published',
        publishedAt: `2026-04-0${i}T10:00:00Z`,
        authorId,
        tags: i % 2 ? ['Odd'] : [],
      });
    }
    await s.posts.create({ title: 'Draft', body: 'Not yet.', status: 'draft', authorId });
    const first = await s.posts.listPublished({ page: 1, perPage: 3 });
    expect(first.total).toBe(7);
    expect(first.pages).toBe(3);
    expect(first.items.map((p) => p.title)).toEqual(['Later', 'Bread at home', 'Note 5']);
    const last = await s.posts.listPublished({ page: 3, perPage: 3 });
    expect(last.items.map((p) => p.title)).toEqual(['Note 1']);
    const odd = await s.taxonomy.tagBySlug('odd');
    expect(
      (await s.posts.listPublished({ page: 1, perPage: 10, tagId: odd?.id as number })).items.map((p) => p.title),
    ).toEqual(['Note 5', 'Note 3', 'Note 1']);
    expect((await s.posts.listPublished({ page: 1, perPage: 10, authorId })).total).toBe(7);
  });

  it('suggests related posts by shared tags, then newest', async () => {
    const note3 = await s.posts.publishedBySlug('note-3');
    const related = await s.posts.related(note3 as NonNullable<typeof note3>, 3);
    expect(related.map((p) => p.title).slice(0, 2)).toEqual(['Note 5', 'Note 1']);
    expect(related.map((p) => p.title)).not.toContain('Note 3');
  });

  it('stores comments pending, lists only approved ones, and forgets nothing on approval', async () => {
    const post = await s.posts.publishedBySlug('bread-at-home');
    const { id } = await s.comments.submit(
      { postId: post?.id, name: 'Rae', email: 'Rae@Example.org', body: 'Tasty.' },
      { ip: '203.0.113.9', userAgent: 'test' },
    );
    expect(await s.comments.approvedFor(post?.id as number)).toEqual([]);
    await s.comments.setStatus(id, 'approved');
    const [comment] = await s.comments.approvedFor(post?.id as number);
    expect(comment).toMatchObject({ id, name: 'Rae', bodyHtml: '<p>Tasty.</p>\n', createdAt: clock.toISOString() });
    const row = await t.database.db.selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.author_email).toBe('rae@example.org');
    expect(row.ip_hash).not.toContain('203.0.113.9');
  });

  it('enforces the schema: foreign keys and allowed values', async () => {
    const now = new Date().toISOString();
    const base = { type: 'post' as const, title: 'x', status: 'draft' as const, created_at: now, updated_at: now };
    await expect(
      t.database.db
        .insertInto('posts')
        .values({ ...base, slug: 'fk', author_id: 424242 })
        .execute(),
    ).rejects.toThrow();
    await expect(
      t.database.db
        .insertInto('posts')
        .values({ ...base, slug: 'bogus', author_id: authorId, status: 'bogus' as 'draft' })
        .execute(),
    ).rejects.toThrow();
  });

  it('stores and compares times as UTC ISO strings', async () => {
    const row = await t.database.db
      .selectFrom('posts')
      .select('published_at')
      .where('slug', '=', 'bread-at-home')
      .executeTakeFirstOrThrow();
    expect(row.published_at).toBe('2026-05-01T08:00:00.000Z');
    const earlier = await t.database.db
      .selectFrom('posts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('published_at', '<', '2026-04-03T00:00:00.000Z')
      .executeTakeFirstOrThrow();
    expect(Number(earlier.n)).toBe(2);
  });

  it('changes the case of every language’s letters in lower() and upper(), not only ASCII', async () => {
    const row = await sql<{
      low: string;
      up: string;
      none: string | null;
    }>`select lower(${'Ζωή ÉMILE Ödön ДОМ Ab'}) as low, upper(${'émile ζωή'}) as up, lower(null) as none`.execute(
      t.database.db,
    );
    expect(row.rows[0]).toEqual({ low: 'ζωή émile ödön дом ab', up: 'ÉMILE ΖΩΉ', none: null });
    // So the admin's searches find a title whatever the case of its letters.
    await s.posts.create({ title: 'Ζωή στον κήπο', body: 'x', status: 'draft', authorId });
    const found = await s.editorial.list(
      { id: authorId, email: 'ida@example.org', role: 'author' },
      { type: 'post', page: 1, search: 'ζωή' },
    );
    expect(found.items.map((p) => p.title)).toEqual(['Ζωή στον κήπο']);
  });

  it('rolls a failed transaction back completely', async () => {
    await expect(
      t.database.db.transaction().execute(async (tx) => {
        await tx.insertInto('tags').values({ slug: 'rolled-back', name: 'Rolled back' }).execute();
        await sql`select * from no_such_table`.execute(tx);
      }),
    ).rejects.toThrow();
    expect(
      await t.database.db.selectFrom('tags').select('id').where('slug', '=', 'rolled-back').executeTakeFirst(),
    ).toBeUndefined();
  });

  it('never shows a page what a transaction still open has written, nor what it rolled back', async () => {
    const post = await s.posts.create({
      title: 'Steady title',
      body: 'Text.',
      status: 'published',
      publishedAt: '2026-05-01T09:00:00.000Z',
      authorId,
    });
    const changing = t.database.db.transaction().execute(async (tx) => {
      await tx.updateTable('posts').set({ title: 'Half-written title' }).where('id', '=', post.id).execute();
      // A reader comes while the change is open (on SQLite it waits for the transaction).
      const reading = s.posts.publishedBySlug(post.slug);
      await new Promise((resolve) => setTimeout(resolve, 30));
      throw Object.assign(new Error('changed my mind'), { reading });
    });
    const error = (await changing.catch((e: unknown) => e)) as Error & { reading: Promise<{ title: string }> };
    expect(error.message).toBe('changed my mind');
    expect((await error.reading).title).toBe('Steady title');
    expect((await s.posts.publishedBySlug(post.slug))?.title).toBe('Steady title');
  });

  describe('accounts', () => {
    const ctx = { ip: '192.0.2.50', userAgent: 'contract' };
    const password = 'correct horse battery';

    it('counts failed sign-ins made at the same moment, every one of them', async () => {
      await s.users.create({ name: 'Race', email: 'race@example.org', password, role: 'author' });
      const tries = Array.from({ length: 8 }, () =>
        s.accounts.signIn.signIn({ email: 'race@example.org', password: 'wrong password!' }, ctx),
      );
      const results = await Promise.allSettled(tries);
      expect(results.every((r) => r.status === 'rejected')).toBe(true);
      const row = await t.database.db
        .selectFrom('login_attempts')
        .selectAll()
        .where('key', '=', 'account:race@example.org')
        .executeTakeFirstOrThrow();
      // Each try is counted before its password is checked: the first four are checked, the
      // fifth locks the account and is checked too, and every later one is refused, whether
      // it came before or after that lock (counted) or found the lock already set (not counted).
      const checked = results.filter(
        (r) => r.status === 'rejected' && (r.reason as HearthError).code === 'HEARTH_ERR_SIGN_IN_FAILED',
      ).length;
      expect(checked).toBe(5);
      expect(row.failures).toBeGreaterThanOrEqual(5);
      expect(row.failures).toBeLessThanOrEqual(8);
      expect(row.first_failure_at).toBe(clock.toISOString());
      // The lock grows with every counted failure, whatever order their statements ran in.
      expect(row.locked_until).toBe(new Date(clock.getTime() + 30_000 * 2 ** (row.failures - 5)).toISOString());
    });

    it('lets one of two people racing with the same invitation have it', async () => {
      const owner = await s.users.create({ name: 'Own', email: 'own@example.org', password, role: 'owner' });
      const started = await s.accounts.signIn.signIn({ email: 'own@example.org', password }, ctx);
      const me = (await s.accounts.signIn.session(started.token))?.user;
      expect(me?.id).toBe(owner.id);
      await s.accounts.team.invite({ email: 'twice@example.org', role: 'editor' }, me as SignedInUser, ctx);
      const [file] = fs.readdirSync(path.join(t.dataDir, 'outbox'));
      const mail = await simpleParser(fs.readFileSync(path.join(t.dataDir, 'outbox', file as string)));
      const token = /\/admin\/invite\/([\w-]+)/.exec(mail.text ?? '')?.[1] as string;
      const results = await Promise.allSettled([
        s.accounts.team.acceptInvite(token, { name: 'First', password }, ctx),
        s.accounts.team.acceptInvite(token, { name: 'Second', password }, ctx),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect((failed.reason as HearthError).code).toBe('HEARTH_ERR_LINK_USED');
      const users = await t.database.db
        .selectFrom('users')
        .selectAll()
        .where('email', '=', 'twice@example.org')
        .execute();
      expect(users).toHaveLength(1);
      expect(users[0]?.role).toBe('editor');
    });

    it('keeps the audit log in order, with times as UTC ISO strings', async () => {
      await s.audit.record({ action: 'post_published', actor: { id: 1, email: 'a@example.org' }, subject: 'post:1' });
      const [latest] = await s.audit.recent(1);
      expect(latest).toMatchObject({
        action: 'post_published',
        at: clock.toISOString(),
        subject: 'post:1',
        details: {},
      });
    });
  });
});
