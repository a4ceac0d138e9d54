import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { slugify } from '../../../shared/slug.js';
import type { ImportContext, ImportEntry, Importer, ImportPost } from '../model.js';
import { parseFrontMatterDate, splitFrontMatter } from './front-matter.js';

export interface MarkdownImportOptions {
  /** Names the site in `import_sources`; the folder's absolute path when not given. */
  key?: string;
  /** The old site's address, when known (for its absolute links). */
  url?: string | null;
  /** The site's title; the folder's name when not given. */
  title?: string;
  /** The clock that tells a scheduled post (dated in the future) from a published one. */
  now?: () => Date;
}

/** Files larger than this are not read (a Markdown post is a few kilobytes). */
const MAX_FILE_BYTES = 8 * 1024 * 1024;
/** Folders never walked: tools' output, templates and dependencies. */
const IGNORED_DIRS = new Set([
  'node_modules',
  'public',
  'resources',
  'themes',
  'layouts',
  'archetypes',
  'static',
  'assets',
]);
/** A folder on a file's path with one of these names makes it a post (otherwise a page). */
const POST_DIRS = new Set(['_posts', '_drafts', 'posts', 'post', 'blog']);
/** Files at the top of the folder that describe the repository, not the site. */
const REPOSITORY_FILES = /^(readme|license|licence|changelog|contributing|code_of_conduct)\.(md|markdown)$/i;
const HUGO_CONFIGS = ['hugo.toml', 'hugo.yaml', 'hugo.yml', 'hugo.json', 'config.toml', 'config.yaml', 'config.yml'];
/** Jekyll's `_posts/2024-03-05-my-post.md`. */
const DATED_NAME = /^(\d{4}-\d{2}-\d{2})-(.+)$/;

interface ParsedFile {
  /** Path relative to the folder, with `/`: the post's id. */
  id: string;
  data: Record<string, unknown>;
  body: string;
}

/**
 * Reads a folder of Markdown files as Jekyll, Hugo and Eleventy write them, and hands out
 * the import model: the site, then authors, categories, tags and photos (first pass over
 * the files), then one post or page per file (second pass). Files are read one at a time,
 * twice, so a blog of any size is never held in memory; only the file list and the names of
 * what was already handed out are kept.
 *
 * Photos are the images a post's Markdown or its front-matter `image` refers to, found
 * relative to the file, then under `static/` or `assets/` (and the folder itself for a
 * `/path`). Nothing outside the folder is ever read: `../` that leaves it, and symlinks
 * that lead out, give a skip entry. A photo's id, `file`, `url` and `urls` are its path
 * relative to the folder; a post's image links are rewritten through `context.media(id)`,
 * then `context.mediaUrl(path)`, and left as written when neither knows it.
 */
export function markdownImporter(dir: string, options: MarkdownImportOptions = {}): Importer {
  return (context) => readFolder(dir, options, context);
}

async function* readFolder(
  dir: string,
  options: MarkdownImportOptions,
  context: ImportContext,
): AsyncGenerator<ImportEntry> {
  const root = await fs.realpath(path.resolve(dir));
  const now = (options.now ?? (() => new Date()))().toISOString();
  yield {
    kind: 'site',
    site: {
      platform: 'markdown',
      key: options.key ?? root,
      url: options.url ?? null,
      title: options.title ?? path.basename(root),
    },
  };

  // Hugo keeps its posts in content/; the rest of a Hugo site is templates and settings.
  let start = root;
  if (await isDir(path.join(root, 'content'))) {
    for (const name of HUGO_CONFIGS) if (await isFile(path.join(root, name))) start = path.join(root, 'content');
  }

  const files: string[] = [];
  const broken = new Set<string>();
  const seen = {
    authors: new Set<string>(),
    categories: new Set<string>(),
    tags: new Set<string>(),
    media: new Set<string>(),
  };
  const refused = new Set<string>();

  // Pass 1: what the posts refer to.
  for await (const item of walk(root, start)) {
    if ('skip' in item) {
      yield { kind: 'skip', skip: item.skip };
      continue;
    }
    files.push(item.file);
    const parsed = await readMarkdown(root, item.file);
    if ('error' in parsed) {
      broken.add(item.file);
      yield { kind: 'skip', skip: { what: 'file', name: relative(root, item.file), reason: parsed.error } };
      continue;
    }
    const { data } = parsed;
    // A post that will be refused hands out nothing it refers to.
    const dateProblem = badDate(data);
    if (dateProblem) {
      broken.add(item.file);
      yield { kind: 'skip', skip: { what: 'post', name: parsed.id, reason: dateProblem } };
      continue;
    }
    for (const name of list(data.author ?? data.authors)) {
      const id = slugify(name);
      if (seen.authors.has(id)) continue;
      seen.authors.add(id);
      yield { kind: 'author', author: { id, slug: id, name, email: '', bio: '', website: null, oldUrls: [] } };
    }
    for (const name of categoriesOf(data)) {
      const id = slugify(name);
      if (seen.categories.has(id)) continue;
      seen.categories.add(id);
      yield { kind: 'category', category: { id, slug: id, name, description: '', parentId: null, oldUrls: [] } };
    }
    for (const name of list(data.tags ?? data.tag)) {
      const id = slugify(name);
      if (seen.tags.has(id)) continue;
      seen.tags.add(id);
      yield { kind: 'tag', tag: { id, slug: id, name, oldUrls: [] } };
    }
    const refs = [...imageRefs(parsed.body)];
    const cover = coverOf(data);
    if (cover) refs.push({ src: cover.src, alt: cover.alt, title: '' });
    for (const ref of refs) {
      const found = await findImage(root, item.file, ref.src);
      if (found.kind === 'external') continue;
      if (found.kind !== 'found') {
        const key = `${parsed.id}\n${ref.src}`;
        if (!refused.has(key)) {
          refused.add(key);
          yield { kind: 'skip', skip: { what: 'image', name: `${ref.src} in ${parsed.id}`, reason: found.reason } };
        }
        continue;
      }
      if (seen.media.has(found.id)) continue;
      seen.media.add(found.id);
      yield {
        kind: 'media',
        media: {
          id: found.id,
          file: found.id,
          url: found.id,
          urls: [found.id],
          alt: ref.alt,
          caption: '',
          credit: '',
          title: ref.title,
          oldUrls: [],
        },
      };
    }
  }

  yield { kind: 'settle' };
  // Pass 2: the posts and pages, one file at a time.
  const withHtml: string[] = [];
  let done = 0;
  for (const file of files) {
    done++;
    if (!broken.has(file)) {
      const parsed = await readMarkdown(root, file);
      if ('error' in parsed) {
        yield { kind: 'skip', skip: { what: 'file', name: relative(root, file), reason: parsed.error } };
      } else {
        const result = await toPost(root, file, parsed, now, context);
        for (const note of result.notes) yield { kind: 'skip', skip: note };
        if (result.post) {
          if (result.rawHtml) withHtml.push(parsed.id);
          yield { kind: 'post', post: result.post };
        }
      }
    }
    if (done % 100 === 0 || done === files.length) yield { kind: 'progress', done, total: files.length };
  }
  if (withHtml.length > 0) {
    const named = withHtml.slice(0, 5).join(', ') + (withHtml.length > 5 ? ', …' : '');
    yield {
      kind: 'skip',
      skip: {
        what: 'raw HTML',
        name: `${withHtml.length} ${withHtml.length === 1 ? 'post' : 'posts'}`,
        reason: `imported with their HTML kept as written, which Hearth shows as text: ${named}`,
      },
    };
  }
}

type Walked = { file: string } | { skip: { what: string; name: string; reason: string } };

/** Every Markdown file below `dir`, in name order, one folder read at a time. */
async function* walk(root: string, dir: string): AsyncGenerator<Walked> {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    yield {
      skip: {
        what: 'folder',
        name: relative(root, dir) || '.',
        reason: `cannot be read (${(error as NodeJS.ErrnoException).code})`,
      },
    };
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name.startsWith('.') || IGNORED_DIRS.has(entry.name)) continue;
      if (entry.name.startsWith('_') && entry.name !== '_posts' && entry.name !== '_drafts') continue;
      yield* walk(root, full);
      continue;
    }
    if (!/\.(md|markdown)$/i.test(entry.name)) continue;
    if (dir === root && REPOSITORY_FILES.test(entry.name)) continue;
    if (entry.name === '_index.md' || entry.name === '_index.markdown') {
      yield {
        skip: { what: 'file', name: relative(root, full), reason: 'a Hugo section list page (no post of its own)' },
      };
      continue;
    }
    if (entry.isSymbolicLink()) {
      const target = await inside(root, full);
      if (!target) {
        yield {
          skip: { what: 'file', name: relative(root, full), reason: 'a symbolic link that leads outside the folder' },
        };
        continue;
      }
      if (!(await isFile(target))) continue;
    } else if (!entry.isFile()) continue;
    yield { file: full };
  }
}

async function readMarkdown(
  root: string,
  file: string,
): Promise<(ParsedFile & { format: string }) | { error: string }> {
  const id = relative(root, file);
  try {
    const real = await inside(root, file);
    if (!real) return { error: 'a symbolic link that leads outside the folder' };
    const stat = await fs.stat(real);
    if (stat.size > MAX_FILE_BYTES) return { error: `larger than ${MAX_FILE_BYTES / 1024 / 1024} MB` };
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(await fs.readFile(real));
    } catch {
      return { error: 'not UTF-8 text' };
    }
    const { data, body } = splitFrontMatter(text);
    return { id, data, body, format: 'markdown' };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

async function toPost(
  root: string,
  file: string,
  parsed: ParsedFile,
  now: string,
  context: ImportContext,
): Promise<{ post?: ImportPost; notes: { what: string; name: string; reason: string }[]; rawHtml: boolean }> {
  const { id, data } = parsed;
  const notes: { what: string; name: string; reason: string }[] = [];
  const base = path.basename(file).replace(/\.(md|markdown)$/i, '');
  const named = base === 'index' && path.dirname(file) !== root ? path.basename(path.dirname(file)) : base;
  const dated = DATED_NAME.exec(named);
  const nameSlug = dated ? (dated[2] as string) : named;

  let publishedAt: string | undefined;
  const dateProblem = badDate(data);
  if (dateProblem) return { notes: [{ what: 'post', name: id, reason: dateProblem }], rawHtml: false };
  const rawDate = dateOf(data);
  if (rawDate !== undefined) {
    publishedAt = parseFrontMatterDate(rawDate);
  } else if (dated) {
    publishedAt = parseFrontMatterDate(dated[1]);
  }
  // A file without a date is dated by its last change, and is never scheduled.
  const undated = publishedAt === undefined;
  publishedAt ??= (await fs.stat(file)).mtime.toISOString();
  const updatedAt =
    parseFrontMatterDate(data.lastmod ?? data.last_modified_at ?? data.updated ?? data.modified) ?? publishedAt;

  let title = typeof data.title === 'string' || typeof data.title === 'number' ? String(data.title).trim() : '';
  if (title === '') {
    title = nameSlug.replace(/[-_]+/g, ' ').trim() || base;
    notes.push({ what: 'title', name: id, reason: `has no title; imported as "${title}", from its file name` });
  }
  const slug = slugify(typeof data.slug === 'string' && data.slug.trim() ? data.slug : nameSlug, slugify(title));

  const folders = id.split('/').slice(0, -1);
  const kind = String(data.layout ?? data.type ?? '').toLowerCase();
  let type: 'post' | 'page' = folders.some((f) => POST_DIRS.has(f)) ? 'post' : 'page';
  if (kind === 'page') type = 'page';
  if (kind === 'post' || kind === 'posts') type = 'post';

  const draft = data.draft === true || data.published === false || folders.includes('_drafts');
  const status = draft ? 'draft' : !undated && publishedAt > now ? 'scheduled' : 'published';

  const excerpt = [data.description, data.excerpt, data.summary].find((v) => typeof v === 'string') as
    | string
    | undefined;
  const cover = coverOf(data);
  let featureImageId: string | null = null;
  if (cover) {
    const found = await findImage(root, file, cover.src);
    if (found.kind === 'found') featureImageId = found.id;
  }
  const authors = list(data.author ?? data.authors);
  const { body, rawHtml, shortcodes } = await rewriteBody(root, file, parsed.body, context);
  const oldUrls = [
    ...list(data.aliases),
    ...list(data.redirect_from),
    ...list(data.permalink),
    ...list(data.url),
    // Concrete addresses only: a permalink pattern (`/:title/`, `{{ page.fileSlug }}`) names no page.
  ].filter((u) => (u.startsWith('/') || /^https?:\/\//.test(u)) && !/\{\{|\/:\w/.test(u));
  const weight = Number(data.weight ?? data.nav_order ?? data.order ?? 0);
  return {
    notes,
    rawHtml,
    post: {
      id,
      type,
      slug,
      title,
      body,
      excerpt: excerpt?.trim() ?? '',
      status,
      publishedAt,
      createdAt: publishedAt,
      updatedAt,
      authorId: authors[0] ? slugify(authors[0]) : null,
      categoryIds: categoriesOf(data).map((c) => slugify(c)),
      tagIds: list(data.tags ?? data.tag).map((t) => slugify(t)),
      featureImageId,
      featured: data.featured === true,
      parentId: null,
      menuOrder: Number.isSafeInteger(weight) ? weight : 0,
      commentsEnabled: data.comments !== false,
      seoTitle: null,
      seoDescription: null,
      oldUrls: [...new Set(oldUrls)],
      comments: [],
      heldBack: null,
      unknownShortcodes: shortcodes,
    },
  };
}

/** The front matter's publication date as written, if it has one. */
function dateOf(data: Record<string, unknown>): unknown {
  const raw = data.date ?? data.publishDate ?? data.pubDate;
  return raw === null || raw === '' ? undefined : raw;
}

/** Why the front matter's date cannot be used, if it cannot. */
function badDate(data: Record<string, unknown>): string | undefined {
  const raw = dateOf(data);
  if (raw === undefined || parseFrontMatterDate(raw)) return undefined;
  return `its date "${raw instanceof Date ? 'invalid' : String(raw)}" is not a date`;
}

/** Inline images `![alt](src "title")` and reference definitions `[id]: src`, outside code fences. */
const INLINE_IMAGE = /!\[([^\]\n]*)\]\(\s*(<[^>\n]+>|[^\s)]+)(\s+(?:"[^"\n]*"|'[^'\n]*'))?\s*\)/g;
const REFERENCE = /^( {0,3}\[[^\]\n]+\]:[ \t]*)(<[^>\n]+>|\S+)/;
const RAW_HTML = /<\/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?\/?>|<!--(?!\s*more\s*-->)/;
const SHORTCODE = /\{\{[<%]\s*\/?\s*([\w.-]+)|\{%-?\s*(\w+)/g;

function* outsideFences(body: string): Generator<{ line: string; code: boolean }> {
  let fence: string | undefined;
  for (const line of body.split('\n')) {
    const m = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (m && (m[1] as string)[0] === fence[0] && (m[1] as string).length >= fence.length) fence = undefined;
      yield { line, code: true };
    } else if (m) {
      fence = m[1] as string;
      yield { line, code: true };
    } else yield { line, code: false };
  }
}

function* imageRefs(body: string): Generator<{ src: string; alt: string; title: string }> {
  for (const { line, code } of outsideFences(body)) {
    if (code) continue;
    for (const m of line.matchAll(INLINE_IMAGE)) {
      const title = (m[3] ?? '').trim().slice(1, -1);
      yield { src: unbracket(m[2] as string), alt: m[1] as string, title };
    }
    const ref = REFERENCE.exec(line);
    if (ref && isImagePath(unbracket(ref[2] as string))) yield { src: unbracket(ref[2] as string), alt: '', title: '' };
  }
}

/** The body with its image links pointing at the photos in Hearth; notes raw HTML and shortcodes. */
async function rewriteBody(
  root: string,
  file: string,
  body: string,
  context: ImportContext,
): Promise<{ body: string; rawHtml: boolean; shortcodes: string[] }> {
  const out: string[] = [];
  let rawHtml = false;
  const shortcodes = new Set<string>();
  const mapped = async (src: string): Promise<string | undefined> => {
    const found = await findImage(root, file, src);
    if (found.kind !== 'found') return undefined;
    return context.media(found.id)?.url ?? context.mediaUrl(found.id);
  };
  for (const { line: written, code } of outsideFences(body)) {
    // Hugo's literal form of a shortcode, `{{</* x */>}}`, is the text `{{< x >}}`.
    const line = written.replace(/\{\{([<%])\/\*/g, '{{$1').replace(/\*\/([>%])\}\}/g, '$1}}');
    if (code) {
      out.push(line);
      continue;
    }
    // Hugo's and Jekyll's summary divider: a marker for their excerpts, text in Hearth.
    if (/^\s*<!--\s*more\s*-->\s*$/.test(line)) continue;
    if (RAW_HTML.test(line)) rawHtml = true;
    for (const m of line.matchAll(SHORTCODE)) shortcodes.add((m[1] ?? m[2]) as string);
    let text = line;
    const images = [...line.matchAll(INLINE_IMAGE)];
    for (const m of images.reverse()) {
      const url = await mapped(unbracket(m[2] as string));
      if (!url) continue;
      const at = (m.index ?? 0) + (m[0] as string).indexOf(m[2] as string, (m[1] as string).length + 3);
      text = text.slice(0, at) + url + text.slice(at + (m[2] as string).length);
    }
    const ref = REFERENCE.exec(text);
    if (ref && isImagePath(unbracket(ref[2] as string))) {
      const url = await mapped(unbracket(ref[2] as string));
      if (url) text = `${ref[1]}${url}${text.slice(ref[0].length)}`;
    }
    out.push(text);
  }
  return { body: out.join('\n').replace(/^\s*\n/, ''), rawHtml, shortcodes: [...shortcodes] };
}

type FoundImage =
  | { kind: 'found'; id: string }
  | { kind: 'external' }
  | { kind: 'refused' | 'missing'; reason: string };

/**
 * Where an image a file refers to is, inside the folder: relative to the file, then under
 * static/ or assets/ (a `/path` also from the folder itself). URLs with a scheme stay links.
 */
async function findImage(root: string, file: string, src: string): Promise<FoundImage> {
  if (/^(?:[a-z][a-z0-9+.-]*:|\/\/)/i.test(src) && !/^file:/i.test(src)) return { kind: 'external' };
  let ref: string;
  try {
    ref = decodeURIComponent(src.replace(/[?#].*$/, ''));
  } catch {
    ref = src;
  }
  if (/^file:/i.test(src) || ref.includes('\0') || /^[A-Za-z]:[\\/]/.test(ref) || ref.startsWith('\\'))
    return { kind: 'refused', reason: 'an absolute file path; only files inside the folder are imported' };
  const candidates = ref.startsWith('/')
    ? [path.join(root, 'static', ref), path.join(root, ref), path.join(root, 'assets', ref)]
    : [path.resolve(path.dirname(file), ref), path.join(root, 'static', ref), path.join(root, 'assets', ref)];
  let outside = false;
  for (const candidate of candidates) {
    if (!within(root, candidate)) {
      outside = true;
      continue;
    }
    try {
      await fs.lstat(candidate);
    } catch {
      continue;
    }
    const real = await inside(root, candidate);
    if (!real) return { kind: 'refused', reason: 'a symbolic link that leads outside the folder' };
    if (!(await isFile(real))) continue;
    return { kind: 'found', id: relative(root, candidate) };
  }
  if (outside) return { kind: 'refused', reason: 'outside the folder; only files inside it are imported' };
  return { kind: 'missing', reason: 'no such file in the folder' };
}

/** The real path of `file` when it (and every link on the way) stays inside `root`. */
async function inside(root: string, file: string): Promise<string | undefined> {
  if (!within(root, file)) return undefined;
  try {
    const real = await fs.realpath(file);
    return within(root, real) ? real : undefined;
  } catch {
    return undefined;
  }
}

function within(root: string, file: string): boolean {
  const rel = path.relative(root, path.resolve(file));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function relative(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}

function unbracket(src: string): string {
  return src.startsWith('<') && src.endsWith('>') ? src.slice(1, -1) : src;
}

function isImagePath(src: string): boolean {
  return /\.(jpe?g|png|gif|webp|avif|svg|tiff?|heic)(?:[?#].*)?$/i.test(src);
}

/** A string or list of strings; a string is split at commas. */
function list(value: unknown): string[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  return items
    .filter((v): v is string | number => typeof v === 'string' || typeof v === 'number')
    .map((v) => String(v).trim())
    .filter((v) => v !== '');
}

function categoriesOf(data: Record<string, unknown>): string[] {
  return list(data.categories ?? data.category);
}

/** The front matter's feature image: `image`, `featured_image`, `cover` or Hugo's `cover.image`. */
function coverOf(data: Record<string, unknown>): { src: string; alt: string } | undefined {
  const cover = data.cover as Record<string, unknown> | string | undefined;
  const candidates: [unknown, unknown][] = [
    [data.image, data.image_alt],
    [data.featured_image, data.image_alt],
    [
      typeof cover === 'object' && cover !== null ? cover.image : cover,
      typeof cover === 'object' && cover !== null ? cover.alt : undefined,
    ],
  ];
  for (const [src, alt] of candidates) {
    if (typeof src === 'string' && src.trim()) return { src: src.trim(), alt: typeof alt === 'string' ? alt : '' };
    if (src && typeof src === 'object' && typeof (src as { path?: unknown }).path === 'string')
      return { src: (src as { path: string }).path, alt: typeof alt === 'string' ? alt : '' };
  }
  return undefined;
}

async function isDir(p: string): Promise<boolean> {
  return fs.stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function isFile(p: string): Promise<boolean> {
  return fs.stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
}
