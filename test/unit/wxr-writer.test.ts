import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  absoluteUrls,
  cdata,
  readWxr,
  type WxrEntry,
  type WxrExportSource,
  writeWxr,
} from '../../src/domain/portability/index.js';

type ExportPost = Awaited<ReturnType<WxrExportSource['postPages']> extends AsyncIterable<infer P> ? P : never>[number];

function post(id: number, overrides: Partial<ExportPost> = {}): ExportPost {
  return {
    id,
    type: 'post',
    slug: `post-${id}`,
    title: `Post number ${id}`,
    excerpt: '',
    html: `<p>Body of post ${id}, with some words to make it longer than a line or two.</p>\n`,
    status: 'published',
    publishedAt: '2026-03-01T09:30:00.000Z',
    createdAt: '2026-03-01T09:00:00.000Z',
    updatedAt: '2026-03-02T10:00:00.000Z',
    authorId: 1,
    categoryId: null,
    tags: [],
    featureImageId: null,
    featured: false,
    parentId: null,
    menuOrder: 0,
    commentsEnabled: true,
    comments: [],
    ...overrides,
  };
}

function source(
  posts: number,
  pageSize: number,
  log: string[] = [],
  overrides: Partial<ExportPost> = {},
): WxrExportSource {
  return {
    site: { title: 'A site', description: '', url: 'https://blog.example', language: 'en', timeZone: 'Europe/Berlin' },
    authors: [{ id: 1, slug: 'ana', name: 'Ana', email: 'ana@example.org' }],
    categories: [],
    tags: [],
    posts: { count: posts, maxId: posts },
    async *media() {},
    async *postPages() {
      for (let first = 1; first <= posts; first += pageSize) {
        log.push(`read ${first}`);
        const page: ExportPost[] = [];
        for (let id = first; id < first + pageSize && id <= posts; id++) page.push(post(id, overrides));
        yield page;
      }
    },
  };
}

/** A sink that takes its time now and then (a small buffer), like a file on a slow disk. */
function slowSink(log: string[]) {
  const chunks: string[] = [];
  const out = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _encoding, done) {
      const text = chunk.toString('utf8');
      chunks.push(text);
      const m = /<wp:post_id>(\d+)<\/wp:post_id>/.exec(text);
      if (m) log.push(`wrote ${m[1]}`);
      if (chunks.length % 20 === 0) setImmediate(done);
      else done();
    },
  });
  return { out, chunks };
}

async function readBack(text: string): Promise<WxrEntry[]> {
  const entries: WxrEntry[] = [];
  for await (const e of readWxr(Readable.from([Buffer.from(text, 'utf8')]))) entries.push(e);
  return entries;
}

describe('writeWxr', () => {
  it('streams 10,000 posts item by item, reading the next page only after writing the last', async () => {
    const log: string[] = [];
    const { out, chunks } = slowSink(log);
    const progress: number[] = [];
    const counts = await writeWxr(source(10_000, 500, log), out, (done) => {
      if (done % 2500 === 0) progress.push(done);
    });
    expect(counts.posts).toBe(10_000);
    expect(progress).toEqual([2500, 5000, 7500, 10_000]);
    // One write per item, never the whole document at once.
    expect(chunks.length).toBeGreaterThan(10_000);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(4096);
    // The writer waited for the sink: page 2 was read after page 1's last post was written.
    expect(log.indexOf('read 501')).toBeGreaterThan(log.indexOf('wrote 500'));
    const entries = await readBack(chunks.join(''));
    const items = entries.flatMap((e) => (e.kind === 'item' ? [e.item] : []));
    expect(items).toHaveLength(10_000);
    expect(items[9999]).toMatchObject({ postId: 10_000, postName: 'post-10000', title: 'Post number 10000' });
    // Wall-clock time in the site's zone, and GMT.
    expect(items[0]).toMatchObject({ postDate: '2026-03-01 10:30:00', postDateGmt: '2026-03-01 09:30:00' });
  }, 60_000);

  it('keeps every character XML can hold, and drops those it cannot', async () => {
    const title = 'a ]]> b ]]]]>>> & <tag> "q" \'s\' 中文 🌿 \u0301e';
    const { out, chunks } = slowSink([]);
    await writeWxr(source(1, 1, [], { title: `${title}\u0000\u0007`, slug: 'ünï', excerpt: ']]' }), out);
    const items = (await readBack(chunks.join(''))).flatMap((e) => (e.kind === 'item' ? [e.item] : []));
    expect(items[0]).toMatchObject({ title, postName: 'ünï', excerpt: ']]' });
    expect(items[0]?.link).toBe('https://blog.example/%C3%BCn%C3%AF/');
  });
});

describe('cdata', () => {
  it.each([
    ['', '<![CDATA[]]>'],
    [']]>', '<![CDATA[]]]]><![CDATA[>]]>'],
    ['a]]>b]]>c', '<![CDATA[a]]]]><![CDATA[>b]]]]><![CDATA[>c]]>'],
    ['x]]', '<![CDATA[x]]]]>'],
  ])('%j', (value, expected) => {
    expect(cdata(value)).toBe(expected);
  });
});

describe('absoluteUrls', () => {
  it('makes site-relative src, href and srcset URLs absolute and leaves the others', () => {
    const html =
      '<a href="/about/">a</a> <a href="https://x.example/">x</a> <a href="//cdn.example/a">c</a> <a href="#top">t</a>' +
      '<img src="/media/a.jpg" srcset="/media/a-480.avif 480w, /media/a-960.avif 960w">';
    expect(absoluteUrls(html, 'https://blog.example')).toBe(
      '<a href="https://blog.example/about/">a</a> <a href="https://x.example/">x</a> <a href="//cdn.example/a">c</a> <a href="#top">t</a>' +
        '<img src="https://blog.example/media/a.jpg" srcset="https://blog.example/media/a-480.avif 480w, https://blog.example/media/a-960.avif 960w">',
    );
  });
});
