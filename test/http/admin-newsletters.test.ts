import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { AdminClient, fieldError } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';
import { htmlErrors } from '../helpers/nu-checker.js';
import { startSmtpServer } from '../helpers/smtp.js';

/**
 * The writer's newsletter choice in the editor and the admin's newsletters pages (issue 20),
 * through HTTP, sending over a real SMTP server.
 */
const PASSWORD = 'correct horse battery';
let app: App & { dataDir: string };
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
const clients: Record<string, AdminClient> = {};

beforeAll(async () => {
  smtp = await startSmtpServer();
  app = await createTestApp({ smtpUrl: smtp.url, newsletterRate: 100_000 });
  let ip = 40;
  for (const role of ['editor', 'author', 'contributor'] as const) {
    await app.services.users.create({ name: `${role} person`, email: `${role}@example.org`, password: PASSWORD, role });
    const client = new AdminClient(app.server, { ip: `192.0.2.${ip++}` });
    expect((await client.signIn(`${role}@example.org`, PASSWORD)).statusCode).toBe(303);
    clients[role] = client;
  }
  const now = new Date().toISOString();
  await app.database.db
    .insertInto('subscribers')
    .values(
      [1, 2, 3].map((i) => ({
        email: `reader-${i}@example.test`,
        token: `admin-token-${i}`,
        status: 'active' as const,
        consent_at: now,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
});
afterAll(async () => {
  await app?.close();
  await smtp?.close();
});

const post = (values: Record<string, string>) => ({
  title: 'A letter',
  body: 'Some news.',
  status: 'draft',
  ...values,
});

async function newPost(client: AdminClient, values: Record<string, string>) {
  await client.get('/admin/posts/new');
  const res = await client.post('/admin/posts/new', post(values));
  return res;
}

describe('the editor’s newsletter choice', () => {
  it('is offered to those who may publish, on posts only', async () => {
    const author = (await (clients.author as AdminClient).get('/admin/posts/new')).body;
    expect(author).toContain('<legend>Newsletter</legend>');
    expect(author).toMatch(/id="newsletter-none" name="newsletter" value="none" checked/);
    expect((await (clients.author as AdminClient).get('/admin/posts/new?type=page')).body).not.toContain(
      '<legend>Newsletter</legend>',
    );
    expect((await (clients.contributor as AdminClient).get('/admin/posts/new')).body).not.toContain(
      '<legend>Newsletter</legend>',
    );
  });

  it('saves nothing when the time is not a time', async () => {
    const before = await app.database.db.selectFrom('posts').select('id').execute();
    const res = await newPost(clients.author as AdminClient, { newsletter: 'at', newsletterAt: 'soon' });
    expect(res.statusCode).toBe(400);
    expect(fieldError(res.body, 'post-newsletterAt')).toContain('not a valid date');
    expect(await app.database.db.selectFrom('posts').select('id').execute()).toHaveLength(before.length);
  });

  it('schedules on a draft, waits for publishing, sends, then shows the send’s state', async () => {
    const author = clients.author as AdminClient;
    const res = await newPost(author, { newsletter: 'publish', newsletterContent: 'excerpt' });
    expect(res.statusCode).toBe(303);
    const id = Number(/\/admin\/posts\/(\d+)/.exec(res.headers.location as string)?.[1]);
    const scheduled = await app.services.newsletters.forPost(id);
    expect(scheduled).toMatchObject({ state: 'scheduled', content: 'excerpt' });
    const page = (await author.get(`/admin/posts/${id}`)).body;
    expect(page).toMatch(/id="newsletter-publish" name="newsletter" value="publish" checked/);
    expect(page).toMatch(/id="newsletter-excerpt" name="newsletterContent" value="excerpt" checked/);
    await app.services.newsletters.runDue();
    expect(smtp.received).toHaveLength(0);
    // Published: sent to the three readers.
    const saved = await author.post(`/admin/posts/${id}`, {
      ...post({ status: 'published', newsletter: 'publish', newsletterContent: 'excerpt' }),
      updatedAt: (
        await app.database.db.selectFrom('posts').select('updated_at').where('id', '=', id).executeTakeFirstOrThrow()
      ).updated_at,
    });
    expect(saved.statusCode, saved.body).toBe(303);
    await app.services.newsletters.idle();
    expect(smtp.received).toHaveLength(3);
    expect((await author.get(`/admin/posts/${id}`)).body).toContain('Sent to 3 of 3');
  });

  it('cancels a scheduled send when the writer chooses not to send', async () => {
    const author = clients.author as AdminClient;
    const res = await newPost(author, { newsletter: 'at', newsletterAt: '2099-01-01T08:00' });
    const id = Number(/\/admin\/posts\/(\d+)/.exec(res.headers.location as string)?.[1]);
    expect((await app.services.newsletters.forPost(id))?.sendAt).toBe('2099-01-01T08:00:00.000Z');
    expect((await author.get(`/admin/posts/${id}`)).body).toMatch(
      /id="newsletter-at" name="newsletter" value="at" checked/,
    );
    const updatedAt = (
      await app.database.db.selectFrom('posts').select('updated_at').where('id', '=', id).executeTakeFirstOrThrow()
    ).updated_at;
    await author.post(`/admin/posts/${id}`, { ...post({ newsletter: 'none' }), updatedAt });
    expect((await app.services.newsletters.forPost(id))?.state).toBe('cancelled');
  });
});

describe('/admin/newsletters', () => {
  it('lists sends with their progress for editors, not for authors', async () => {
    const editor = clients.editor as AdminClient;
    const list = await editor.get('/admin/newsletters');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('A letter');
    expect(list.body).toContain('3 of 3');
    expect(list.body).toContain('href="/admin/newsletters"');
    expect((await (clients.author as AdminClient).get('/admin/newsletters')).statusCode).toBe(403);
  });

  it('keeps the rate and the digest’s day and hour, for those who run the site', async () => {
    const owner = new AdminClient(app.server, { ip: '192.0.2.60' });
    await app.services.users.create({
      name: 'Admin',
      email: 'admin@example.org',
      password: PASSWORD,
      role: 'administrator',
    });
    expect((await owner.signIn('admin@example.org', PASSWORD)).statusCode).toBe(303);
    expect((await owner.get('/admin/newsletters')).body).toContain('name="rate" type="text" value="600"');
    const bad = await owner.post('/admin/newsletters/settings', { rate: '0', weekday: '9', hour: '24' });
    expect(bad.statusCode).toBe(400);
    expect(fieldError(bad.body, 'newsletters-rate')).toContain('1 to 1000000');
    expect(fieldError(bad.body, 'newsletters-weekday')).toContain('day of the week');
    expect(fieldError(bad.body, 'newsletters-hour')).toContain('0 to 23');
    const ok = await owner.post('/admin/newsletters/settings', { rate: '1200', weekday: '5', hour: '17' });
    expect(ok.statusCode).toBe(303);
    expect(await app.services.settings.get()).toMatchObject({
      newsletterRatePerMinute: 1200,
      newsletterDigestWeekday: 5,
      newsletterDigestHour: 17,
    });
    // Editors see the sends, not the settings.
    expect((await (clients.editor as AdminClient).get('/admin/newsletters')).body).not.toContain('name="rate"');
    expect(
      (
        await (clients.editor as AdminClient).post('/admin/newsletters/settings', {
          rate: '5',
          weekday: '1',
          hour: '8',
        })
      ).statusCode,
    ).toBe(403);
  });

  it('shows a send, its status as JSON, and pauses, resumes and cancels it', async () => {
    const editor = clients.editor as AdminClient;
    const target = await app.database.db
      .selectFrom('posts')
      .select('id')
      .where('type', '=', 'post')
      .where('status', '=', 'scheduled')
      .executeTakeFirst();
    const postId =
      target?.id ??
      (
        await app.database.db
          .selectFrom('posts')
          .select('id')
          .where('type', '=', 'post')
          .where('status', '=', 'draft')
          .executeTakeFirstOrThrow()
      ).id;
    const n = await app.services.newsletters.schedule({ postId, sendAt: '2099-01-01T00:00:00.000Z' });
    const page = await editor.get(`/admin/newsletters/${n.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-status-url="/admin/newsletters/');
    const status = await editor.get(`/admin/newsletters/${n.id}/status.json`);
    expect(status.json()).toMatchObject({ id: n.id, state: 'scheduled', total: 0, canCancel: true });
    expect((await editor.post(`/admin/newsletters/${n.id}/resume`)).statusCode).toBe(409);
    const cancelled = await editor.post(`/admin/newsletters/${n.id}/cancel`);
    expect(cancelled.statusCode).toBe(303);
    expect((await app.services.newsletters.get(n.id))?.state).toBe('cancelled');
    expect((await editor.get('/admin/newsletters/999999')).statusCode).toBe(404);
    // The pages are valid HTML: the list, a send, and the editor with its fieldset.
    const files = [
      ['list.html', (await editor.get('/admin/newsletters')).body],
      ['send.html', (await editor.get(`/admin/newsletters/${n.id}`)).body],
      ['editor.html', (await editor.get(`/admin/posts/${postId}`)).body],
    ].map(([name, html]) => {
      const file = path.join(app.dataDir, name as string);
      fs.writeFileSync(file, html as string);
      return file;
    });
    expect(htmlErrors(files)).toEqual([]);
    expect((await editor.post(`/admin/newsletters/${n.id}/pause`, { _csrf: null })).statusCode).toBe(403);
  });
});

describe('a send the mail server stopped', () => {
  it('shows the server’s answer on the send’s page, held until resumed', async () => {
    const refusing = await startSmtpServer({
      refuse: () => ({ code: 554, message: '5.7.1 Sender address not verified' }),
    });
    const other = await createTestApp({ smtpUrl: refusing.url, newsletterRate: 100_000 });
    try {
      await other.services.users.create({ name: 'Ed', email: 'ed@example.org', password: PASSWORD, role: 'editor' });
      const now = new Date().toISOString();
      await other.database.db
        .insertInto('subscribers')
        .values({
          email: 'reader@example.test',
          token: 'held-token',
          status: 'active',
          consent_at: now,
          created_at: now,
          updated_at: now,
        })
        .execute();
      const published = await other.database.db
        .selectFrom('posts')
        .select('id')
        .where('type', '=', 'post')
        .where('status', '=', 'published')
        .executeTakeFirstOrThrow();
      const n = await other.services.newsletters.schedule({ postId: published.id });
      await other.services.newsletters.idle();
      const editor = new AdminClient(other.server, { ip: '192.0.2.90' });
      expect((await editor.signIn('ed@example.org', PASSWORD)).statusCode).toBe(303);
      const page = await editor.get(`/admin/newsletters/${n.id}`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('nothing more goes until it is resumed');
      expect(page.body).toContain('554 5.7.1 Sender address not verified');
      expect(page.body).toContain('When resumed');
      expect(page.body).toContain('Resume now');
    } finally {
      await other.close();
      await refusing.close();
    }
  });
});
