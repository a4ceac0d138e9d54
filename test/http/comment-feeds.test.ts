import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { createTestApp, postIdBySlug } from '../helpers/app.js';

let app: App;
let postId: number;
const SLUG = 'benefits-of-infant-massage';
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  isArray: (n) => n === 'entry' || n === 'link',
});

type Entry = {
  id: string;
  title: string;
  link: { '@_href': string }[];
  author: { name: string; uri?: string };
  content: { '#text': string };
};
const entriesOf = (xml: string): Entry[] => parser.parse(xml).feed.entry ?? [];

async function approve(fields: { name: string; email?: string; website?: string; body: string }, slug = SLUG) {
  const { id } = await app.services.comments.submit(
    { postId: await postIdBySlug(app, slug), ...fields },
    { ip: '203.0.113.80', userAgent: 't' },
  );
  await app.services.comments.setStatus(id, 'approved');
  return id;
}

beforeAll(async () => {
  app = await createTestApp({ timezone: 'UTC' });
  postId = await postIdBySlug(app, SLUG);
});
afterAll(async () => {
  await app?.close();
});

describe('comment feeds', () => {
  it('are announced on the post page for feed readers', async () => {
    const page = await app.server.inject(`/${SLUG}/`);
    expect(page.body).toContain(
      `<link rel="alternate" type="application/atom+xml" title="Comments on Benefits of Infant Massage" href="/${SLUG}/comments/atom.xml">`,
    );
    expect(page.body).toContain('href="/comments/atom.xml"');
  });

  it("carry a post's approved comments as Atom: newest first, permalinks, safe HTML, no email", async () => {
    const plain = await approve({ name: 'Ula', email: 'ula@example.org', body: 'Tried it *tonight* <b>really</b>.' });
    const linked = await approve({
      name: 'Sprout Co-op',
      website: 'https://sprout.example/',
      body: 'Sharing with our members.',
    });
    const held = await app.services.comments.submit(
      { postId, name: 'Held', body: 'Not approved yet.' },
      { ip: '203.0.113.81', userAgent: 't' },
    );
    const res = await app.server.inject(`/${SLUG}/comments/atom.xml`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    const feed = parser.parse(res.body).feed;
    expect(feed.title['#text']).toBe('Comments on “Benefits of Infant Massage” · Willowfold');
    const entries = entriesOf(res.body);
    expect(entries[0]?.id).toMatch(new RegExp(`^tag:blog\\.test,\\d{4}-\\d{2}-\\d{2}:comment-${linked}$`));
    expect(entries[0]?.link[0]?.['@_href']).toBe(`http://blog.test/${SLUG}/#comment-${linked}`);
    expect(entries[0]?.author).toEqual({ name: 'Sprout Co-op', uri: 'https://sprout.example/' });
    expect(entries[1]?.author).toEqual({ name: 'Ula' });
    expect(entries[1]?.content['#text'].trim()).toBe('<p>Tried it <em>tonight</em> &lt;b&gt;really&lt;/b&gt;.</p>');
    expect(entries[1]?.id).toContain(`comment-${plain}`);
    expect(res.body).not.toContain('ula@example.org');
    expect(res.body).not.toContain(`comment-${held.id}`);
  });

  it('carry the whole site’s comments, with the post each one is on', async () => {
    await approve({ name: 'Vic', body: 'Soup was a hit.' }, 'autumn-lentil-soup');
    const res = await app.server.inject('/comments/atom.xml');
    expect(res.statusCode).toBe(200);
    const titles = entriesOf(res.body).map((e) => e.title);
    expect(titles[0]).toMatchObject({ '#text': 'Vic on “Our Autumn Lentil Soup”' });
    expect(
      titles.some((t) => String((t as unknown as { '#text': string })['#text']).includes('Benefits of Infant Massage')),
    ).toBe(true);
  });

  it('answer conditional GETs with 304, and change when a comment is approved', async () => {
    for (const url of ['/comments/atom.xml', `/${SLUG}/comments/atom.xml`]) {
      const first = await app.server.inject(url);
      const etag = first.headers.etag as string;
      const lastModified = first.headers['last-modified'] as string;
      expect(lastModified).toMatch(/GMT$/);
      expect((await app.server.inject({ url, headers: { 'if-none-match': etag } })).statusCode).toBe(304);
      expect((await app.server.inject({ url, headers: { 'if-modified-since': lastModified } })).statusCode).toBe(304);
    }
    const before = await app.server.inject(`/${SLUG}/comments/atom.xml`);
    const soup = await app.server.inject('/autumn-lentil-soup/comments/atom.xml');
    await new Promise((r) => setTimeout(r, 1100));
    const id = await approve({ name: 'Wim', body: 'One more voice.' });
    const after = await app.server.inject({
      url: `/${SLUG}/comments/atom.xml`,
      headers: { 'if-none-match': before.headers.etag as string },
    });
    expect(after.statusCode).toBe(200);
    expect(after.body).toContain(`comment-${id}`);
    expect(
      new Date(after.headers['last-modified'] as string) > new Date(before.headers['last-modified'] as string),
    ).toBe(true);
    // Another post's comment feed is left in the cache.
    expect(app.cache.get('/autumn-lentil-soup/comments/atom.xml')?.etag).toBe(soup.headers.etag);
    expect((await app.server.inject('/comments/atom.xml')).body).toContain(`comment-${id}`);
  });

  it('answer 404 for a post that is not published', async () => {
    expect((await app.server.inject('/no-such-post/comments/atom.xml')).statusCode).toBe(404);
  });
});
