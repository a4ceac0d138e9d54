import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { AdminClient } from '../helpers/admin-client.js';
import { createTestApp, postIdBySlug } from '../helpers/app.js';
import { linkIn, startSmtpServer } from '../helpers/smtp.js';

const PASSWORD = 'correct horse battery';
const SLUG = 'benefits-of-infant-massage';
const OTHER = 'autumn-lentil-soup';

let app: App;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let postId: number;
let otherPostId: number;
let ip = 0;

beforeAll(async () => {
  smtp = await startSmtpServer();
  app = await createTestApp({ smtpUrl: smtp.url, mailFrom: 'Hearth test <blog@example.org>' });
  postId = await postIdBySlug(app, SLUG);
  otherPostId = await postIdBySlug(app, OTHER);
  const people = [
    ['Olive Owner', 'olive@example.org', 'owner'],
    ['Ed Editor', 'ed@example.org', 'editor'],
    ['Ann Author', 'ann@example.org', 'author'],
    ['Cy Contributor', 'cy@example.org', 'contributor'],
  ] as const;
  for (const [name, email, role] of people) {
    await app.services.users.create({ name, email, password: PASSWORD, role });
  }
  const ann = await app.database.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', 'ann@example.org')
    .executeTakeFirstOrThrow();
  // Ann writes the post; the other post stays someone else's.
  await app.database.db.updateTable('posts').set({ author_id: ann.id }).where('id', '=', postId).execute();
  await app.services.settings.update({ commentModeration: 'hold-all' });
  await app.services.commentNotifier.settled();
  smtp.received.length = 0;
});
afterAll(async () => {
  await app?.close();
  await smtp?.close();
});

/** A reader's comment, held for moderation (hold-all, and no form token). */
async function held(fields: { body: string; email?: string; notify?: boolean; parent?: number }, on = postId) {
  const result = await app.services.comments.submit(
    {
      postId: on,
      name: 'Rita Reader',
      email: fields.email ?? '',
      body: fields.body,
      notifyReplies: fields.notify ?? false,
      ...(fields.parent ? { parentId: fields.parent } : {}),
    },
    { ip: `192.0.2.${++ip}`, userAgent: 'test' },
  );
  await app.services.commentNotifier.settled();
  return result.id;
}

const statusOf = async (id: number) =>
  (await app.database.db.selectFrom('comments').select('status').where('id', '=', id).executeTakeFirst())?.status;

async function signedIn(email: string) {
  const client = new AdminClient(app.server, { ip: `198.51.100.${++ip % 250}` });
  await client.signIn(email, PASSWORD);
  await client.get('/admin/comments');
  return client;
}

const publicPage = async (slug = SLUG) => (await app.server.inject(`/${slug}/`)).body;

describe('the moderation queue', () => {
  it('lists pending comments with their spam facts, and approve trains the filter and shows the comment', async () => {
    const id = await held({ body: 'A pending thought about massage.', email: 'rita@example.org' });
    const ed = await signedIn('ed@example.org');
    const queue = await ed.get('/admin/comments?status=pending');
    expect(queue.statusCode).toBe(200);
    expect(queue.body).toContain(`id="comment-${id}"`);
    expect(queue.body).toContain('<p>A pending thought about massage.</p>');
    expect(queue.body).toContain('Learning filter:');
    expect(queue.body).toMatch(/Pending <span class="tabs__count">\(\d+\)<\/span>/);
    // Editors are not administrators: no commenter emails.
    expect(queue.body).not.toContain('rita@example.org');
    expect(await publicPage()).not.toContain('A pending thought about massage.');

    const res = await ed.post(`/admin/comments/${id}/action`, { action: 'approve', tab: 'pending' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/comments?status=pending&done=approve');
    expect(await statusOf(id)).toBe('approved');
    const trained = await app.database.db
      .selectFrom('comments')
      .select('trained_as')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(trained.trained_as).toBe('ham');
    expect(await publicPage()).toContain('A pending thought about massage.');
  });

  it('shows emails to administrators; spam, trash and restore move a comment and drop it from the page', async () => {
    const id = await held({ body: 'Buy cheap watches now.', email: 'spam@example.org' });
    const olive = await signedIn('olive@example.org');
    expect((await olive.get('/admin/comments')).body).toContain('spam@example.org');
    await olive.post(`/admin/comments/${id}/action`, { action: 'approve' });
    expect(await publicPage()).toContain('Buy cheap watches now.');

    await olive.post(`/admin/comments/${id}/action`, { action: 'spam' });
    expect(await statusOf(id)).toBe('spam');
    expect(await publicPage()).not.toContain('Buy cheap watches now.');
    const row = await app.database.db
      .selectFrom('comments')
      .select('trained_as')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.trained_as).toBe('spam');
    expect((await olive.get('/admin/comments?status=spam')).body).toContain('Buy cheap watches now.');

    await olive.post(`/admin/comments/${id}/action`, { action: 'trash', tab: 'spam' });
    expect(await statusOf(id)).toBe('trash');
    await olive.post(`/admin/comments/${id}/action`, { action: 'restore', tab: 'trash' });
    expect(await statusOf(id)).toBe('pending');
  });

  it('applies a bulk action to every selected comment in one go, or to none', async () => {
    const a = await held({ body: 'Bulk one.' });
    const b = await held({ body: 'Bulk two.' });
    const ed = await signedIn('ed@example.org');
    const res = await ed.request({
      method: 'POST',
      url: '/admin/comments/bulk',
      payload: `_csrf=${encodeURIComponent(ed.csrf)}&action=trash&ids=${a}&ids=${b}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.statusCode).toBe(303);
    expect([await statusOf(a), await statusOf(b)]).toEqual(['trash', 'trash']);

    // One id unknown: nothing changes.
    const missing = await ed.request({
      method: 'POST',
      url: '/admin/comments/bulk',
      payload: `_csrf=${encodeURIComponent(ed.csrf)}&action=restore&ids=${a}&ids=999999`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(missing.statusCode).toBe(404);
    expect(await statusOf(a)).toBe('trash');
  });

  it('edits text through the safe renderer and refuses over-long text naming the field', async () => {
    const id = await held({ body: 'Typo here.' });
    const ed = await signedIn('ed@example.org');
    const ok = await ed.post(`/admin/comments/${id}/edit`, { body: 'Fixed <script>alert(1)</script> *here*.' });
    expect(ok.statusCode).toBe(303);
    const row = await app.database.db
      .selectFrom('comments')
      .select(['body', 'body_html'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.body_html).toBe('<p>Fixed &lt;script&gt;alert(1)&lt;/script&gt; <em>here</em>.</p>\n');

    const long = await ed.post(`/admin/comments/${id}/edit`, { body: 'x'.repeat(10_001) });
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain(`id="comment-${id}-edit-body-error">A comment can be at most 10,000 characters`);
    const after = await app.database.db
      .selectFrom('comments')
      .select('body')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(after.body).toBe(row.body);
  });

  it('replies as the signed-in staff user: approved at once, with the Author badge on the public page', async () => {
    const id = await held({ body: 'Does this work for twins?' });
    const ed = await signedIn('ed@example.org');
    const res = await ed.post(`/admin/comments/${id}/reply`, { body: 'It does, one at a time.' });
    expect(res.statusCode).toBe(303);
    expect(await statusOf(id)).toBe('approved');
    const page = await publicPage();
    expect(page).toContain('Does this work for twins?');
    expect(page).toMatch(/Ed Editor <span class="comment__badge">Author<\/span>/);
    expect(page).toContain('It does, one at a time.');
  });

  it('lets an author moderate comments on their own posts only; contributors not at all', async () => {
    const mine = await held({ body: 'On Ann’s post.' });
    const theirs = await held({ body: 'On another post.' }, otherPostId);
    const ann = await signedIn('ann@example.org');
    const queue = await ann.get('/admin/comments');
    expect(queue.statusCode).toBe(200);
    expect(queue.body).toContain('On Ann’s post.');
    expect(queue.body).not.toContain('On another post.');
    expect((await ann.post(`/admin/comments/${mine}/action`, { action: 'approve' })).statusCode).toBe(303);
    const refused = await ann.post(`/admin/comments/${theirs}/action`, { action: 'approve' });
    expect(refused.statusCode).toBe(403);
    expect((await ann.post(`/admin/comments/${theirs}/edit`, { body: 'Mine now' })).statusCode).toBe(403);
    expect(await statusOf(theirs)).toBe('pending');

    const cy = await signedIn('cy@example.org');
    expect((await cy.get('/admin/comments')).statusCode).toBe(403);
    expect((await cy.post(`/admin/comments/${mine}/action`, { action: 'trash' })).statusCode).toBe(403);
  });

  it('refuses a missing CSRF token, and answers 404 for an unknown comment', async () => {
    const id = await held({ body: 'CSRF target.' });
    const ed = await signedIn('ed@example.org');
    const noToken = await ed.post(`/admin/comments/${id}/action`, { action: 'approve', _csrf: null });
    expect(noToken.statusCode).toBe(403);
    expect(await statusOf(id)).toBe('pending');
    expect((await ed.post('/admin/comments/987654/action', { action: 'approve' })).statusCode).toBe(404);
  });

  it('exposes the counts for the dashboard', async () => {
    const counts = await app.services.comments.counts();
    expect(counts.pending).toBeGreaterThan(0);
    expect(typeof counts.spam).toBe('number');
  });
});

describe('notifications over real SMTP', () => {
  it('emails the post’s author and the moderators, each once, when a comment waits', async () => {
    smtp.received.length = 0;
    await held({ body: 'Waiting for you.' });
    const to = smtp.received.map((m) => (m.to && 'text' in m.to ? m.to.text : '')).sort();
    expect(to).toEqual(['ann@example.org', 'ed@example.org', 'olive@example.org']);
    const annMail = smtp.received.find((m) => m.to && 'text' in m.to && m.to.text === 'ann@example.org');
    expect(annMail?.subject).toMatch(/^A comment is waiting on “.+”$/);
    expect(annMail?.text).toContain('Waiting for you.');
    expect(annMail?.text).toContain('http://blog.test/admin/comments?status=pending#comment-');
  });

  it('tells a commenter of an approved reply, with an unsubscribe link that works once and stops the mails', async () => {
    const ed = await signedIn('ed@example.org');
    const parent = await held({ body: 'Tell me more.', email: 'asker@example.org', notify: true });
    await ed.post(`/admin/comments/${parent}/action`, { action: 'approve' });
    smtp.received.length = 0;
    await ed.post(`/admin/comments/${parent}/reply`, { body: 'Here is more.' });
    await app.services.commentNotifier.settled();
    const mail = smtp.received.find((m) => m.to && 'text' in m.to && m.to.text === 'asker@example.org');
    expect(mail).toBeDefined();
    if (!mail) return;
    expect(mail.subject).toContain('Ed Editor replied to your comment');
    expect(mail.text).toContain('Here is more.');
    const link = linkIn(mail, 'http://blog.test/comments/unsubscribe/');
    const header = (key: string) => mail.headerLines.find((h) => h.key === key)?.line.replace(/\s+/g, ' ');
    expect(header('list-unsubscribe')).toBe(`List-Unsubscribe: <${link}>`);
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    const path = new URL(link).pathname;

    const confirm = await app.server.inject(path);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Stop reply emails');
    // A mail client's one-click POST.
    const done = await app.server.inject({
      method: 'POST',
      url: path,
      payload: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('you will get no more emails');
    expect((await app.server.inject({ method: 'POST', url: path })).statusCode).toBe(404);
    expect((await app.server.inject(path)).statusCode).toBe(404);

    smtp.received.length = 0;
    await ed.post(`/admin/comments/${parent}/reply`, { body: 'And one more thing.' });
    await app.services.commentNotifier.settled();
    expect(smtp.received.filter((m) => m.to && 'text' in m.to && m.to.text === 'asker@example.org')).toEqual([]);

    const forged = path.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await app.server.inject(forged)).statusCode).toBe(404);
    expect((await app.server.inject(`/comments/unsubscribe/${parent}-${'A'.repeat(32)}`)).statusCode).toBe(404);
  });

  it('keeps the comment when the mail server is down', async () => {
    const down = await createTestApp({ smtpUrl: 'smtp://127.0.0.1:1', demo: true });
    try {
      await down.services.settings.update({ commentModeration: 'hold-all' });
      const id = await postIdBySlug(down, SLUG);
      const res = await down.server.inject({
        method: 'POST',
        url: '/comments',
        payload: new URLSearchParams({ post_id: String(id), name: 'Rita', body: 'Still kept.' }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(res.statusCode).toBe(303);
      await down.services.commentNotifier.settled();
      const row = await down.database.db
        .selectFrom('comments')
        .select('status')
        .where('body', '=', 'Still kept.')
        .executeTakeFirst();
      expect(row?.status).toBe('pending');
    } finally {
      await down.close();
    }
  });
});

describe('commenters’ data in the admin', () => {
  it('exports and erases by email for administrators, writing both to the audit log', async () => {
    await held({ body: 'Forget me later.', email: 'gone@example.org' });
    const olive = await signedIn('olive@example.org');
    expect((await olive.get('/admin/comments/privacy')).statusCode).toBe(200);
    const exported = await olive.post('/admin/comments/privacy/export', { email: 'Gone@example.org' });
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-disposition']).toContain('attachment');
    expect(exported.json().comments).toHaveLength(1);
    await olive.get('/admin/comments/privacy');
    const erased = await olive.post('/admin/comments/privacy/erase', { email: 'gone@example.org' });
    expect(erased.statusCode).toBe(303);
    expect(erased.headers.location).toBe('/admin/comments/privacy?erased=1');
    const log = await app.services.audit.recent(5);
    expect(log.map((e) => [e.action, e.subject])).toEqual(
      expect.arrayContaining([
        ['commenter_erased', 'email:gone@example.org'],
        ['commenter_exported', 'email:gone@example.org'],
      ]),
    );
    const ed = await signedIn('ed@example.org');
    expect((await ed.get('/admin/comments/privacy')).statusCode).toBe(403);
    const bad = await olive.post('/admin/comments/privacy/export', { email: 'not an email' });
    expect(bad.statusCode).toBe(400);
  });
});
