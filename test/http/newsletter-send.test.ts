import fs from 'node:fs';
import path from 'node:path';
import type { ParsedMail } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { NewsletterService } from '../../src/domain/newsletters/index.js';
import type { App } from '../../src/main.js';
import { createTestApp } from '../helpers/app.js';
import { noisyPhoto } from '../helpers/photos.js';
import { startSmtpServer } from '../helpers/smtp.js';

type TestApp = App & { dataDir: string };
const open: { close(): Promise<void> }[] = [];

afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function appWith(overrides: Partial<Config>, now?: () => Date): Promise<TestApp> {
  const app = await createTestApp(overrides, now ? { now } : {});
  open.push(app);
  return app;
}

async function smtp(options: Parameters<typeof startSmtpServer>[0] = {}) {
  const server = await startSmtpServer(options);
  open.push(server);
  return server;
}

/** Active readers reader-1@… to reader-n@…, every post unless `frequency` says the digest. */
async function seedReaders(app: TestApp, n: number, from = 1, frequency: 'every' | 'digest' = 'every') {
  const now = new Date().toISOString();
  const rows = Array.from({ length: n }, (_, i) => ({
    email: `reader-${from + i}@example.test`,
    token: `token-${from + i}-${frequency}`,
    status: 'active' as const,
    frequency,
    consent_at: now,
    created_at: now,
    updated_at: now,
  }));
  for (let i = 0; i < rows.length; i += 200) {
    await app.database.db
      .insertInto('subscribers')
      .values(rows.slice(i, i + 200))
      .execute();
  }
}

async function publishedPost(app: TestApp) {
  return app.database.db
    .selectFrom('posts')
    .select(['id', 'title', 'slug', 'category_id'])
    .where('type', '=', 'post')
    .where('status', '=', 'published')
    .where('category_id', 'is not', null)
    .orderBy('id')
    .executeTakeFirstOrThrow();
}

/** A header's value as it was sent. */
function header(mail: ParsedMail, name: string): string {
  const line = mail.headerLines.find((h) => h.key === name)?.line ?? '';
  return line.slice(line.indexOf(':') + 1).trim();
}

function recipients(mails: ParsedMail[]): string[] {
  return mails.map((m) => (Array.isArray(m.to) ? m.to[0] : m.to)?.value[0]?.address ?? '');
}

describe('newsletters over SMTP', () => {
  it('sends a post to every reader once, with one-click unsubscribe and both parts', async () => {
    const server = await smtp();
    const app = await appWith({ smtpUrl: server.url, newsletterRate: 100_000 });
    await seedReaders(app, 25);
    const post = await publishedPost(app);
    const scheduled = await app.services.newsletters.schedule({ postId: post.id, content: 'full' });
    expect(scheduled.state).toBe('scheduled');
    await app.services.newsletters.idle();
    const sent = await app.services.newsletters.get(scheduled.id);
    expect(sent).toMatchObject({ state: 'done', total: 25, sent: 25, failed: 0, subject: post.title });
    expect(server.received).toHaveLength(25);
    const to = recipients(server.received);
    expect(new Set(to).size).toBe(25);
    const first = server.received.find((m) => recipients([m])[0] === 'reader-3@example.test') as ParsedMail;
    expect(header(first, 'list-unsubscribe')).toContain('http://blog.test/subscription/token-3-every/unsubscribe');
    expect(header(first, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(header(first, 'precedence')).toBe('bulk');
    expect(first.messageId).toMatch(new RegExp(`^<newsletter-${scheduled.id}-\\d+@blog\\.test>$`));
    expect(first.html).toContain('http://blog.test/subscription/token-3-every/unsubscribe');
    expect(first.text).toContain('http://blog.test/subscription/token-3-every');
    expect(first.text).not.toContain('%%HEARTH');
    // Once sending started, it is not scheduled again.
    await expect(app.services.newsletters.schedule({ postId: post.id })).rejects.toMatchObject({
      code: 'HEARTH_ERR_NEWSLETTER_STARTED',
    });
  });

  it('is sent once when two instances find it due together', async () => {
    const server = await smtp();
    const app = await appWith({ smtpUrl: server.url, newsletterRate: 100_000 });
    await seedReaders(app, 30);
    const other = new NewsletterService({
      db: app.database.db,
      settings: app.services.settings,
      publicUrl: app.config.publicUrl,
      from: app.config.mailFrom,
      smtpUrl: server.url,
      mailer: app.services.mailer,
      posts: app.services.posts,
      ratePerMinute: 100_000,
    });
    open.push(other);
    // Written straight in, so that neither has been told: both look at once.
    const post = await publishedPost(app);
    await app.database.db
      .insertInto('newsletters')
      .values({
        kind: 'post',
        key: `post:${post.id}`,
        post_id: post.id,
        send_at: new Date().toISOString(),
        created_at: new Date().toISOString(),
      })
      .execute();
    await Promise.all([other.runDue(), app.services.newsletters.runDue(), other.runDue()]);
    await app.services.newsletters.idle();
    expect(server.received).toHaveLength(30);
    expect(new Set(recipients(server.received)).size).toBe(30);
  });

  it('takes over a send whose process stopped, sending the rest and the one cut short once', async () => {
    const server = await smtp();
    const app = await appWith({ smtpUrl: server.url, newsletterRate: 100_000, jobStaleMs: 60_000 });
    await seedReaders(app, 6);
    const post = await publishedPost(app);
    const n = await app.services.newsletters.schedule({ postId: post.id, sendAt: '2099-01-01T00:00:00.000Z' });
    // As a process leaves it when it dies: started, two sent, one being sent, the rest waiting.
    const db = app.database.db;
    const readers = await db.selectFrom('subscribers').select(['id', 'email']).orderBy('id').execute();
    const old = new Date(Date.now() - 120_000).toISOString();
    await db
      .updateTable('newsletters')
      .set({
        state: 'sending',
        subject: post.title,
        html: '<p>Hello</p>',
        text: 'Hello',
        total: 6,
        sent: 2,
        started_at: old,
        heartbeat_at: old,
      })
      .where('id', '=', n.id)
      .execute();
    await db
      .insertInto('newsletter_recipients')
      .values(
        readers.map((r, i) => ({
          newsletter_id: n.id,
          subscriber_id: r.id,
          email: r.email,
          state: i < 2 ? ('sent' as const) : i === 2 ? ('sending' as const) : ('pending' as const),
          attempts: i <= 2 ? 1 : 0,
        })),
      )
      .execute();
    await app.services.newsletters.runDue();
    await app.services.newsletters.idle();
    expect(await app.services.newsletters.get(n.id)).toMatchObject({ state: 'done', sent: 6 });
    expect(recipients(server.received).sort()).toEqual(
      readers
        .slice(2)
        .map((r) => r.email)
        .sort(),
    );
    const cut = server.received.find((m) => recipients([m])[0] === readers[2]?.email);
    expect(cut?.messageId).toBe(`<newsletter-${n.id}-${readers[2]?.id}@blog.test>`);
  });

  it('sends to readers of the post’s category and to those who chose none', async () => {
    const server = await smtp();
    const app = await appWith({ smtpUrl: server.url, newsletterRate: 100_000 });
    await seedReaders(app, 4);
    const post = await publishedPost(app);
    const other = await app.database.db
      .selectFrom('categories')
      .select('id')
      .where('id', '!=', post.category_id as number)
      .executeTakeFirstOrThrow();
    const ids = await app.database.db.selectFrom('subscribers').select(['id', 'email']).orderBy('id').execute();
    // reader-1: the post's category; reader-2: another one only; 3 and 4: none (every category).
    await app.database.db
      .insertInto('subscriber_categories')
      .values([
        { subscriber_id: ids[0]?.id as number, category_id: post.category_id as number },
        { subscriber_id: ids[1]?.id as number, category_id: other.id },
      ])
      .execute();
    const n = await app.services.newsletters.schedule({ postId: post.id, content: 'excerpt' });
    await app.services.newsletters.idle();
    expect(recipients(server.received).sort()).toEqual([
      'reader-1@example.test',
      'reader-3@example.test',
      'reader-4@example.test',
    ]);
    expect(await app.services.newsletters.get(n.id)).toMatchObject({ total: 3, sent: 3 });
  });

  it('keeps to the rate limit', async () => {
    const server = await smtp();
    const app = await appWith({ smtpUrl: server.url, newsletterRate: 240 });
    await seedReaders(app, 5);
    const started = Date.now();
    await app.services.newsletters.schedule({ postId: (await publishedPost(app)).id });
    await app.services.newsletters.idle();
    const elapsed = Date.now() - started;
    expect(server.received).toHaveLength(5);
    // 240 a minute: one every 250 ms, so five take at least a second.
    expect(elapsed).toBeGreaterThanOrEqual(4 * 250 - 20);
  });

  it('pauses when the server fails for a while, and resumes with no duplicate and no miss', async () => {
    let failing = false;
    const server = await smtp({
      refuse: (_mail, n) => {
        if (n === 8) failing = true;
        return failing ? { code: 421, message: '4.3.2 Try again later' } : undefined;
      },
    });
    const app = await appWith({ smtpUrl: server.url, newsletterRate: 100_000 });
    await seedReaders(app, 20);
    const n = await app.services.newsletters.schedule({ postId: (await publishedPost(app)).id });
    for (let i = 0; i < 200; i++) {
      const now = await app.services.newsletters.get(n.id);
      if (now?.state === 'paused') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const paused = await app.services.newsletters.get(n.id);
    expect(paused).toMatchObject({ state: 'paused', sent: 7, retrying: true });
    expect(paused?.error).toContain('421');
    failing = false;
    await app.services.newsletters.resume(n.id);
    await app.services.newsletters.idle();
    expect(await app.services.newsletters.get(n.id)).toMatchObject({ state: 'done', sent: 20, failed: 0 });
    const to = recipients(server.received);
    expect(to).toHaveLength(20);
    expect(new Set(to).size).toBe(20);
  });

  it('pauses and resumes by hand, and a cancelled send sends nothing more', async () => {
    const server = await smtp();
    // 600 a minute: one every 100 ms.
    const app = await appWith({ smtpUrl: server.url, newsletterRate: 600 });
    await seedReaders(app, 12);
    const posts = await app.database.db
      .selectFrom('posts')
      .select('id')
      .where('type', '=', 'post')
      .where('status', '=', 'published')
      .orderBy('id')
      .limit(2)
      .execute();
    const letters = app.services.newsletters;
    const until = async (check: () => Promise<boolean>) => {
      for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 20));
    };
    const first = await letters.schedule({ postId: posts[0]?.id as number });
    await until(async () => ((await letters.get(first.id))?.sent ?? 0) >= 3);
    const paused = await letters.pause(first.id);
    expect(paused).toMatchObject({ state: 'paused', retrying: false });
    await new Promise((r) => setTimeout(r, 300));
    const held = (await letters.get(first.id))?.sent ?? 0;
    expect(held).toBeLessThan(12);
    await new Promise((r) => setTimeout(r, 300));
    expect((await letters.get(first.id))?.sent).toBe(held);
    // A reader who unsubscribes meanwhile does not get it.
    await app.database.db
      .updateTable('subscribers')
      .set({ status: 'unsubscribed' })
      .where('email', '=', 'reader-12@example.test')
      .execute();
    await letters.resume(first.id);
    await letters.idle();
    expect(await letters.get(first.id)).toMatchObject({ state: 'done', sent: 11, total: 12, failed: 0 });
    expect(new Set(recipients(server.received)).size).toBe(11);
    expect(recipients(server.received)).not.toContain('reader-12@example.test');
    expect(server.received).toHaveLength(11);
    await app.database.db.updateTable('subscribers').set({ status: 'active' }).execute();

    const second = await letters.schedule({ postId: posts[1]?.id as number });
    await until(async () => ((await letters.get(second.id))?.sent ?? 0) >= 2);
    await letters.cancel(second.id);
    await letters.idle();
    const states = await app.database.db
      .selectFrom('newsletter_recipients')
      .select(['state'])
      .where('newsletter_id', '=', second.id)
      .execute();
    const sent = states.filter((r) => r.state === 'sent').length;
    expect(sent).toBeLessThan(12);
    expect(states.filter((r) => r.state === 'skipped')).toHaveLength(12 - sent);
    expect(server.received).toHaveLength(11 + sent);
    await expect(letters.resume(second.id)).rejects.toMatchObject({ code: 'HEARTH_ERR_NEWSLETTER_STATE' });
  });

  it('marks a refused address failed and counts a bounce; the third makes it bounced', async () => {
    const server = await smtp({ unknownRecipients: ['reader-2@example.test'] });
    const app = await appWith({ smtpUrl: server.url, newsletterRate: 100_000 });
    await seedReaders(app, 3);
    await app.database.db
      .updateTable('subscribers')
      .set({ bounces: 2 })
      .where('email', '=', 'reader-2@example.test')
      .execute();
    const n = await app.services.newsletters.schedule({ postId: (await publishedPost(app)).id });
    await app.services.newsletters.idle();
    expect(await app.services.newsletters.get(n.id)).toMatchObject({ state: 'done', sent: 2, failed: 1 });
    const reader = await app.database.db
      .selectFrom('subscribers')
      .select(['bounces', 'status'])
      .where('email', '=', 'reader-2@example.test')
      .executeTakeFirstOrThrow();
    expect(reader).toEqual({ bounces: 3, status: 'bounced' });
    const row = await app.database.db
      .selectFrom('newsletter_recipients')
      .select(['state', 'error'])
      .where('email', '=', 'reader-2@example.test')
      .executeTakeFirstOrThrow();
    expect(row.state).toBe('failed');
    expect(row.error).toContain('550');
  });

  it('waits for the post to be published, and cancels when it is trashed', async () => {
    const server = await smtp();
    const app = await appWith({ smtpUrl: server.url, newsletterRate: 100_000 });
    await seedReaders(app, 2);
    const post = await publishedPost(app);
    await app.database.db.updateTable('posts').set({ status: 'scheduled' }).where('id', '=', post.id).execute();
    const n = await app.services.newsletters.schedule({ postId: post.id });
    await app.services.newsletters.runDue();
    expect((await app.services.newsletters.get(n.id))?.state).toBe('scheduled');
    await app.database.db
      .updateTable('posts')
      .set({ status: 'draft', trashed_at: new Date().toISOString() })
      .where('id', '=', post.id)
      .execute();
    await app.services.newsletters.runDue();
    expect(await app.services.newsletters.get(n.id)).toMatchObject({
      state: 'cancelled',
      error: 'The post is in the trash.',
    });
    expect(server.received).toHaveLength(0);
    // A page is never sent.
    const page = await app.database.db
      .selectFrom('posts')
      .select('id')
      .where('type', '=', 'page')
      .executeTakeFirstOrThrow();
    await expect(app.services.newsletters.schedule({ postId: page.id })).rejects.toMatchObject({
      code: 'HEARTH_ERR_NEWSLETTER_PAGE',
    });
  });

  it('writes to the outbox when no SMTP server is set', async () => {
    const app = await appWith({ smtpUrl: undefined, newsletterRate: 100_000 });
    await seedReaders(app, 2);
    const n = await app.services.newsletters.schedule({ postId: (await publishedPost(app)).id });
    await app.services.newsletters.idle();
    expect(await app.services.newsletters.get(n.id)).toMatchObject({ state: 'done', sent: 2 });
    const outbox = path.join(app.dataDir, 'outbox');
    const files = fs.readdirSync(outbox).map((f) => fs.readFileSync(path.join(outbox, f), 'utf8'));
    expect(files).toHaveLength(2);
    for (const eml of files) {
      expect(eml).toMatch(/^List-Unsubscribe: <http:\/\/blog\.test\/subscription\/token-\d-every\/unsubscribe>$/m);
      expect(eml).toContain('multipart/alternative');
    }
  });

  it('sends the weekly digest once, to digest readers, of the posts published since', async () => {
    const server = await smtp();
    // A Monday, 08:30 UTC: the digest of 08:00 is due.
    const clock = { now: new Date('2031-03-10T08:30:00.000Z') };
    const app = await appWith({ smtpUrl: server.url, newsletterRate: 100_000 }, () => clock.now);
    await seedReaders(app, 3, 1, 'digest');
    await seedReaders(app, 2, 10, 'every');
    // Nothing published in the week before: no digest.
    expect(await app.services.newsletters.ensureDigest()).toBeUndefined();
    const posts = await app.database.db
      .selectFrom('posts')
      .select(['id', 'title'])
      .where('type', '=', 'post')
      .where('status', '=', 'published')
      .orderBy('id')
      .limit(2)
      .execute();
    for (const [i, p] of posts.entries()) {
      await app.database.db
        .updateTable('posts')
        .set({ published_at: `2031-03-0${7 + i}T10:00:00.000Z` })
        .where('id', '=', p.id)
        .execute();
    }
    const digest = await app.services.newsletters.ensureDigest();
    expect(digest).toMatchObject({ kind: 'digest', key: 'digest:2031-03-10' });
    // Asked again (another instance): the same one.
    await app.services.newsletters.ensureDigest();
    await app.services.newsletters.runDue();
    await app.services.newsletters.idle();
    const all = await app.services.newsletters.list();
    expect(all.filter((n) => n.kind === 'digest')).toHaveLength(1);
    expect(recipients(server.received).sort()).toEqual([
      'reader-1@example.test',
      'reader-2@example.test',
      'reader-3@example.test',
    ]);
    const text = server.received[0]?.text ?? '';
    for (const p of posts) expect(text).toContain(p.title);
  });
});

/** Another instance's sender on the same database (a second process of a cluster). */
function serviceOn(
  app: TestApp,
  smtpUrl: string,
  extra: Partial<ConstructorParameters<typeof NewsletterService>[0]> = {},
): NewsletterService {
  const service = new NewsletterService({
    db: app.database.db,
    settings: app.services.settings,
    publicUrl: app.config.publicUrl,
    from: app.config.mailFrom,
    smtpUrl,
    mailer: app.services.mailer,
    posts: app.services.posts,
    ratePerMinute: 100_000,
    ...extra,
  });
  open.push(service);
  return service;
}

/**
 * A post's send written straight in, due now, that no instance was told about. The app's
 * own sender is stopped first, so that only the test's instances send.
 */
async function dueSend(app: TestApp, postId: number): Promise<number> {
  await app.services.newsletters.close();
  const row = await app.database.db
    .insertInto('newsletters')
    .values({
      kind: 'post',
      key: `post:${postId}`,
      post_id: postId,
      send_at: new Date(Date.now() - 1000).toISOString(),
      created_at: new Date().toISOString(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function recipientRow(app: TestApp, email: string) {
  return app.database.db
    .selectFrom('newsletter_recipients')
    .select(['state', 'attempts', 'error'])
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
}

async function bouncesOf(app: TestApp, email: string) {
  return app.database.db
    .selectFrom('subscribers')
    .select(['bounces', 'status'])
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
}

describe('newsletter failures, owners and limits', () => {
  it('pauses on a failure that is not the reader’s (554 to the message): no reader failed or bounced', async () => {
    const server = await smtp({
      refuse: (_mail, n) => (n >= 3 ? { code: 554, message: '5.7.1 Sender address not verified' } : undefined),
    });
    const app = await appWith({ smtpUrl: server.url, newsletterRate: 100_000 });
    await seedReaders(app, 5);
    const n = await app.services.newsletters.schedule({ postId: (await publishedPost(app)).id });
    await app.services.newsletters.idle();
    const paused = await app.services.newsletters.get(n.id);
    // Held for a person (a wrong password or sender does not mend itself), with the server's words.
    expect(paused).toMatchObject({ state: 'paused', retrying: false, sent: 2, failed: 0, pending: 3 });
    expect(paused?.error).toContain('554 5.7.1 Sender address not verified');
    expect(await recipientRow(app, 'reader-3@example.test')).toMatchObject({ state: 'pending' });
    expect(await bouncesOf(app, 'reader-3@example.test')).toEqual({ bounces: 0, status: 'active' });
    // The send's page shows why.
    const page = await app.services.newsletters.list();
    expect(page.find((l) => l.id === n.id)?.error).toContain('Sender address not verified');
  });

  it('stops after 20 readers refused in a row (a safety stop), keeping the 20th waiting', async () => {
    const unknown = Array.from({ length: 22 }, (_, i) => `reader-${i + 1}@example.test`);
    const server = await smtp({ unknownRecipients: unknown });
    const app = await appWith({ smtpUrl: server.url, newsletterRate: 100_000 });
    await seedReaders(app, 25);
    const n = await app.services.newsletters.schedule({ postId: (await publishedPost(app)).id });
    await app.services.newsletters.idle();
    const paused = await app.services.newsletters.get(n.id);
    expect(paused).toMatchObject({ state: 'paused', retrying: false, failed: 19, sent: 0, pending: 6 });
    expect(paused?.error).toContain('20 readers in a row were refused');
    expect(await recipientRow(app, 'reader-20@example.test')).toMatchObject({ state: 'pending' });
    expect(await bouncesOf(app, 'reader-20@example.test')).toMatchObject({ bounces: 0 });
    expect(await bouncesOf(app, 'reader-19@example.test')).toMatchObject({ bounces: 1 });
  });

  it('marks a reader refused for now (450) five times failed, with no bounce, and sends the rest', async () => {
    const server = await smtp({ deferredRecipients: ['reader-2@example.test'] });
    const app = await appWith({ smtpUrl: server.url, newsletterRate: 100_000 });
    await seedReaders(app, 4);
    const post = await publishedPost(app);
    const id = await dueSend(app, post.id);
    const sender = serviceOn(app, server.url, { retryAfterMs: 1 });
    for (let i = 0; i < 50; i++) {
      await sender.runDue();
      if ((await sender.get(id))?.state === 'done') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await sender.get(id)).toMatchObject({ state: 'done', sent: 3, failed: 1 });
    const row = await recipientRow(app, 'reader-2@example.test');
    expect(row).toMatchObject({ state: 'failed', attempts: 5 });
    expect(row.error).toContain('450');
    expect(await bouncesOf(app, 'reader-2@example.test')).toEqual({ bounces: 0, status: 'active' });
    expect(recipients(server.received).sort()).toEqual([
      'reader-1@example.test',
      'reader-3@example.test',
      'reader-4@example.test',
    ]);
  });

  it('a slow instance that lost its send to another stops: no reader gets it twice', async () => {
    const server = await smtp();
    const app = await appWith({ smtpUrl: server.url, newsletterRate: 100_000 });
    await seedReaders(app, 16);
    const post = await publishedPost(app);
    const id = await dueSend(app, post.id);
    // The first: one message a second, and a clock stopped at the start (its heartbeat looks old).
    const frozen = new Date();
    const first = serviceOn(app, server.url, { ratePerMinute: 60, now: () => frozen });
    // The second sees a heartbeat older than 200 ms as a process that stopped; it sends one
    // message every 100 ms, so it is still sending when the first wakes.
    const second = serviceOn(app, server.url, { staleAfterMs: 200, ratePerMinute: 600 });
    const firstRun = first.runDue();
    await until(() => server.received.length >= 1);
    await new Promise((r) => setTimeout(r, 300));
    await second.runDue();
    // The first woke for its next message meanwhile, found the send no longer its own, and stopped.
    await firstRun;
    expect(await second.get(id)).toMatchObject({ state: 'done', sent: 16 });
    await new Promise((r) => setTimeout(r, 1200));
    const to = recipients(server.received);
    expect(to).toHaveLength(16);
    expect(new Set(to).size).toBe(16);
  });

  it('a send paused and resumed while its sender waits is taken by one instance: no reader twice', async () => {
    const server = await smtp();
    const app = await appWith({ smtpUrl: server.url, newsletterRate: 100_000 });
    await seedReaders(app, 4);
    const id = await dueSend(app, (await publishedPost(app)).id);
    const first = serviceOn(app, server.url, { ratePerMinute: 60 });
    const second = serviceOn(app, server.url);
    const firstRun = first.runDue();
    await until(() => server.received.length >= 1);
    await first.pause(id);
    await first.resume(id);
    // Not taken while the first still holds it: it lets go when it wakes, then one of them takes it.
    await second.runDue();
    expect((await second.get(id))?.state).toBe('paused');
    await firstRun;
    for (let i = 0; i < 100 && (await second.get(id))?.state !== 'done'; i++) {
      await second.runDue();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await second.get(id)).toMatchObject({ state: 'done', sent: 4 });
    const to = recipients(server.received);
    expect(to).toHaveLength(4);
    expect(new Set(to).size).toBe(4);
  });

  it('sends one newsletter at a time across instances', async () => {
    const server = await smtp();
    const app = await appWith({ smtpUrl: server.url, newsletterRate: 100_000 });
    await seedReaders(app, 3);
    const posts = await app.database.db
      .selectFrom('posts')
      .select('id')
      .where('type', '=', 'post')
      .where('status', '=', 'published')
      .orderBy('id')
      .limit(2)
      .execute();
    const a = await dueSend(app, posts[0]?.id as number);
    const b = await dueSend(app, posts[1]?.id as number);
    // 120 a minute: one every 500 ms, so the first send lasts a second.
    const first = serviceOn(app, server.url, { ratePerMinute: 120 });
    const second = serviceOn(app, server.url);
    const firstRun = first.runDue();
    await until(async () => (await first.get(a))?.state === 'sending');
    await second.runDue();
    // The second instance did not start the other send beside it.
    expect((await second.get(b))?.state).toBe('scheduled');
    await firstRun;
    expect(await first.get(a)).toMatchObject({ state: 'done', sent: 3 });
    expect(await first.get(b)).toMatchObject({ state: 'done', sent: 3 });
  });

  it('cancels a send whose post is trashed while it is sending', async () => {
    const server = await smtp();
    const app = await appWith({ smtpUrl: server.url, newsletterRate: 600 });
    await seedReaders(app, 10);
    const post = await publishedPost(app);
    const n = await app.services.newsletters.schedule({ postId: post.id });
    await until(async () => ((await app.services.newsletters.get(n.id))?.sent ?? 0) >= 2);
    await app.database.db
      .updateTable('posts')
      .set({ trashed_at: new Date().toISOString() })
      .where('id', '=', post.id)
      .execute();
    await app.services.newsletters.idle();
    const cancelled = await app.services.newsletters.get(n.id);
    expect(cancelled).toMatchObject({ state: 'cancelled', error: 'The post is in the trash.' });
    expect(cancelled?.sent).toBeLessThan(10);
    expect(server.received).toHaveLength(cancelled?.sent as number);
    const states = await app.database.db
      .selectFrom('newsletter_recipients')
      .select('state')
      .where('newsletter_id', '=', n.id)
      .where('state', '!=', 'sent')
      .execute();
    expect(states.every((r) => r.state === 'skipped')).toBe(true);
  });

  it('cancels a paused send when it is resumed and its post was unpublished meanwhile', async () => {
    const server = await smtp();
    const app = await appWith({ smtpUrl: server.url, newsletterRate: 600 });
    await seedReaders(app, 10);
    const post = await publishedPost(app);
    const letters = app.services.newsletters;
    const n = await letters.schedule({ postId: post.id });
    await until(async () => ((await letters.get(n.id))?.sent ?? 0) >= 2);
    await letters.pause(n.id);
    await app.database.db.updateTable('posts').set({ status: 'draft' }).where('id', '=', post.id).execute();
    await letters.resume(n.id);
    await letters.idle();
    expect(await letters.get(n.id)).toMatchObject({ state: 'cancelled', error: 'The post was unpublished.' });
    expect(server.received.length).toBeLessThan(10);
  });

  it('checks for a pause before every message, the first of a batch too', async () => {
    const server = await smtp();
    const app = await appWith({ smtpUrl: server.url, newsletterRate: 100_000 });
    await seedReaders(app, 4);
    const id = await dueSend(app, (await publishedPost(app)).id);
    // One reader a batch, one message every 600 ms.
    const sender = serviceOn(app, server.url, { ratePerMinute: 100, batchSize: 1 });
    const run = sender.runDue();
    await until(() => server.received.length >= 1);
    await sender.pause(id);
    await run;
    await new Promise((r) => setTimeout(r, 700));
    expect(server.received).toHaveLength(1);
    expect(await sender.get(id)).toMatchObject({ state: 'paused', sent: 1, pending: 3 });
  });

  it('sends the message the preview shows: the feature image, the date in the site’s time zone', async () => {
    const server = await smtp();
    const app = await appWith({ smtpUrl: server.url, newsletterRate: 100_000 });
    await seedReaders(app, 1);
    const post = await publishedPost(app);
    const photo = await app.services.media.ingest({
      data: await noisyPhoto(1200, 800).jpeg().toBuffer(),
      name: 'orchard.jpg',
      alt: 'The orchard in bloom',
    });
    // 20:00 UTC on 7 March is the morning of 8 March in Auckland.
    await app.database.db
      .updateTable('posts')
      .set({ feature_image_id: photo.id, published_at: '2024-03-07T20:00:00.000Z' })
      .where('id', '=', post.id)
      .execute();
    await app.services.settings.update({ timezone: 'Pacific/Auckland', locale: 'en' });
    await app.services.newsletters.schedule({ postId: post.id });
    await app.services.newsletters.idle();
    const mail = await server.next();
    expect(mail.html).toMatch(
      /<img src="http:\/\/blog\.test\/media\/[^"]+\.jpg" alt="The orchard in bloom" width="600" height="400"/,
    );
    expect(mail.text).toContain('March 8, 2024');
    expect(mail.text).not.toContain('March 7, 2024');
  });
});
