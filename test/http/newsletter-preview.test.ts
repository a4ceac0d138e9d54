import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'parse5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { AdminClient } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';
import { htmlErrors } from '../helpers/nu-checker.js';
import { noisyPhoto } from '../helpers/photos.js';
import { startSmtpServer } from '../helpers/smtp.js';

/*
 * The newsletter's preview and test send (issue 20), through the admin as a browser sends
 * it, with real SMTP: the writer sees the message as it will be sent and mails it to
 * themself; someone who may not edit the post sees neither.
 */

const PASSWORD = 'correct horse battery';
let app: App;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let ann: AdminClient;
let bo: AdminClient;
let postId: number;
let emptyId: number;
let lastIp = 0;

async function signedIn(email: string): Promise<AdminClient> {
  const client = new AdminClient(app.server, { ip: `192.0.2.${++lastIp}` });
  expect((await client.signIn(email, PASSWORD)).statusCode).toBe(303);
  return client;
}

beforeAll(async () => {
  smtp = await startSmtpServer();
  app = await createTestApp({ demo: false, smtpUrl: smtp.url, mailFrom: 'Hearth test <blog@example.org>' });
  const annId = (
    await app.services.users.create({ name: 'Ann Ōta', email: 'ann@example.org', password: PASSWORD, role: 'author' })
  ).id;
  await app.services.users.create({ name: 'Bo Berg', email: 'bo@example.org', password: PASSWORD, role: 'author' });
  const photo = await app.services.media.ingest({
    data: await noisyPhoto(1200, 800).jpeg().toBuffer(),
    name: 'kiln.jpg',
    alt: 'The kiln, open',
    uploadedBy: annId,
  });
  const body = `Χαίρετε — 窯を開けました。\n\n![The kiln, open](${photo.image.src})\n\nSee [the glazes](/glazes/).\n`;
  postId = (
    await app.services.posts.create({
      title: 'Το πρώτο ψήσιμο',
      body,
      excerpt: 'The first firing of the year.',
      status: 'draft',
      authorId: annId,
      featureImageId: photo.id,
    })
  ).id;
  emptyId = (await app.services.posts.create({ title: 'Nothing yet', body: '', status: 'draft', authorId: annId })).id;
  ann = await signedIn('ann@example.org');
  bo = await signedIn('bo@example.org');
});
afterAll(async () => {
  await app?.close();
  await smtp?.close();
});

describe('the newsletter preview', () => {
  it('shows the email framed, its text part and the test button to whoever may edit the post', async () => {
    const res = await ann.get(`/admin/posts/${postId}/newsletter`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toContain('Το πρώτο ψήσιμο');
    expect(res.body).toContain(`src="/admin/posts/${postId}/newsletter/email"`);
    expect(res.body).toContain('Send a test to me');
    // The text part, in a <pre>, escaped by the admin's templates.
    expect(res.body).toMatch(/<pre class="newsletter-text">[^<]*Χαίρετε — 窯を開けました。/);
    expect(res.body).toContain('the glazes (http://blog.test/glazes/)');
    // The admin page keeps its strict policy.
    expect(res.headers['content-security-policy']).toContain("style-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('serves the HTML part for the frame under a policy that runs nothing and shows images', async () => {
    const res = await ann.get(`/admin/posts/${postId}/newsletter/email`);
    expect(res.statusCode).toBe(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain('sandbox');
    expect(csp).not.toContain('script-src');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.body).toContain('<meta name="color-scheme" content="light dark">');
    expect(res.body).toMatch(
      /<img src="http:\/\/blog\.test\/media\/[^"]+-960\.jpg" alt="The kiln, open" width="552" height="368"/,
    );
    expect(res.body).toContain('href="http://blog.test/glazes/"');
    // The feature image: the same photo at the message's full width.
    expect(res.body).toMatch(
      /<img src="http:\/\/blog\.test\/media\/[^"]+-960\.jpg" alt="The kiln, open" width="600" height="400"/,
    );
    expect(Buffer.byteLength(res.body)).toBeLessThan(30_000);
    expect(res.body).not.toMatch(/<picture|<source|srcset=/);
    const errors: string[] = [];
    parse(res.body, { onParseError: (e) => errors.push(e.code) });
    expect(errors).toEqual([]);
  });

  it('passes the Nu HTML checker, the page and the email (which keeps only warnings for the table attributes Outlook needs)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-newsletter-'));
    const files = [`/admin/posts/${postId}/newsletter`, `/admin/posts/${postId}/newsletter/email`].map(
      async (url, i) => {
        const file = path.join(dir, `${i}.html`);
        fs.writeFileSync(file, (await ann.get(url)).body);
        return file;
      },
    );
    expect(htmlErrors(await Promise.all(files))).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows the excerpt variant when asked', async () => {
    const res = await ann.get(`/admin/posts/${postId}/newsletter/email?content=excerpt`);
    expect(res.body).toContain('The first firing of the year.');
    expect(res.body).not.toContain('glazes');
  });

  it('says when the email is long enough for Gmail to clip it, and not before', async () => {
    const paragraph = 'The glaze ran where the kiln was hottest, and pooled green at the foot of every bowl. ';
    const long = (
      await app.services.posts.create({
        title: 'A year of firings',
        body: Array.from({ length: 1500 }, (_, i) => `${i + 1}. ${paragraph}`).join('\n\n'),
        status: 'draft',
        authorId: (
          await app.database.db
            .selectFrom('users')
            .select('id')
            .where('email', '=', 'ann@example.org')
            .executeTakeFirstOrThrow()
        ).id,
      })
    ).id;
    const warned = await ann.get(`/admin/posts/${long}/newsletter`);
    expect(warned.statusCode).toBe(200);
    expect(warned.body).toMatch(/This email is \d{3,} KB\. Gmail shows the first 102 KB/);
    expect((await ann.get(`/admin/posts/${long}/newsletter?content=excerpt`)).body).not.toContain(
      'Gmail shows the first',
    );
    expect((await ann.get(`/admin/posts/${postId}/newsletter`)).body).not.toContain('Gmail shows the first');
  });

  it('renders a post without a body', async () => {
    const res = await ann.get(`/admin/posts/${emptyId}/newsletter`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Nothing yet');
  });

  it('answers a missing post or an id that is not one with the 404 page', async () => {
    for (const url of [
      '/admin/posts/999999/newsletter',
      '/admin/posts/abc/newsletter',
      '/admin/posts/0/newsletter/email',
    ]) {
      const res = await ann.get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body).toContain('<html');
    }
  });

  it('refuses another author’s post, and someone signed out', async () => {
    expect((await bo.get(`/admin/posts/${postId}/newsletter`)).statusCode).toBe(403);
    expect((await bo.post(`/admin/posts/${postId}/newsletter/test`)).statusCode).toBe(403);
    const stranger = new AdminClient(app.server, { ip: '192.0.2.99' });
    expect((await stranger.get(`/admin/posts/${postId}/newsletter`)).statusCode).toBe(303);
    expect(smtp.received).toHaveLength(0);
  });

  it('links to the preview from the editor', async () => {
    const res = await ann.get(`/admin/posts/${postId}`);
    expect(res.body).toContain(`<a href="/admin/posts/${postId}/newsletter">Preview the newsletter email</a>`);
  });
});

describe('a test send', () => {
  it('mails both parts to the signed-in writer over SMTP, subject marked, and says so', async () => {
    await ann.get(`/admin/posts/${postId}/newsletter`);
    const res = await ann.post(`/admin/posts/${postId}/newsletter/test`, { content: 'full' });
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe(`/admin/posts/${postId}/newsletter?sent=1`);
    const mail = await smtp.next();
    expect((mail.to as { text: string }).text).toBe('ann@example.org');
    expect(mail.subject).toBe('[Test] Το πρώτο ψήσιμο');
    expect(mail.html).toContain('Χαίρετε — 窯を開けました。');
    expect(mail.html).toContain('http://blog.test/subscription/test-preview/unsubscribe');
    expect(mail.text).toContain('Χαίρετε — 窯を開けました。');
    expect(mail.text).toContain('Unsubscribe: http://blog.test/subscription/test-preview/unsubscribe');
    expect(mail.text).not.toContain('%%HEARTH_');
    const page = await ann.get(res.headers.location as string);
    expect(page.body).toContain('Test sent to ann@example.org.');
  });

  it('needs the form’s token', async () => {
    const res = await ann.post(`/admin/posts/${postId}/newsletter/test`, { _csrf: null });
    expect(res.statusCode).toBe(403);
    expect(smtp.received).toHaveLength(1);
  });
});
