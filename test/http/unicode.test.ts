import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import type { LightMyRequestResponse as Response } from 'fastify';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { AdminClient } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';
import { htmlErrors } from '../helpers/nu-checker.js';
import { startSmtpServer } from '../helpers/smtp.js';

const PASSWORD = 'correct horse battery';

/** Signs in a new person of the given role on `app`, through the login form. */
async function writer(app: App, name: string, email: string, ip: string): Promise<AdminClient> {
  await app.services.users.create({ name, email, password: PASSWORD, role: 'owner' });
  const client = new AdminClient(app.server, { ip });
  expect((await client.signIn(email, PASSWORD)).statusCode).toBe(303);
  return client;
}

/** Publishes a post through the editor's form; returns its id. */
async function publish(client: AdminClient, fields: Record<string, string>): Promise<number> {
  await client.get('/admin/posts/new');
  const res = await client.post('/admin/posts/new', { body: 'Some text.', status: 'published', ...fields });
  expect(res.statusCode, res.body).toBe(303);
  return Number(/\/admin\/posts\/(\d+)/.exec(res.headers.location as string)?.[1]);
}

describe('typographic punctuation on a blog without the demo', () => {
  const title = 'It’s the “best” soup – really…';
  let app: App;
  beforeAll(async () => {
    app = await createTestApp({ demo: false });
    await publish(await writer(app, 'Ana', 'ana@example.org', '192.0.2.1'), { title });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('keeps /feed.json parseable and /atom.xml and /feed.xml well-formed', async () => {
    const json = await app.server.inject('/feed.json');
    expect(json.statusCode).toBe(200);
    expect(json.headers['content-type']).toContain('charset=utf-8');
    const feed = JSON.parse(json.body) as { items: { title: string }[] };
    expect(feed.items[0]?.title).toBe(title);
    for (const url of ['/atom.xml', '/feed.xml']) {
      const res = await app.server.inject(url);
      expect(res.statusCode).toBe(200);
      expect(XMLValidator.validate(res.body), url).toBe(true);
      expect(res.rawPayload.includes(Buffer.from(title, 'utf8')), url).toBe(true);
    }
  });
});

// Ten scripts, typographic punctuation, emoji (a ZWJ family and a flag) and a combining
// accent (e + U+0301, which must not be composed into é on the way).
const SCRIPTS = [
  'Crème brûlée à la façon de Zoë',
  'Ελληνική σούπα φακής',
  'Борщ со сметаной',
  'شوربة العدس الحمراء',
  'מרק עוף של סבתא',
  'दाल का सूप',
  '番茄蛋花汤很好喝',
  '味噌汁とおにぎり',
  '된장찌개 끓이는 법',
  'ต้มยำกุ้งน้ำข้น',
];
const PUNCTUATION = '“Quoted” ‘single’ … – —';
const EMOJI = '🍲 👩‍👩‍👧 🇳🇿 cafe\u0301';
const TITLE = `Soup: “best” – ${SCRIPTS[6]} 🍲 cafe\u0301…`;
const EXCERPT = `${SCRIPTS[1]} ${SCRIPTS[7]} 👩‍👩‍👧`;
const CATEGORY = 'Кухня – 料理';
// A tag in Chinese only: its slug is its letters, its archive at /tag/%E6%B1%A4%E5%93%81/.
const TAG = '汤品';
const AUTHOR = 'Zoë Ōkubo 李雷';
const COMMENT = `Merci — ${SCRIPTS[3]} ${SCRIPTS[5]} 🇳🇿 e\u0301`;
const BODY = [
  ...SCRIPTS.map((line) => `${line}.\n`),
  `${PUNCTUATION}\n`,
  `${EMOJI}\n`,
  `::: howto ${SCRIPTS[8]}`,
  `1. ${SCRIPTS[9]} ${PUNCTUATION}`,
  ':::',
].join('\n');

/** Numeric references and JSON escapes of characters above U+007F: none may remain. */
function encodedNonAscii(text: string): string[] {
  const references = [...text.matchAll(/&(?:amp;)?#(?:(\d+)|x([0-9a-f]+));/gi)].filter(
    ([, dec, hex]) => (dec ? Number(dec) : Number.parseInt(hex ?? '', 16)) > 0x7f,
  );
  const escapes = [...text.matchAll(/\\u([0-9a-f]{4})/gi)].filter(([, hex]) => Number.parseInt(hex ?? '', 16) > 0x7f);
  return [...references, ...escapes].map(([whole]) => whole);
}

/** The body as UTF-8 bytes hold it: every text given, as its exact characters. */
function expectText(res: Response, url: string, texts: string[]): void {
  expect(res.statusCode, url).toBe(200);
  expect(res.headers['content-type'], url).toMatch(/;\s*charset=utf-8$/i);
  // The bytes are valid UTF-8: decoding them strictly gives the body back.
  const body = new TextDecoder('utf-8', { fatal: true }).decode(res.rawPayload);
  for (const text of texts) expect(body.includes(text), `${url} lacks ${text}`).toBe(true);
  expect(encodedNonAscii(body), url).toEqual([]);
}

describe('text in ten scripts through every output', () => {
  let app: App;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let slug: string;
  let mail: ParsedMail;
  const urls: Record<string, string> = {};
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-unicode-'));

  beforeAll(async () => {
    smtp = await startSmtpServer();
    app = await createTestApp({ demo: false, smtpUrl: smtp.url, mailFrom: 'Hearth test <blog@example.org>' });
    await app.services.settings.update({ commentModeration: 'hold-all', feedContent: 'full' });
    const client = await writer(app, AUTHOR, 'zoe@example.org', '192.0.2.2');
    const category = await app.services.taxonomy.createCategory({ name: CATEGORY, slug: 'kitchen' });
    const id = await publish(client, {
      title: TITLE,
      body: BODY,
      excerpt: EXCERPT,
      category: String(category.id),
      tags: TAG,
      comments: 'on',
    });
    const db = app.database.db;
    slug = (await db.selectFrom('posts').select('slug').where('id', '=', id).executeTakeFirstOrThrow()).slug;
    const tag = await db.selectFrom('tags').select('slug').where('name', '=', TAG).executeTakeFirstOrThrow();
    const author = await db
      .selectFrom('users')
      .select('slug')
      .where('email', '=', 'zoe@example.org')
      .executeTakeFirstOrThrow();
    expect(tag.slug).toBe(TAG);
    const path = (...parts: string[]) => `/${parts.map(encodeURIComponent).join('/')}/`;
    Object.assign(urls, { post: path(slug), tag: path('tag', tag.slug), author: path('author', author.slug) });

    // A reader's comment, held for moderation: the owner is told by email, then approves it.
    await app.services.commentNotifier.settled();
    smtp.received.length = 0;
    const res = await app.server.inject({
      method: 'POST',
      url: '/comments',
      remoteAddress: '203.0.113.9',
      payload: new URLSearchParams({ post_id: String(id), name: 'Amélie 🍲', body: COMMENT }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.statusCode, res.body).toBe(303);
    await app.services.commentNotifier.settled();
    mail = await smtp.next();
    const comment = await db.selectFrom('comments').select('id').where('post_id', '=', id).executeTakeFirstOrThrow();
    await client.get('/admin/comments');
    expect((await client.post(`/admin/comments/${comment.id}/action`, { action: 'approve' })).statusCode).toBe(303);
  });
  afterAll(async () => {
    await app?.close();
    await smtp?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const get = (url: string) => app.server.inject({ method: 'GET', url });

  it('keeps the characters exactly as written on the way into storage', async () => {
    const post = await app.database.db.selectFrom('posts').select(['title', 'html']).executeTakeFirstOrThrow();
    expect(post.title).toBe(TITLE);
    for (const line of SCRIPTS) expect(post.html).toContain(line);
    expect(encodedNonAscii(post.html)).toEqual([]);
  });

  it('sends pages as UTF-8 that pass the Nu HTML checker', async () => {
    const pages: [string, string, string[]][] = [
      ['post', urls.post as string, [TITLE, AUTHOR, CATEGORY, TAG, COMMENT, PUNCTUATION, EMOJI, ...SCRIPTS]],
      ['home', '/', [TITLE, EXCERPT, AUTHOR]],
      ['category', '/category/kitchen/', [TITLE, CATEGORY, EXCERPT]],
      ['tag', urls.tag as string, [TITLE, TAG]],
      ['author', urls.author as string, [TITLE, AUTHOR]],
      ['search', `/search/?q=${encodeURIComponent('soup')}`, [TITLE]],
      ['search-cjk', `/search/?q=${encodeURIComponent(SCRIPTS[2] as string)}`, [TITLE, SCRIPTS[2] as string]],
    ];
    const files: string[] = [];
    for (const [name, url, texts] of pages) {
      const res = await get(url);
      expectText(res, url, texts);
      const file = path.join(dir, `${name}.html`);
      fs.writeFileSync(file, res.rawPayload);
      files.push(file);
    }
    expect(htmlErrors(files)).toEqual([]);
  });

  it('answers search JSON as UTF-8 that JSON.parse reads back', async () => {
    const url = `/search.json?q=${encodeURIComponent(SCRIPTS[2] as string)}`;
    const res = await get(url);
    expectText(res, url, [TITLE]);
    const json = JSON.parse(res.body) as { query: string; results: { title: string }[] };
    expect(json.query).toBe(SCRIPTS[2]);
    expect(json.results.map((r) => r.title)).toEqual([TITLE]);
  });

  it('sends every feed as UTF-8 that an XML parser or JSON.parse reads', async () => {
    const xml: [string, string[]][] = [
      ['/feed.xml', [TITLE, AUTHOR, CATEGORY, PUNCTUATION, EMOJI, ...SCRIPTS]],
      ['/atom.xml', [TITLE, AUTHOR, CATEGORY, PUNCTUATION, EMOJI, ...SCRIPTS]],
      ['/category/kitchen/atom.xml', [TITLE, CATEGORY, ...SCRIPTS]],
      [`${urls.tag}feed.xml`, [TITLE, ...SCRIPTS]],
      [`${urls.author}atom.xml`, [TITLE, AUTHOR, ...SCRIPTS]],
      ['/comments/atom.xml', [TITLE, COMMENT]],
      [`${urls.post}comments/atom.xml`, [TITLE, COMMENT]],
    ];
    const files: string[] = [];
    for (const [url, texts] of xml) {
      const res = await get(url);
      expectText(res, url, texts);
      expect(XMLValidator.validate(res.body), url).toBe(true);
      const file = path.join(dir, `${url.replaceAll('/', '_')}`);
      fs.writeFileSync(file, res.rawPayload);
      files.push(file);
    }
    // libxml2 is strict about characters XML cannot hold; it prints nothing for good files.
    expect(execFileSync('xmllint', ['--noout', ...files], { encoding: 'utf8' })).toBe('');

    for (const url of ['/feed.json', `${urls.tag}feed.json`]) {
      const res = await get(url);
      expectText(res, url, [TITLE, AUTHOR, ...SCRIPTS]);
      const feed = JSON.parse(res.body) as {
        items: { title: string; content_html: string; authors: { name: string }[] }[];
      };
      expect(feed.items[0]?.title).toBe(TITLE);
      expect(feed.items[0]?.authors[0]?.name).toBe(AUTHOR);
      for (const line of SCRIPTS) expect(feed.items[0]?.content_html).toContain(line);
    }
  });

  it('sends sitemaps as UTF-8 XML that parses', async () => {
    const files: string[] = [];
    for (const url of ['/sitemap.xml', '/sitemap-posts-1.xml', '/sitemap-pages.xml', '/sitemap-taxonomies.xml']) {
      const res = await get(url);
      expectText(res, url, []);
      expect(XMLValidator.validate(res.body), url).toBe(true);
      const file = path.join(dir, url.slice(1));
      fs.writeFileSync(file, res.rawPayload);
      files.push(file);
    }
    expect(execFileSync('xmllint', ['--noout', ...files], { encoding: 'utf8' })).toBe('');
    expect(fs.readFileSync(files[1] as string, 'utf8')).toContain(`http://blog.test/${encodeURIComponent(slug)}/`);
  });

  it('emails the exact characters, as a mail client parses the message', () => {
    expect(mail.subject).toContain(TITLE);
    expect(mail.text).toContain(TITLE);
    expect(mail.text).toContain(COMMENT);
    expect(mail.text).toContain('Amélie 🍲');
  });
});
