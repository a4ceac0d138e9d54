import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  folderMediaFiles,
  type ImportContext,
  type ImportEntry,
  type ImportPost,
  markdownImporter,
  parseFrontMatterDate,
  splitFrontMatter,
} from '../../src/domain/portability/index.js';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-md-import-'));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

/** Writes a folder of files (text, or bytes for photos) and returns its path. */
function folder(name: string, files: Record<string, string | Buffer>): string {
  const root = path.join(base, name);
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
  }
  return root;
}

const photo = (label: string) => Buffer.from(`not really a photo: ${label}`);

/** The writer's side of the contract: every photo handed out is "imported" under /media/in/. */
function writerContext(entries: ImportEntry[]): ImportContext {
  const byId = () => new Map(entries.filter((e) => e.kind === 'media').map((e) => [e.media.id, e.media]));
  return {
    media: (id) => (byId().has(id) ? { url: `/media/in/${id}`, alt: '', caption: '' } : undefined),
    mediaUrl: (url) => {
      for (const m of byId().values()) if (m.urls.includes(url)) return `/media/in/${m.id}`;
      return undefined;
    },
  };
}

async function read(dir: string, now = '2026-01-01T00:00:00Z', key?: string): Promise<ImportEntry[]> {
  const entries: ImportEntry[] = [];
  const importer = markdownImporter(dir, { now: () => new Date(now), ...(key ? { key } : {}) });
  for await (const entry of importer(writerContext(entries))) entries.push(entry);
  return entries;
}

const posts = (entries: ImportEntry[]) =>
  new Map(entries.flatMap((e) => (e.kind === 'post' ? [[e.post.id, e.post] as [string, ImportPost]] : [])));
const skips = (entries: ImportEntry[]) => entries.flatMap((e) => (e.kind === 'skip' ? [e.skip] : []));
const ofKind = <K extends ImportEntry['kind']>(entries: ImportEntry[], kind: K) =>
  entries.filter((e): e is Extract<ImportEntry, { kind: K }> => e.kind === kind);

describe('a Jekyll site', () => {
  const dir = folder('jekyll', {
    '_config.yml': 'title: Sleepless\n',
    'README.md': '# How to build this site\n',
    '_layouts/post.html': '<html>{{ content }}</html>',
    '_includes/x.md': '---\ntitle: Not a post\n---\n',
    '_posts/2024-03-05-first-bath.md': [
      '---',
      'layout: post',
      'title: "First bath: a report"',
      'categories: Baby Care',
      'tags: [bath, newborn]',
      'excerpt: Warm water and a towel.',
      'image: /assets/img/bath.jpg',
      'redirect_from:',
      '  - /2024/03/05/bath.html',
      'author: Ana Lima',
      '---',
      'We filled the tub.',
      '',
      '![The tub](/assets/img/bath.jpg "After the bath")',
      '',
      '<!--more-->',
      '',
      '```',
      '![in code](../../etc/passwd)',
      '```',
    ].join('\n'),
    '_posts/2024-04-01-night-feeds.markdown': [
      '---',
      'title: Night feeds',
      'date: 2024-04-01 22:15:00 +0200',
      'published: false',
      '---',
      'Three times a night.',
    ].join('\n'),
    '_drafts/teething.md': '---\ntitle: Teething\n---\nSoon.\n',
    'about.md': '---\nlayout: page\ntitle: About\n---\nWe are two parents.\n',
    'assets/img/bath.jpg': photo('bath'),
  });

  it('hands out the site first, then authors, categories, tags and photos, then posts', async () => {
    const entries = await read(dir);
    expect(entries[0]).toEqual({
      kind: 'site',
      site: { platform: 'markdown', key: fs.realpathSync(dir), url: null, title: 'jekyll' },
    });
    const firstPost = entries.findIndex((e) => e.kind === 'post');
    const lastReferenced = Math.max(
      ...['author', 'category', 'tag', 'media'].map((k) => entries.map((e) => e.kind).lastIndexOf(k as never)),
    );
    expect(lastReferenced).toBeLessThan(firstPost);
    expect(ofKind(entries, 'category').map((e) => e.category)).toEqual([
      { id: 'baby-care', slug: 'baby-care', name: 'Baby Care', description: '', parentId: null, oldUrls: [] },
    ]);
    expect(ofKind(entries, 'tag').map((e) => e.tag.id)).toEqual(['bath', 'newborn']);
    expect(ofKind(entries, 'author').map((e) => e.author.name)).toEqual(['Ana Lima']);
    expect(ofKind(entries, 'media').map((e) => e.media)).toEqual([
      {
        id: 'assets/img/bath.jpg',
        file: 'assets/img/bath.jpg',
        url: 'assets/img/bath.jpg',
        urls: ['assets/img/bath.jpg'],
        alt: 'The tub',
        caption: '',
        credit: '',
        title: 'After the bath',
        oldUrls: [],
      },
    ]);
    expect([...posts(entries).keys()].sort()).toEqual([
      '_drafts/teething.md',
      '_posts/2024-03-05-first-bath.md',
      '_posts/2024-04-01-night-feeds.markdown',
      'about.md',
    ]);
  });

  it('takes date and slug from the file name, and the rest from the front matter', async () => {
    const post = posts(await read(dir)).get('_posts/2024-03-05-first-bath.md') as ImportPost;
    expect(post).toMatchObject({
      type: 'post',
      slug: 'first-bath',
      title: 'First bath: a report',
      status: 'published',
      publishedAt: '2024-03-05T00:00:00.000Z',
      excerpt: 'Warm water and a towel.',
      categoryIds: ['baby-care'],
      tagIds: ['bath', 'newborn'],
      featureImageId: 'assets/img/bath.jpg',
      authorId: 'ana-lima',
      oldUrls: ['/2024/03/05/bath.html'],
    });
    // The image link points at the imported photo; code blocks and the summary divider are left.
    expect(post.body).toBe(
      [
        'We filled the tub.',
        '',
        '![The tub](/media/in/assets/img/bath.jpg "After the bath")',
        '',
        '',
        '```',
        '![in code](../../etc/passwd)',
        '```',
      ].join('\n'),
    );
  });

  it('makes published: false and _drafts drafts, layout: page a page', async () => {
    const all = posts(await read(dir));
    expect(all.get('_posts/2024-04-01-night-feeds.markdown')).toMatchObject({
      status: 'draft',
      slug: 'night-feeds',
      publishedAt: '2024-04-01T20:15:00.000Z',
    });
    expect(all.get('_drafts/teething.md')).toMatchObject({ status: 'draft', type: 'post', slug: 'teething' });
    expect(all.get('about.md')).toMatchObject({ type: 'page', slug: 'about', status: 'published' });
  });

  it('reads the same ids a second time (what makes a re-import add nothing)', async () => {
    const ids = (entries: ImportEntry[]) =>
      entries.flatMap((e) => ('post' in e ? [e.post.id] : 'media' in e ? [e.media.id] : []));
    expect(ids(await read(dir))).toEqual(ids(await read(dir)));
  });

  it('takes a name for the site in place of its path', async () => {
    const [site] = await read(dir, undefined, 'my-old-jekyll');
    expect(site).toMatchObject({ site: { key: 'my-old-jekyll' } });
  });
});

describe('a Hugo site', () => {
  const dir = folder('hugo', {
    'hugo.toml': 'title = "Sleepless"\n',
    'README.md': 'Not walked: only content/ is.\n',
    'archetypes/default.md': '---\ntitle: "{{ .Name }}"\n---\n',
    'content/_index.md': '---\ntitle: Home\n---\n',
    'content/posts/toml-post.md': [
      '+++',
      'title = "Sleep training"',
      'date = 2025-02-10T08:30:00+01:00',
      'lastmod = 2025-02-11T09:00:00Z',
      'tags = ["sleep", "routines"]',
      'categories = ["Sleep"]',
      'aliases = ["/old/sleep-training/"]',
      'summary = "What worked for us."',
      'draft = true',
      '+++',
      'It took a week. {{< figure src="chart.png" >}}',
    ].join('\n'),
    'content/posts/bundle/index.md': [
      '---',
      'title: Our first walk',
      'slug: first-walk',
      'date: 2025-03-01',
      'cover:',
      '  image: cover.jpg',
      '  alt: A pram in the park',
      'tags: walks',
      '---',
      'Out at last. ![Ducks](ducks.png) and [a link](https://example.org/x.png).',
      '',
      '![Shared][shared]',
      '',
      '[shared]: /images/shared.png',
    ].join('\n'),
    'content/posts/bundle/cover.jpg': photo('cover'),
    'content/posts/bundle/ducks.png': photo('ducks'),
    'static/images/shared.png': photo('shared'),
    'content/posts/future.md': '---\ntitle: Later\ndate: 2030-01-01T00:00:00Z\n---\nNot yet.\n',
    'content/about/index.md': '---\ntitle: About us\n---\nHello. <b>bold</b>\n',
  });

  it('reads only content/, TOML and YAML alike, page bundles by their folder', async () => {
    const entries = await read(dir);
    const all = posts(entries);
    expect([...all.keys()].sort()).toEqual([
      'content/about/index.md',
      'content/posts/bundle/index.md',
      'content/posts/future.md',
      'content/posts/toml-post.md',
    ]);
    expect(all.get('content/posts/toml-post.md')).toMatchObject({
      type: 'post',
      slug: 'toml-post',
      title: 'Sleep training',
      status: 'draft',
      publishedAt: '2025-02-10T07:30:00.000Z',
      updatedAt: '2025-02-11T09:00:00.000Z',
      excerpt: 'What worked for us.',
      tagIds: ['sleep', 'routines'],
      categoryIds: ['sleep'],
      oldUrls: ['/old/sleep-training/'],
      unknownShortcodes: ['figure'],
    });
    const bundle = all.get('content/posts/bundle/index.md') as ImportPost;
    expect(bundle).toMatchObject({
      slug: 'first-walk',
      status: 'published',
      publishedAt: '2025-03-01T00:00:00.000Z',
      featureImageId: 'content/posts/bundle/cover.jpg',
      tagIds: ['walks'],
    });
    expect(bundle.body).toContain('![Ducks](/media/in/content/posts/bundle/ducks.png)');
    expect(bundle.body).toContain('[a link](https://example.org/x.png)');
    expect(bundle.body).toContain('[shared]: /media/in/static/images/shared.png');
    expect(all.get('content/posts/future.md')).toMatchObject({ status: 'scheduled' });
    expect(all.get('content/about/index.md')).toMatchObject({ type: 'page', slug: 'about' });
    const media = ofKind(entries, 'media').map((e) => e.media);
    expect(media.map((m) => m.id).sort()).toEqual([
      'content/posts/bundle/cover.jpg',
      'content/posts/bundle/ducks.png',
      'static/images/shared.png',
    ]);
    expect(media.find((m) => m.id.endsWith('cover.jpg'))?.alt).toBe('A pram in the park');
  });

  it('notes the section page it leaves out, the missing photo and the raw HTML', async () => {
    const notes = skips(await read(dir));
    expect(notes).toContainEqual({
      what: 'file',
      name: 'content/_index.md',
      reason: 'a Hugo section list page (no post of its own)',
    });
    expect(notes).toContainEqual(
      expect.objectContaining({
        what: 'raw HTML',
        name: '1 post',
        reason: expect.stringContaining('content/about/index.md'),
      }),
    );
  });

  it('reads the photos handed out from the folder, and nothing outside it', async () => {
    const files = folderMediaFiles(dir);
    expect(await files.read('content/posts/bundle/ducks.png', '')).toEqual(photo('ducks'));
    expect(await files.read('../jekyll/assets/img/bath.jpg', '')).toBeUndefined();
    expect(await files.read('/etc/passwd', '')).toBeUndefined();
  });
});

describe('an Eleventy site', () => {
  const dir = folder('eleventy', {
    'eleventy.config.js': 'export default {};\n',
    'posts/posts.json': '{"layout": "post.njk"}',
    'posts/hello.md':
      '---\ntitle: Hello\ndate: 2023-06-01\ntags:\n  - posts\n  - first\ndescription: The first one.\n---\nHi.\n',
    'posts/no-front-matter.md': 'Just text.\n',
    'posts/patterned.md':
      '---\ntitle: Patterned\npermalink: "/blog/{{ page.fileSlug }}/"\naliases: [/:year/:title/, /old/patterned/]\n---\n',
    'index.md': '---\ntitle: Home\n---\nWelcome.\n',
    'notes/idea.md': '---\ntitle: An idea\nlayout: post\ndate: 2023-07-01\n---\nMaybe.\n',
  });

  it('makes posts/ posts and the rest pages, and names a file without a title', async () => {
    const entries = await read(dir);
    const all = posts(entries);
    expect(all.get('posts/hello.md')).toMatchObject({
      type: 'post',
      slug: 'hello',
      excerpt: 'The first one.',
      tagIds: ['posts', 'first'],
      publishedAt: '2023-06-01T00:00:00.000Z',
    });
    expect(all.get('index.md')).toMatchObject({ type: 'page', slug: 'index' });
    expect(all.get('posts/patterned.md')?.oldUrls).toEqual(['/old/patterned/']);
    expect(all.get('notes/idea.md')).toMatchObject({ type: 'post' });
    expect(all.get('posts/no-front-matter.md')).toMatchObject({ title: 'no front matter', slug: 'no-front-matter' });
    expect(skips(entries)).toContainEqual({
      what: 'title',
      name: 'posts/no-front-matter.md',
      reason: 'has no title; imported as "no front matter", from its file name',
    });
  });
});

describe('a hostile or broken folder', () => {
  const outside = folder('outside', { 'secret.png': photo('secret'), 'stolen.md': '---\ntitle: Stolen\n---\n' });
  const dir = folder('hostile', {
    'posts/climb.md': '---\ntitle: Climb\n---\n![up](../../outside/secret.png)\n',
    'posts/absolute.md': '---\ntitle: Absolute\nimage: /../../outside/secret.png\n---\n![abs](file:///etc/passwd)\n',
    'posts/linked.md': '---\ntitle: Linked\n---\n![link](leak.png)\n',
    'posts/broken-yaml.md': '---\ntitle: [unclosed\n---\nBody.\n',
    'posts/broken-toml.md': '+++\ntitle = \n+++\nBody.\n',
    'posts/unclosed.md': '---\ntitle: Never closed\nBody.\n',
    'posts/bad-date.md': '---\ntitle: Bad date\ndate: 2024-02-31\ntags: [only-here]\n---\nBody.\n',
    'posts/not-a-date.md': '---\ntitle: Not a date\ndate: yesterday\n---\nBody.\n',
    'posts/empty-title.md': '---\ntitle: ""\n---\nBody.\n',
    'posts/list.md': '---\n- a\n- b\n---\nBody.\n',
    'posts/latin1.md': Buffer.from([0x2d, 0x2d, 0x2d, 0x0a, 0x74, 0x3a, 0x20, 0xe9, 0x0a, 0x2d, 0x2d, 0x2d, 0x0a]),
    'posts/fine.md': '---\ntitle: Fine\n---\nStill imported.\n',
  });
  fs.symlinkSync(path.join(outside, 'secret.png'), path.join(dir, 'posts/leak.png'));
  fs.symlinkSync(path.join(outside, 'stolen.md'), path.join(dir, 'posts/stolen.md'));

  it('refuses every way out of the folder with a skip entry, and hands out no photo from outside', async () => {
    const entries = await read(dir);
    expect(ofKind(entries, 'media')).toEqual([]);
    const notes = skips(entries);
    expect(notes).toContainEqual({
      what: 'image',
      name: '../../outside/secret.png in posts/climb.md',
      reason: 'outside the folder; only files inside it are imported',
    });
    expect(notes).toContainEqual({
      what: 'image',
      name: '/../../outside/secret.png in posts/absolute.md',
      reason: 'outside the folder; only files inside it are imported',
    });
    expect(notes).toContainEqual({
      what: 'image',
      name: 'file:///etc/passwd in posts/absolute.md',
      reason: 'an absolute file path; only files inside the folder are imported',
    });
    expect(notes).toContainEqual({
      what: 'image',
      name: 'leak.png in posts/linked.md',
      reason: 'a symbolic link that leads outside the folder',
    });
    expect(notes).toContainEqual({
      what: 'file',
      name: 'posts/stolen.md',
      reason: 'a symbolic link that leads outside the folder',
    });
    const all = posts(entries);
    expect(all.has('posts/stolen.md')).toBe(false);
    // The links stay as written; nothing points at the file outside.
    expect(all.get('posts/climb.md')?.body).toBe('![up](../../outside/secret.png)\n');
    expect(all.get('posts/absolute.md')?.featureImageId).toBeNull();
  });

  it('names each broken file and imports the rest', async () => {
    const entries = await read(dir);
    const notes = skips(entries);
    const reasonFor = (name: string) => notes.find((n) => n.name === name)?.reason;
    expect(reasonFor('posts/broken-yaml.md')).toMatch(/^the YAML front matter does not parse: /);
    expect(reasonFor('posts/broken-toml.md')).toMatch(/^the TOML front matter does not parse: /);
    expect(reasonFor('posts/unclosed.md')).toBe("the front matter's closing --- is missing");
    expect(reasonFor('posts/bad-date.md')).toBe('its date "2024-02-31" is not a date');
    // The refused post's tag is not handed out, and the post is named once.
    expect(ofKind(entries, 'tag')).toEqual([]);
    expect(notes.filter((n) => n.name === 'posts/bad-date.md')).toHaveLength(1);
    expect(reasonFor('posts/not-a-date.md')).toBe('its date "yesterday" is not a date');
    expect(reasonFor('posts/list.md')).toBe('the front matter is not a list of keys');
    expect(reasonFor('posts/latin1.md')).toBe('not UTF-8 text');
    expect(reasonFor('posts/empty-title.md')).toBe('has no title; imported as "empty title", from its file name');
    expect([...posts(entries).keys()].sort()).toEqual([
      'posts/absolute.md',
      'posts/climb.md',
      'posts/empty-title.md',
      'posts/fine.md',
      'posts/linked.md',
    ]);
  });
});

describe('front matter', () => {
  it('reads the dates Jekyll, Hugo and Eleventy write, as UTC', () => {
    expect(parseFrontMatterDate('2024-03-05')).toBe('2024-03-05T00:00:00.000Z');
    expect(parseFrontMatterDate('2024-03-05 10:00')).toBe('2024-03-05T10:00:00.000Z');
    expect(parseFrontMatterDate('2024-03-05 10:00:00 +0100')).toBe('2024-03-05T09:00:00.000Z');
    expect(parseFrontMatterDate('2024-03-05T10:00:00-05:30')).toBe('2024-03-05T15:30:00.000Z');
    expect(parseFrontMatterDate('2024-03-05T10:00:00.250Z')).toBe('2024-03-05T10:00:00.250Z');
    expect(parseFrontMatterDate(new Date('2024-03-05T10:00:00Z'))).toBe('2024-03-05T10:00:00.000Z');
    for (const bad of ['2024-13-01', '2024-02-30', '2024-03-05 25:00', 'March 5', '', 20240305])
      expect(parseFrontMatterDate(bad)).toBeUndefined();
  });

  it('keeps YAML 1.1 words as text, and a file without front matter whole', () => {
    expect(splitFrontMatter('---\ntitle: yes\ndraft: true\n---\nBody').data).toEqual({ title: 'yes', draft: true });
    expect(splitFrontMatter('\uFEFF---\r\ntitle: CRLF\r\n---\r\nBody')).toMatchObject({ data: { title: 'CRLF' } });
    expect(splitFrontMatter('Just text\n---\n')).toEqual({ data: {}, body: 'Just text\n---\n', format: 'none' });
  });
});
