import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readWxr, type WxrEntry, type WxrItem } from '../../src/domain/portability/index.js';
import { HearthError } from '../../src/errors.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

async function readAll(source: AsyncIterable<Uint8Array | string>): Promise<WxrEntry[]> {
  const entries: WxrEntry[] = [];
  for await (const entry of readWxr(source)) entries.push(entry);
  return entries;
}

/** Reads a fixture a few bytes at a time, so chunks split tags, CDATA and multi-byte characters. */
const readFixture = (name: string, chunk = 7) => readAll(createReadStream(fixture(name), { highWaterMark: chunk }));

const items = (entries: WxrEntry[]): WxrItem[] => entries.flatMap((e) => (e.kind === 'item' ? [e.item] : []));

async function readError(xml: string | Buffer): Promise<HearthError> {
  const error = await readAll(Readable.from([typeof xml === 'string' ? Buffer.from(xml) : xml])).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HearthError);
  const hearth = error as HearthError;
  expect(hearth.code).toBe('HEARTH_ERR_IMPORT_XML');
  expect(hearth.status).toBe(400);
  expect(hearth.message).toMatch(/^The WordPress export cannot be read: line \d+, column \d+: /);
  return hearth;
}

const WP12 = 'xmlns:wp="http://wordpress.org/export/1.2/"';

describe('readWxr on a WXR 1.2 export (https namespaces)', async () => {
  const entries = await readFixture('wxr-1.2-https.xml');
  const byId = new Map(items(entries).map((item) => [item.postId, item]));

  it('hands out the site first, then authors, terms and items in document order', () => {
    expect(entries.map((e) => e.kind)).toEqual([
      'site',
      'author',
      'author',
      'category',
      'category',
      'tag',
      'term',
      ...Array(9).fill('item'),
    ]);
  });

  it('reads the site', () => {
    expect(entries[0]).toEqual({
      kind: 'site',
      site: {
        title: 'Notes from the Hill',
        link: 'https://hill.example.org',
        description: 'Walking, weather & the odd recipe',
        language: 'en-GB',
        wxrVersion: '1.2',
        namespace: 'https://wordpress.org/export/1.2/',
        baseSiteUrl: 'https://hill.example.org',
        baseBlogUrl: 'https://hill.example.org/blog',
      },
    });
  });

  it('reads authors, categories with their parent, tags and terms', () => {
    expect(entries.slice(1, 7)).toEqual([
      {
        kind: 'author',
        author: {
          id: 1,
          login: 'maren',
          email: 'maren@hill.example.org',
          displayName: 'Maren Øst',
          firstName: 'Maren',
          lastName: 'Øst',
        },
      },
      {
        kind: 'author',
        author: {
          id: 7,
          login: 'guest-writer',
          email: 'guest@example.net',
          displayName: 'A Guest',
          firstName: '',
          lastName: '',
        },
      },
      {
        kind: 'category',
        category: {
          termId: 3,
          nicename: 'walks',
          parent: '',
          name: 'Walks',
          description: 'Routes, <em>maps</em> and mud.',
        },
      },
      {
        kind: 'category',
        category: { termId: 4, nicename: 'winter-walks', parent: 'walks', name: 'Winter walks', description: '' },
      },
      { kind: 'tag', tag: { termId: 9, slug: 'fog', name: 'Fog', description: 'Days you cannot see the top.' } },
      {
        kind: 'term',
        term: { termId: 12, taxonomy: 'nav_menu', slug: 'main-menu', parent: '', name: 'Main menu', description: '' },
      },
    ]);
  });

  it('reads every field of a post, its content and excerpt exactly, its terms and meta', () => {
    const post = byId.get(101);
    expect(post).toMatchObject({
      postType: 'post',
      title: 'Fog on the ridge — 霧の尾根 🌫️',
      link: 'https://hill.example.org/2024/01/fog-on-the-ridge/',
      guid: 'https://hill.example.org/?p=101',
      pubDate: 'Mon, 15 Jan 2024 08:30:00 +0000',
      creator: 'maren',
      description: '',
      excerpt: 'A foggy start & a clear finish.',
      postDate: '2024-01-15 08:30:00',
      postDateGmt: '2024-01-15 08:30:00',
      postModified: '2024-01-16 09:00:00',
      postModifiedGmt: '2024-01-16 09:00:00',
      commentStatus: 'open',
      pingStatus: 'open',
      status: 'publish',
      postName: 'fog-on-the-ridge',
      postParent: 0,
      menuOrder: 0,
      postPassword: '',
      isSticky: true,
      attachmentUrl: '',
      terms: [
        { domain: 'category', nicename: 'winter-walks', name: 'Winter walks' },
        { domain: 'post_tag', nicename: 'fog', name: 'Fog' },
      ],
      meta: [{ key: '_thumbnail_id', value: '205' }],
    });
    expect(post?.content).toBe(
      '<!-- wp:paragraph -->\n<p>We left at six. Crème brûlée later — <strong>earned</strong>.</p>\n<!-- /wp:paragraph -->\n\n<!--more-->\n' +
        '[caption id="attachment_205" align="alignnone" width="800"]<img src="https://hill.example.org/wp-content/uploads/2024/01/ridge.jpg" alt="The ridge" /> The ridge at seven[/caption]',
    );
  });

  it('reads comments with their thread, statuses, types and meta', () => {
    const comments = byId.get(101)?.comments ?? [];
    expect(comments[0]).toEqual({
      id: 31,
      author: 'Ada Reader',
      authorEmail: 'ada@example.com',
      authorUrl: 'https://ada.example.com',
      authorIp: '203.0.113.5',
      date: '2024-01-15 10:00:00',
      dateGmt: '2024-01-15 10:00:00',
      content: 'Lovely. Which path did you take?',
      approved: '1',
      type: 'comment',
      parent: 0,
      userId: 0,
      meta: [{ key: 'rating', value: '4' }],
    });
    expect(comments.map((c) => [c.id, c.parent, c.approved, c.type, c.userId])).toEqual([
      [31, 0, '1', 'comment', 0],
      [32, 31, '0', '', 1],
      [33, 0, 'spam', 'pingback', 0],
      [34, 0, 'trash', 'trackback', null],
    ]);
    expect(comments[2]?.content).toBe('[&#8230;] a fine walk [&#8230;]');
  });

  it('reads an attachment with its URL, file and alt text', () => {
    expect(byId.get(205)).toMatchObject({
      postType: 'attachment',
      status: 'inherit',
      postParent: 101,
      excerpt: 'The ridge at seven',
      attachmentUrl: 'https://hill.example.org/wp-content/uploads/2024/01/ridge.jpg',
      meta: [
        { key: '_wp_attached_file', value: '2024/01/ridge.jpg' },
        { key: '_wp_attachment_image_alt', value: 'Fog lifting off a grassy ridge' },
      ],
    });
  });

  it('reads pages, every status, passwords and menu items', () => {
    expect(byId.get(300)).toMatchObject({ postType: 'page', title: 'About & contact', postParent: 299, menuOrder: 3 });
    expect(byId.get(400)).toMatchObject({ status: 'private', postPassword: 's3cret', isSticky: false });
    expect([401, 402, 403, 404].map((id) => byId.get(id)?.status)).toEqual(['future', 'draft', 'pending', 'trash']);
    expect(byId.get(401)?.postDateGmt).toBe('2030-04-01 07:00:00');
    expect(byId.get(500)).toMatchObject({
      postType: 'nav_menu_item',
      menuOrder: 1,
      terms: [{ domain: 'nav_menu', nicename: 'main-menu', name: 'Main menu' }],
      meta: [{ key: '_menu_item_url', value: 'https://hill.example.org/' }],
    });
  });

  it('reads the same entries whatever the chunk size', async () => {
    expect(await readFixture('wxr-1.2-https.xml', 64 * 1024)).toEqual(entries);
    expect(await readFixture('wxr-1.2-https.xml', 1)).toEqual(entries);
  });
});

describe('readWxr on older exports and other spellings', () => {
  it('reads WXR 1.1 with http namespaces, bound to other prefixes, as escaped text', async () => {
    const entries = await readFixture('wxr-1.1-http.xml', 5);
    expect(entries[0]).toMatchObject({
      kind: 'site',
      site: {
        title: 'Old Kitchen',
        language: 'fr-FR',
        wxrVersion: '1.1',
        namespace: 'http://wordpress.org/export/1.1/',
      },
    });
    expect(entries[1]).toMatchObject({ kind: 'author', author: { id: 2, login: 'chef', firstName: 'Léa' } });
    expect(entries[2]).toMatchObject({ kind: 'category', category: { termId: 5, nicename: 'desserts' } });
    expect(items(entries)).toEqual([
      expect.objectContaining({
        postId: 7,
        title: 'Tarte <Tatin> & crème',
        content: '<p>Caramel first.</p>\n<!--more-->\n<p>Then apples: 6 × 🍎.</p>',
        excerpt: 'Caramel, apples — done.',
        postDate: '2011-09-10 18:00:00',
        postDateGmt: '2011-09-10 16:00:00',
        postName: 'tarte-tatin',
        terms: [{ domain: 'category', nicename: 'desserts', name: 'Desserts' }],
      }),
    ]);
  });

  it.each([
    ['http', '1.0'],
    ['https', '1.0'],
    ['http', '1.2'],
    ['https', '1.1'],
  ])('reads WXR with the %s namespace of version %s', async (scheme, version) => {
    const xml = `<rss xmlns:wp="${scheme}://wordpress.org/export/${version}/" xmlns:excerpt="${scheme}://wordpress.org/export/${version}/excerpt/"><channel><wp:wxr_version>${version}</wp:wxr_version><item><wp:post_id>1</wp:post_id><excerpt:encoded>Short</excerpt:encoded></item></channel></rss>`;
    const entries = await readAll(Readable.from([xml]));
    expect(entries[0]).toMatchObject({ kind: 'site', site: { wxrVersion: version } });
    expect(items(entries)).toMatchObject([{ postId: 1, excerpt: 'Short' }]);
  });

  it('skips elements of unknown namespaces, even ones that reuse the wp prefix for another URI', async () => {
    const xml = `<rss ${WP12} xmlns:x="urn:example:unknown"><channel><x:thing><x:deep>1</x:deep></x:thing><item><wp:post_id>5</wp:post_id><x:wp xmlns:wp="urn:not-wordpress"><wp:post_id>6</wp:post_id></x:wp><wp:post_type>page</wp:post_type></item></channel></rss>`;
    expect(items(await readAll(Readable.from([xml])))).toMatchObject([{ postId: 5, postType: 'page' }]);
  });
});

describe('readWxr on a large export', () => {
  it('streams 20,000 items with the heap staying bounded', async () => {
    const count = 20_000;
    const body = `<p>${'Walking up the hill in the fog, again and again. '.repeat(100)}</p>`;
    async function* generate() {
      yield `<?xml version="1.0" encoding="UTF-8"?><rss ${WP12} xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Big</title><wp:wxr_version>1.2</wp:wxr_version>`;
      for (let id = 1; id <= count; id++) {
        yield `<item><title>Post ${id}</title><content:encoded><![CDATA[${body}]]></content:encoded><wp:post_id>${id}</wp:post_id><wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>\n`;
      }
      yield '</channel></rss>';
    }
    // About 100 MB of XML: held whole, it alone would pass the bound.
    const start = process.memoryUsage().heapUsed;
    let peak = start;
    let seen = 0;
    let lastId = 0;
    for await (const entry of readWxr(Readable.from(generate(), { objectMode: false }))) {
      if (entry.kind !== 'item') continue;
      seen++;
      lastId = entry.item.postId ?? 0;
      if (entry.item.content !== body) throw new Error(`item ${lastId} lost its content`);
      if (seen % 500 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    expect(seen).toBe(count);
    expect(lastId).toBe(count);
    expect(peak - start).toBeLessThan(100 * 1024 * 1024);
  }, 120_000);

  it('stops reading the stream when the consumer stops', async () => {
    let produced = 0;
    async function* generate() {
      yield `<rss ${WP12}><channel>`;
      for (let id = 1; id <= 100_000; id++) {
        produced++;
        yield `<item><wp:post_id>${id}</wp:post_id></item>`;
      }
      yield '</channel></rss>';
    }
    const stream = Readable.from(generate(), { objectMode: false });
    let seen = 0;
    for await (const entry of readWxr(stream)) {
      if (entry.kind === 'item' && ++seen === 10) break;
    }
    expect(produced).toBeLessThan(1_000);
    expect(stream.destroyed).toBe(true);
  });
});

describe('readWxr on bad input', () => {
  it('refuses a file that is not XML', async () => {
    const error = await readError('Title,Date\nHello,2024-01-01\n');
    expect(error.message).toMatch(/text data outside of root node/);
  });

  it('refuses an empty file', async () => {
    await readError('');
  });

  it('refuses truncated XML with the line where it stopped', async () => {
    const { readFile } = await import('node:fs/promises');
    const whole = await readFile(fixture('wxr-1.2-https.xml'), 'utf8');
    const error = await readError(whole.slice(0, whole.indexOf('<wp:comment_id>33')));
    expect(error.message).toMatch(/unclosed tag/);
    expect(Number(error.params.line)).toBeGreaterThan(100);
  });

  it('refuses an entity-expansion bomb without expanding it', async () => {
    const levels = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('');
    const bomb = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol0 "lol">${levels}]><rss ${WP12}><channel><title>&lol9;</title></channel></rss>`;
    const error = await readError(bomb);
    expect(error.message).toMatch(/declares entities in a DOCTYPE; they are refused and never expanded or loaded/);
  });

  it('refuses external entities without loading them', async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss ${WP12}><channel><title>&xxe;</title></channel></rss>`;
    expect((await readError(xxe)).message).toMatch(/declares entities/);
    const external = `<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://127.0.0.1:9/evil.dtd"><rss ${WP12}><channel/></rss>`;
    expect((await readError(external)).message).toMatch(/has a DOCTYPE/);
  });

  it('refuses an entity that is not declared', async () => {
    const error = await readError(`<rss ${WP12}><channel><title>&nbsp;</title></channel></rss>`);
    expect(error.message).toMatch(/entity/);
  });

  it('refuses a document whose root is not rss', async () => {
    const error = await readError(`<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>`);
    expect(error.message).toMatch(/the root element is <feed>, not <rss>/);
  });

  it('refuses an rss without a channel', async () => {
    const error = await readError(`<rss version="2.0" ${WP12}><item/></rss>`);
    expect(error.message).toMatch(/no <rss><channel>/);
  });

  it('refuses an RSS feed that is not a WordPress export', async () => {
    const error = await readError(
      '<rss version="2.0"><channel><title>Feed</title><item><title>x</title></item></channel></rss>',
    );
    expect(error.message).toMatch(/no WordPress export namespace/);
  });

  it('refuses bytes that are not UTF-8', async () => {
    const bytes = Buffer.concat([
      Buffer.from(`<rss ${WP12}><channel><title>`),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('</title></channel></rss>'),
    ]);
    expect((await readError(bytes)).message).toMatch(/not valid UTF-8/);
  });

  it('refuses a document in another encoding', async () => {
    const error = await readError(`<?xml version="1.0" encoding="ISO-8859-1"?><rss ${WP12}><channel/></rss>`);
    expect(error.message).toMatch(/ISO-8859-1/);
  });
});
