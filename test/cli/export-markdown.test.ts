import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../src/config.js';
import {
  type ImportEntry,
  type ImportPost,
  type ImportReport,
  markdownImporter,
} from '../../src/domain/portability/index.js';
import { createApp } from '../../src/main.js';

/** `hearth export markdown` as a user runs it: the built binary, on the demo blog. */
const bin = path.resolve('dist/cli/bin.js');
const eleventy = path.resolve('node_modules/.bin/eleventy');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-export-md-'));
const out = path.join(dataDir, 'export');

const hearth = (args: string[]) => {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HEARTH_') && v !== undefined) clean[k] = v;
  return spawnSync(process.execPath, [bin, ...args], {
    env: { ...clean, HEARTH_DATA_DIR: dataDir, HEARTH_LOG_LEVEL: 'silent', HEARTH_PUBLIC_URL: 'https://blog.test' },
    encoding: 'utf8',
    timeout: 120_000,
  });
};

interface Expected {
  type: 'post' | 'page';
  slug: string;
  title: string;
  status: string;
  publishedAt: string | null;
  tags: string[];
}
let expected: Expected[] = [];

beforeAll(async () => {
  if (!fs.existsSync(bin)) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  const app = await createApp(loadConfig({ HEARTH_DATA_DIR: dataDir, HEARTH_LOG_LEVEL: 'silent' }));
  try {
    const { services } = app;
    const soup = await services.posts.publishedBySlug('autumn-lentil-soup');
    if (!soup) throw new Error('the demo blog has no lentil soup');
    // A draft with a title YAML 1.1 reads as a boolean, a scheduled post, and a moved post.
    await services.posts.create({
      title: 'Yes',
      body: 'Half a thought, [as elsewhere](https://elsewhere.example/media/2026/01/x.jpg).',
      status: 'draft',
      authorId: soup.author.id,
      tags: ['ideas'],
    });
    await services.posts.create({
      title: 'Next spring: "seed swaps"',
      body: 'Coming soon: {{ not a template }} and {% neither %}.',
      status: 'scheduled',
      publishedAt: '2099-03-01T09:00:00Z',
      authorId: soup.author.id,
    });
    // A post about Hugo: its shortcode is text, and must stay text in Hugo's build.
    await services.posts.create({
      title: 'Writing about Hugo',
      body: 'Type {{< youtube abc >}} to embed a video, or {{% note %}}.\n\n```\n{{< figure src="x.jpg" >}}\n```',
      status: 'published',
      publishedAt: '2025-01-01T09:00:00Z',
      authorId: soup.author.id,
    });
    await services.posts.update(soup.id, { slug: 'lentil-soup' });
    // A post in the trash is not part of the blog: no bundle for it.
    const binned = await services.posts.create({
      title: 'Second thoughts',
      body: 'Not for the blog after all.',
      status: 'published',
      publishedAt: '2025-02-01T09:00:00Z',
      authorId: soup.author.id,
    });
    await services.trash.trash({ id: soup.author.id, email: '', role: 'owner' }, binned.id);
    const rows = await app.database.db
      .selectFrom('posts')
      .select(['id', 'type', 'slug', 'title', 'status', 'published_at'])
      .where('trashed_at', 'is', null)
      .orderBy('id')
      .execute();
    for (const row of rows) {
      const tags = await app.database.db
        .selectFrom('post_tags')
        .innerJoin('tags', 'tags.id', 'post_tags.tag_id')
        .select('tags.name')
        .where('post_id', '=', row.id)
        .orderBy('position')
        .execute();
      expected.push({
        type: row.type,
        slug: row.slug,
        title: row.title,
        status: row.status,
        publishedAt: row.published_at,
        tags: tags.map((t) => t.name),
      });
    }
  } finally {
    await app.close();
  }
  expected = expected.sort((a, b) => a.slug.localeCompare(b.slug));
}, 120_000);
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const frontMatterOf = (file: string) => {
  const text = fs.readFileSync(file, 'utf8');
  const m = /^---\n([\s\S]*?)\n---\n/.exec(text);
  if (!m) throw new Error(`${file} has no front matter`);
  return parseYaml(m[1] as string) as Record<string, unknown>;
};

describe('hearth export markdown', () => {
  it('writes every post and page as a page bundle with its photos, and says what it wrote', () => {
    const run = hearth(['export', 'markdown', out]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const posts = expected.filter((p) => p.type === 'post').length;
    expect(run.stdout).toMatch(
      new RegExp(`^Exported ${posts} posts and 1 pages with \\d+ photos to ${out} in \\d+\\.\\d s\\.`),
    );
    for (const p of expected) {
      const file =
        p.type === 'post'
          ? path.join(out, 'content/posts', p.slug, 'index.md')
          : path.join(out, 'content', p.slug, 'index.md');
      expect(fs.existsSync(file), file).toBe(true);
    }
    expect(fs.existsSync(path.join(out, 'content/posts/second-thoughts'))).toBe(false);
    for (const name of ['hugo.toml', 'eleventy.config.mjs', '_includes/post.liquid', 'layouts/_default/single.html'])
      expect(fs.existsSync(path.join(out, name)), name).toBe(true);
  });

  it('writes the front matter Hugo and Eleventy read, with photos beside the post', () => {
    const soup = frontMatterOf(path.join(out, 'content/posts/lentil-soup/index.md'));
    expect(soup).toMatchObject({
      title: 'Our Autumn Lentil Soup',
      slug: 'lentil-soup',
      draft: false,
      categories: ['Family Kitchen'],
      tags: ['recipes', 'batch cooking', 'toddlers'],
      aliases: ['/autumn-lentil-soup/'],
      author: expect.any(String),
      description: expect.stringContaining('one-pot soup'),
    });
    expect(soup.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(soup.lastmod).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const image = soup.image as string;
    expect(image).toMatch(/^[\w-]+\.jpg$/);
    expect(fs.statSync(path.join(out, 'content/posts/lentil-soup', image)).size).toBeGreaterThan(1000);
    // Every /media/ link of a body now names a file in the bundle.
    const massage = fs.readFileSync(path.join(out, 'content/posts/benefits-of-infant-massage/index.md'), 'utf8');
    expect(massage).not.toContain('/media/');
    const linked = [...massage.matchAll(/!\[[^\]]*\]\(([^\s)]+)/g)].map((m) => m[1] as string);
    expect(linked.length).toBeGreaterThan(1);
    for (const file of linked)
      expect(fs.existsSync(path.join(out, 'content/posts/benefits-of-infant-massage', file)), file).toBe(true);
    const draft = frontMatterOf(path.join(out, 'content/posts/yes/index.md'));
    expect(draft).toMatchObject({ title: 'Yes', draft: true, tags: ['ideas'] });
    expect(fs.readFileSync(path.join(out, 'content/posts/yes/index.md'), 'utf8')).toContain(
      '[as elsewhere](https://elsewhere.example/media/2026/01/x.jpg)',
    );
  });

  it('reads back through the Markdown importer with the same titles, slugs, dates, tags and states', async () => {
    const entries: ImportEntry[] = [];
    const importer = markdownImporter(out);
    for await (const entry of importer({ media: () => undefined, mediaUrl: () => undefined })) entries.push(entry);
    const problems = entries.filter((e) => e.kind === 'skip');
    expect(problems).toEqual([]);
    const posts = entries.flatMap((e) => (e.kind === 'post' ? [e.post] : [])) as ImportPost[];
    const tagNames = new Map(entries.flatMap((e) => (e.kind === 'tag' ? [[e.tag.id, e.tag.name]] : [])));
    const read = posts
      .map((p) => ({
        type: p.type,
        slug: p.slug,
        title: p.title,
        status: p.status,
        publishedAt: p.status === 'draft' ? null : p.publishedAt,
        tags: p.tagIds.map((id) => tagNames.get(id)),
      }))
      .sort((a, b) => a.slug.localeCompare(b.slug));
    expect(read).toEqual(
      expected.map((p) => ({
        ...p,
        publishedAt: p.publishedAt ? new Date(p.publishedAt).toISOString().replace(/\.\d+Z$/, '.000Z') : null,
      })),
    );
    expect(posts.find((p) => p.slug === 'writing-about-hugo')?.body).toBe(
      'Type {{< youtube abc >}} to embed a video, or {{% note %}}.\n\n```\n{{< figure src="x.jpg" >}}\n```\n',
    );
    const soup = posts.find((p) => p.slug === 'lentil-soup');
    expect(soup?.oldUrls).toEqual(['/autumn-lentil-soup/']);
    expect(soup?.featureImageId).toMatch(/^content\/posts\/lentil-soup\/[\w-]+\.jpg$/);
  });

  it('comes back in whole through hearth import markdown, into a new blog', () => {
    const fresh = path.join(dataDir, 'fresh');
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HEARTH_') && v !== undefined) clean[k] = v;
    const run = (args: string[], input?: string) =>
      spawnSync(process.execPath, [bin, ...args], {
        env: { ...clean, HEARTH_DATA_DIR: fresh, HEARTH_LOG_LEVEL: 'silent' },
        encoding: 'utf8',
        timeout: 120_000,
        ...(input ? { input } : {}),
      });
    expect(
      run(['user', 'create', '--name', 'Owner', '--email', 'o@blog.test', '--password-stdin'], 'long enough words\n')
        .status,
    ).toBe(0);
    const report = path.join(dataDir, 'report.json');
    const imported = run(['import', 'markdown', out, '--report', report]);
    expect(imported.status, imported.stderr).toBe(0);
    const { counts, skipped, missingMedia } = JSON.parse(fs.readFileSync(report, 'utf8')) as ImportReport;
    expect(skipped).toEqual([]);
    expect(missingMedia).toEqual([]);
    expect(counts.posts.added).toBe(expected.filter((p) => p.type === 'post').length);
    expect(counts.pages.added).toBe(1);
    expect(counts.media.added).toBeGreaterThan(10);
  });

  it('builds with Hugo as it is: each published post at its Hearth address, photos beside it', () => {
    const build = spawnSync('hugo', ['--quiet', '--destination', path.join(dataDir, 'hugo-site')], {
      cwd: out,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(build.error).toBeUndefined();
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    const site = path.join(dataDir, 'hugo-site');
    for (const p of expected) {
      const page = path.join(site, p.slug, 'index.html');
      if (p.status !== 'published') {
        expect(fs.existsSync(page), `${p.slug} is not public`).toBe(false);
        continue;
      }
      expect(fs.readFileSync(page, 'utf8'), p.slug).toContain('<article>\n<h1>');
    }
    const soup = fs.readFileSync(path.join(site, 'lentil-soup/index.html'), 'utf8');
    expect(soup).toContain('<h1>Our Autumn Lentil Soup</h1>');
    expect(soup).toContain('<h2 id="what-you-need">What you need</h2>');
    const image = frontMatterOf(path.join(out, 'content/posts/lentil-soup/index.md')).image as string;
    expect(fs.existsSync(path.join(site, 'lentil-soup', image))).toBe(true);
    // The old address is an alias page that sends readers on.
    expect(fs.readFileSync(path.join(site, 'autumn-lentil-soup/index.html'), 'utf8')).toContain(
      'https://blog.test/lentil-soup/',
    );
    expect(fs.existsSync(path.join(site, 'about/index.html'))).toBe(true);
    const hugoPost = fs.readFileSync(path.join(site, 'writing-about-hugo/index.html'), 'utf8');
    expect(hugoPost).toContain('Type {{&lt; youtube abc &gt;}} to embed a video, or {{% note %}}.');
    expect(hugoPost).toContain('{{&lt; figure src=&#34;x.jpg&#34; &gt;}}');
  });

  it('builds with Eleventy as it is: the same addresses, drafts left out, {{ }} kept as text', () => {
    const site = path.join(dataDir, 'eleventy-site');
    const build = spawnSync(eleventy, ['--quiet', '--output', site], { cwd: out, encoding: 'utf8', timeout: 120_000 });
    expect(build.error).toBeUndefined();
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    for (const p of expected) {
      const page = path.join(site, p.slug, 'index.html');
      expect(fs.existsSync(page), p.slug).toBe(p.status !== 'draft');
    }
    const soup = fs.readFileSync(path.join(site, 'lentil-soup/index.html'), 'utf8');
    expect(soup).toContain('<h1>Our Autumn Lentil Soup</h1>');
    const image = frontMatterOf(path.join(out, 'content/posts/lentil-soup/index.md')).image as string;
    // The feature image keeps its alt text (the demo's photo has one).
    expect(soup).toMatch(new RegExp(`<img src="${image}" alt="[^"]+">`));
    expect(fs.existsSync(path.join(site, 'lentil-soup', image))).toBe(true);
    expect(fs.existsSync(path.join(site, 'about/index.html'))).toBe(true);
    const scheduled = expected.find((p) => p.status === 'scheduled')?.slug as string;
    expect(fs.readFileSync(path.join(site, scheduled, 'index.html'), 'utf8')).toContain(
      'Coming soon: {{ not a template }} and {% neither %}.',
    );
  });

  it('refuses a folder that is not empty unless --force, and an unknown format', () => {
    const again = hearth(['export', 'markdown', out]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain(`hearth: ${out} is not empty; use --force to write into it anyway`);
    const forced = hearth(['export', 'markdown', out, '--force']);
    expect(forced.status).toBe(0);
    const unknown = hearth(['export', 'pdf', out]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain(
      'hearth: unknown export format; try: hearth export wordpress FILE.xml, or hearth export markdown DIR',
    );
  });
});
