import fs from 'node:fs/promises';
import path from 'node:path';
import { stringify as toToml } from 'smol-toml';
import { stringify as toYaml } from 'yaml';
import { urls } from '../../../shared/urls.js';
import type { Db } from '../../../storage/index.js';

export interface MarkdownExportDeps {
  db: Db;
  /** A stored photo's bytes by its path below the media root, or undefined when it is gone. */
  readMedia(mediaPath: string): Promise<Buffer | undefined>;
}

export interface MarkdownExportOptions {
  /** Names the site in `hugo.toml`. */
  title: string;
  /** The site's public address (Hugo's `baseURL`). */
  publicUrl: string;
  /** Posts read per query. */
  pageSize?: number;
  /** Told after each post or page is written. */
  onProgress?: (done: number, total: number) => void;
}

export interface MarkdownExportResult {
  posts: number;
  pages: number;
  images: number;
  /** Photos a post uses whose file is not in the media store: `slug: path`. */
  missing: string[];
}

/** One post or page as the export writes it. */
export interface ExportedPost {
  id: number;
  type: 'post' | 'page';
  slug: string;
  title: string;
  body: string;
  excerpt: string;
  status: 'draft' | 'scheduled' | 'published';
  publishedAt: string | null;
  createdAt: string;
  updatedAt: string;
  author: string;
  category: string | null;
  tags: string[];
  featureImage: string | null;
  /** The feature image's alt text (the post's own, else the photo's). */
  featureImageAlt: string;
  /** Old addresses that redirect to this post. */
  aliases: string[];
}

/** A link to a library file, as Hearth writes it: a path, not another site's `/media/`. */
const MEDIA_LINK = /(?<=^|[\s(<"'[])\/media\/([^\s)"'<>\]]+)/g;

/**
 * Every post and page, drafts and scheduled ones included, oldest id first, a page of rows
 * at a time (with their tags, and the old addresses that redirect to them).
 */
export async function* exportedPosts(db: Db, pageSize = 200): AsyncGenerator<ExportedPost> {
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('posts')
      .innerJoin('users as author', 'author.id', 'posts.author_id')
      .leftJoin('categories as category', 'category.id', 'posts.category_id')
      .leftJoin('media as feature', 'feature.id', 'posts.feature_image_id')
      .select([
        'posts.id',
        'posts.type',
        'posts.slug',
        'posts.title',
        'posts.body',
        'posts.excerpt',
        'posts.status',
        'posts.published_at',
        'posts.created_at',
        'posts.updated_at',
        'author.display_name as author_name',
        'category.name as category_name',
        'feature.path as feature_path',
        'feature.alt as feature_alt',
        'posts.feature_image_alt',
      ])
      .where('posts.id', '>', after)
      // The trash is not part of the blog a static site is made from.
      .where('posts.trashed_at', 'is', null)
      .orderBy('posts.id')
      .limit(pageSize)
      .execute();
    if (rows.length === 0) return;
    const ids = rows.map((r) => r.id);
    const tagRows = await db
      .selectFrom('post_tags')
      .innerJoin('tags', 'tags.id', 'post_tags.tag_id')
      .select(['post_tags.post_id', 'tags.name'])
      .where('post_tags.post_id', 'in', ids)
      .orderBy('post_tags.post_id')
      .orderBy('post_tags.position')
      .execute();
    const paths = rows.map((r) => urls.post(r.slug));
    const redirectRows = await db
      .selectFrom('redirects')
      .select(['from_path', 'to_path'])
      .where('to_path', 'in', paths)
      .orderBy('id')
      .execute();
    for (const row of rows) {
      const own = urls.post(row.slug);
      yield {
        id: row.id,
        type: row.type,
        slug: row.slug,
        title: row.title,
        body: row.body,
        excerpt: row.excerpt,
        status: row.status,
        publishedAt: row.published_at,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
        author: row.author_name,
        category: row.category_name,
        tags: tagRows.filter((t) => t.post_id === row.id).map((t) => t.name),
        featureImage: row.feature_path,
        featureImageAlt: row.feature_image_alt || row.feature_alt || '',
        aliases: redirectRows.filter((r) => r.to_path === own).flatMap((r) => alias(r.from_path)),
      };
    }
    after = rows[rows.length - 1]?.id ?? after;
  }
}

/**
 * Writes the blog as a folder that Hugo and Eleventy build as it is: each post as a Hugo
 * page bundle `content/posts/<slug>/index.md`, each page as `content/<slug>/index.md`, with
 * YAML front matter and the photos it uses copied beside it (its Markdown points at them by
 * file name); `hugo.toml` with Hugo's templates in `layouts/`, and `eleventy.config.mjs` with
 * its layout in `_includes/`. Posts are read and written one at a time.
 */
export async function exportMarkdown(
  deps: MarkdownExportDeps,
  dir: string,
  options: MarkdownExportOptions,
): Promise<MarkdownExportResult> {
  const result: MarkdownExportResult = { posts: 0, pages: 0, images: 0, missing: [] };
  await fs.mkdir(dir, { recursive: true });
  await writeSiteFiles(dir, options);
  const counted = await deps.db
    .selectFrom('posts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('trashed_at', 'is', null)
    .executeTakeFirstOrThrow();
  const total = Number(counted.n);
  let done = 0;
  for await (const post of exportedPosts(deps.db, options.pageSize)) {
    const folder = safeSegment(post.slug) ?? `post-${post.id}`;
    const bundle =
      post.type === 'post' ? path.join(dir, 'content', 'posts', folder) : path.join(dir, 'content', pageFolder(folder));
    await fs.mkdir(bundle, { recursive: true });
    // Each photo the post uses, copied once into the bundle under a name of its own.
    const names = new Map<string, string>();
    const taken = new Set<string>(['index.md']);
    const copy = async (mediaPath: string): Promise<string | undefined> => {
      const known = names.get(mediaPath);
      if (known) return known;
      const data = await deps.readMedia(mediaPath);
      if (!data) {
        result.missing.push(`${post.slug}: ${mediaPath}`);
        return undefined;
      }
      let name = path.posix.basename(mediaPath);
      for (let n = 2; taken.has(name); n++) name = `${n}-${path.posix.basename(mediaPath)}`;
      taken.add(name);
      names.set(mediaPath, name);
      await fs.writeFile(path.join(bundle, name), data);
      result.images++;
      return name;
    };
    let body = post.body;
    const linked = [...new Set([...body.matchAll(MEDIA_LINK)].map((m) => m[1] as string))];
    const library = linked.length
      ? new Set(
          (await deps.db.selectFrom('media').select('path').where('path', 'in', linked).execute()).map((r) => r.path),
        )
      : new Set<string>();
    for (const mediaPath of linked) if (library.has(mediaPath)) await copy(mediaPath);
    body = body.replace(MEDIA_LINK, (whole, mediaPath: string) => names.get(mediaPath) ?? whole);
    // Text that reads as a Hugo shortcode is written in Hugo's literal form, which Hugo
    // prints as the text itself (and the Markdown importer reads back as it was).
    body = body.replace(/\{\{([<%])/g, '{{$1/*').replace(/([>%])\}\}/g, '*/$1}}');
    const image = post.featureImage ? await copy(post.featureImage) : undefined;
    await fs.writeFile(path.join(bundle, 'index.md'), `${frontMatter(post, image)}\n${body.trimEnd()}\n`, 'utf8');
    if (post.type === 'post') result.posts++;
    else result.pages++;
    done++;
    options.onProgress?.(done, Math.max(total, done));
  }
  return result;
}

/** The post's front matter, as Hugo and Eleventy read it (YAML 1.1 quoting, so `yes` stays text). */
function frontMatter(post: ExportedPost, image: string | undefined): string {
  const data: Record<string, unknown> = {
    title: post.title,
    date: isoSeconds(post.publishedAt ?? post.createdAt),
    lastmod: isoSeconds(post.updatedAt),
    slug: post.slug,
    draft: post.status === 'draft',
  };
  if (post.excerpt) data.description = post.excerpt;
  if (post.category) data.categories = [post.category];
  if (post.tags.length > 0) data.tags = post.tags;
  if (image) data.image = image;
  if (image && post.featureImageAlt) data.image_alt = post.featureImageAlt;
  if (post.aliases.length > 0) data.aliases = post.aliases;
  data.author = post.author;
  return `---\n${toYaml(data, { version: '1.1', lineWidth: 0 })}---\n`;
}

/**
 * An old address as Hugo writes an alias: a folder path, decoded (`/2024/03/café/`; a web server
 * decodes the request before it looks for the folder). Short links with a query (`/?p=12`) name
 * no folder: they are left out.
 */
function alias(from: string): string[] {
  if (from.includes('?')) return [];
  try {
    return [decodeURIComponent(from)];
  } catch {
    return [from];
  }
}

/** `2024-03-05T10:00:00Z`: Hugo, Eleventy and Jekyll all read it. */
function isoSeconds(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A slug as one folder name, or undefined when it cannot be one. */
function safeSegment(slug: string): string | undefined {
  if (!slug || slug === '.' || slug === '..' || /[/\\\0]/.test(slug) || slug.startsWith('.')) return undefined;
  return slug;
}

/** Pages sit beside `content/posts/`; a page named "posts" must not land in it. */
function pageFolder(folder: string): string {
  return folder === 'posts' ? 'posts-page' : folder;
}

async function writeSiteFiles(dir: string, options: MarkdownExportOptions): Promise<void> {
  const baseURL = options.publicUrl.endsWith('/') ? options.publicUrl : `${options.publicUrl}/`;
  const hugo = toToml({
    baseURL,
    title: options.title,
    languageCode: 'en',
    // Hearth's addresses: a post at /slug/, a page at /slug/.
    permalinks: { posts: '/:slug/' },
    markup: { goldmark: { renderer: { unsafe: false } } },
  });
  const files: Record<string, string> = {
    'hugo.toml': `# Made by hearth export markdown. Build with: hugo\n${hugo}\n`,
    'layouts/_default/baseof.html': HUGO_BASE,
    'layouts/_default/single.html': HUGO_SINGLE,
    'layouts/_default/list.html': HUGO_LIST,
    'layouts/index.html': HUGO_LIST,
    'eleventy.config.mjs': ELEVENTY_CONFIG,
    '_includes/post.liquid': ELEVENTY_LAYOUT,
  };
  for (const [name, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), text, 'utf8');
  }
}

const HUGO_BASE = `<!doctype html>
<html lang="{{ site.LanguageCode }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title>
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
`;

const HUGO_SINGLE = `{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006" }}</time>{{ with .Params.author }} · {{ . }}{{ end }}</p>
{{ with .Params.image }}<img src="{{ . }}" alt="{{ $.Params.image_alt }}">{{ end }}
{{ .Content }}
</article>
{{ end }}
`;

const HUGO_LIST = `{{ define "main" }}
<h1>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }}{{ end }}</h1>
<ul>
{{ range (where site.RegularPages "Section" "posts") }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time></li>
{{ end }}</ul>
{{ end }}
`;

const ELEVENTY_CONFIG = `// Made by hearth export markdown. Build with: npx @11ty/eleventy
import fs from 'node:fs/promises';
import path from 'node:path';

export default function (eleventyConfig) {
  // Drafts are written with draft: true; they are left out of a build (kept while serving).
  eleventyConfig.addPreprocessor('drafts', 'md', (data) => {
    if (data.draft && process.env.ELEVENTY_RUN_MODE === 'build') return false;
  });
  eleventyConfig.addGlobalData('layout', 'post.liquid');
  // Hearth's addresses: a post or page at /<its folder>/, the folder being its slug.
  eleventyConfig.addGlobalData('eleventyComputed', {
    permalink: (data) => \`/\${data.page.fileSlug}/\`,
  });
  // The photos in each folder go beside the page built from it.
  eleventyConfig.on('eleventy.after', async ({ directories }) => {
    const copy = async (folder) => {
      for (const entry of await fs.readdir(folder, { withFileTypes: true })) {
        const from = path.join(folder, entry.name);
        if (entry.isDirectory()) await copy(from);
        else if (!entry.name.endsWith('.md')) {
          const to = path.join(directories.output, path.basename(folder), entry.name);
          await fs.mkdir(path.dirname(to), { recursive: true });
          await fs.copyFile(from, to);
        }
      }
    };
    await copy(directories.input);
  });
  return {
    dir: { input: 'content', includes: '../_includes', output: '_site' },
    // The bodies are Markdown only: {{ }} in a post is text, not a template.
    markdownTemplateEngine: false,
    templateFormats: ['md'],
  };
}
`;

const ELEVENTY_LAYOUT = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title | escape }}</title>
</head>
<body>
<article>
<h1>{{ title | escape }}</h1>
{% if image %}<img src="{{ image | escape }}" alt="{{ image_alt | escape }}">{% endif %}
{{ content }}
</article>
</body>
</html>
`;
