import Parser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import { atomDocument } from '../../src/domain/feeds/atom.js';
import { feedHtml, postTagUri, summaryFromHtml } from '../../src/domain/feeds/index.js';
import { rssDocument } from '../../src/domain/feeds/rss.js';
import type { FeedChannel, FeedEntry } from '../../src/domain/feeds/types.js';
import { xmlText } from '../../src/shared/xml.js';

const base = { publicUrl: 'https://blog.example', pageUrl: 'https://blog.example/a-post/' };

describe('feedHtml', () => {
  it('makes root-relative, fragment and relative URLs absolute', () => {
    expect(feedHtml('<a href="/about/">x</a>', base)).toBe('<a href="https://blog.example/about/">x</a>');
    expect(feedHtml('<a class="heading-anchor" href="#start">x</a>', base)).toBe(
      '<a class="heading-anchor" href="https://blog.example/a-post/#start">x</a>',
    );
    expect(feedHtml('<img src="photo.jpg" alt="">', base)).toBe(
      '<img src="https://blog.example/a-post/photo.jpg" alt="">',
    );
    expect(feedHtml('<a href="../other/">x</a>', base)).toBe('<a href="https://blog.example/other/">x</a>');
  });

  it('rewrites every candidate of a srcset and keeps its descriptor', () => {
    expect(feedHtml('<source srcset="/media/a-480.webp 480w, /media/a.webp 1600w">', base)).toBe(
      '<source srcset="https://blog.example/media/a-480.webp 480w, https://blog.example/media/a.webp 1600w">',
    );
  });

  it('leaves absolute, protocol-relative and other-scheme URLs alone', () => {
    for (const html of [
      '<a href="https://elsewhere.example/x">x</a>',
      '<a href="//cdn.example/x.js">x</a>',
      '<a href="mailto:me@example.com">x</a>',
      '<a href="">x</a>',
    ]) {
      expect(feedHtml(html, base)).toBe(html);
    }
  });

  it('does not touch text that only looks like an attribute, and drops scripts', () => {
    const text = '<p>Write <code>href=&quot;/x&quot;</code> in the source.</p>';
    expect(feedHtml(text, base)).toBe(text);
    expect(feedHtml('<p>a</p>\n<script type="application/ld+json">{"a":1}</script>\n<p>b</p>', base)).toBe(
      '<p>a</p>\n<p>b</p>',
    );
  });
});

describe('summaryFromHtml', () => {
  it('gives the opening words as text, with references decoded and blocks apart', () => {
    expect(summaryFromHtml('<p>Fish &amp; <em>chips</em> &#39;n&#39; peas</p><p>Next</p>')).toBe(
      "Fish & chips 'n' peas Next",
    );
    expect(summaryFromHtml(`<p>${'word '.repeat(80)}</p>`, 5)).toBe('word word word word word …');
    expect(summaryFromHtml('<script>{"x":1}</script><p>Only this</p>')).toBe('Only this');
  });
});

describe('postTagUri', () => {
  it('is made of the host, the day the post was created and its id, so it survives renames', () => {
    expect(postTagUri('https://blog.example:8443', '2026-10-20T08:30:00.000Z', 12)).toBe(
      'tag:blog.example,2026-10-20:post-12',
    );
  });
});

describe('XML feeds with awkward text', () => {
  const hostile = 'Fish &amp; chips & <b>bold</b> &foo; ]]> twice ]]> \u0001\uFFFEend';
  const clean = 'Fish &amp; chips & <b>bold</b> &foo; ]]> twice ]]> end';
  const channel: FeedChannel = {
    title: hostile,
    description: hostile,
    language: 'en',
    pageUrl: 'https://blog.example/',
    feedUrls: {
      rss: 'https://blog.example/feed.xml',
      atom: 'https://blog.example/atom.xml',
      json: 'https://blog.example/feed.json',
    },
    updated: new Date('2026-10-20T08:30:00.000Z'),
    content: 'full',
    iconUrl: 'https://blog.example/favicon.ico',
  };
  const entry: FeedEntry = {
    id: 'tag:blog.example,2026-10-20:post-1',
    url: 'https://blog.example/p/',
    title: hostile,
    summary: hostile,
    html: '<p>A &amp; B ]]> C</p>',
    published: new Date('2026-10-20T08:30:00.000Z'),
    updated: new Date('2026-10-21T08:30:00.000Z'),
    author: { name: 'A & B', url: 'https://blog.example/author/ab/', avatarUrl: undefined },
    categories: [{ term: 'home-garden', label: 'Home & "Garden"', scheme: 'https://blog.example/category/' }],
    image: undefined,
  };
  const parser = new Parser<Record<string, unknown>, { 'content:encoded'?: string }>();

  it('RSS keeps every character a reader should see, and only those', async () => {
    const xml = rssDocument(channel, [entry]);
    const feed = await parser.parseString(xml);
    expect(xmlText(hostile)).toBe(clean);
    expect(feed.title).toBe(clean);
    expect(feed.items[0]?.title).toBe(clean);
    expect(feed.items[0]?.['content:encoded']).toBe('<p>A &amp; B ]]> C</p>');
    expect(feed.items[0]?.categories).toEqual(['Home & "Garden"']);
    expect(feed.items[0]?.creator).toBe('A & B');
    // Text, not markup: a literal `&amp;` stays one (builders that "avoid double escaping"
    // turn it into `&`, and write `&foo;` as an undefined entity).
    expect(xml).toContain('<title>Fish &amp;amp; chips &amp; &lt;b&gt;bold&lt;/b&gt; &amp;foo; ]]&gt;');
    expect(xml).not.toContain('\u0001');
  });

  it('Atom too', async () => {
    const xml = atomDocument(channel, [entry], new Date());
    const feed = await parser.parseString(xml);
    expect(feed.items[0]?.title).toBe(clean);
    expect(feed.items[0]?.content).toBe('<p>A &amp; B ]]> C</p>');
    expect(xml).toContain('label="Home &amp; &quot;Garden&quot;"');
  });
});
