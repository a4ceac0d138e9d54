/**
 * Reads a Ghost JSON export (Settings > Advanced > Import/Export > Export content) of Ghost 1.x to
 * 6.x, in the `{db: [{meta, data}]}` shape or the older top-level `{meta, data}`, and hands back
 * what an import needs, with the differences between versions smoothed away: `page` (1.x-3.x) or
 * `type` (4.x on), SEO fields on the post or in `posts_meta`, `author_id` (1.x) or `posts_authors`.
 *
 * @example
 *   const exported = readGhostExport(fs.readFileSync('my-site.ghost.2024-01-01.json'));
 *   exported.posts[0]?.title
 */

import { z } from 'zod';
import { HearthError } from '../../../errors.js';

export interface GhostExport {
  /** Ghost's version, as the export says it (`5.82.1`). */
  version: string;
  /** 1 to 6. */
  major: number;
  /** ISO 8601 UTC, or null when the export does not say. */
  exportedOn: string | null;
  site: GhostSite;
  users: GhostUser[];
  tags: GhostTag[];
  posts: GhostPost[];
}

export interface GhostSite {
  title: string;
  description: string;
  /** A `url` setting when the export has one (Ghost keeps its address in its config, not here). */
  url: string | null;
  /** The 1.x `permalinks` setting (`/:slug/`, `/:year/:month/:day/:slug/`); later versions keep it in routes.yaml. */
  permalinks: string | null;
}

export interface GhostUser {
  id: string;
  slug: string;
  name: string;
  email: string;
  bio: string;
  website: string | null;
}

export interface GhostTag {
  id: string;
  slug: string;
  name: string;
  description: string;
  /** An `#internal` tag: used for theming and filters, never shown to readers. */
  internal: boolean;
}

export interface GhostPost {
  id: string;
  type: 'post' | 'page';
  title: string;
  slug: string;
  /** `published`, `draft`, `scheduled`, `sent` (5.x email-only) as Ghost wrote it. */
  status: string;
  /** `public`, `members`, `paid`, `tiers` or `filter`. */
  visibility: string;
  lexical: string | null;
  mobiledoc: string | null;
  html: string | null;
  featureImage: string | null;
  featureImageAlt: string;
  featureImageCaption: string;
  featured: boolean;
  customExcerpt: string;
  metaTitle: string | null;
  metaDescription: string | null;
  /** ISO 8601 UTC; null when the export has none or it does not parse (see `dateProblem`). */
  createdAt: string | null;
  updatedAt: string | null;
  publishedAt: string | null;
  /** The first date that does not parse, named: `published_at "someday" is not a date`. */
  dateProblem: string | null;
  /** The post's authors, the primary first. */
  authorIds: string[];
  /** The post's tags in Ghost's order (internal ones too). */
  tagIds: string[];
}

const id = z.union([z.string(), z.number()]).transform(String);
const text = z
  .string()
  .nullish()
  .transform((v) => v ?? '');
const maybe = z
  .string()
  .nullish()
  .transform((v) => (v?.trim() ? v : null));
const flag = z
  .union([z.boolean(), z.number(), z.string()])
  .nullish()
  .transform((v) => v === true || v === 1 || v === '1' || v === 'true');
const rawDate = z.union([z.string(), z.number()]).nullish();
const order = z.number().nullish();

const postSchema = z.object({
  id,
  title: z.string().nullish(),
  slug: z.string(),
  mobiledoc: z.string().nullish(),
  lexical: z.string().nullish(),
  html: z.string().nullish(),
  feature_image: maybe,
  feature_image_alt: text,
  feature_image_caption: text,
  featured: flag,
  page: flag,
  type: z.string().nullish(),
  status: z.string().nullish(),
  visibility: z.string().nullish(),
  meta_title: maybe,
  meta_description: maybe,
  custom_excerpt: text,
  author_id: id.nullish(),
  created_at: rawDate,
  updated_at: rawDate,
  published_at: rawDate,
});

const dataSchema = z.object({
  posts: z.array(postSchema),
  posts_meta: z
    .array(
      z.object({
        post_id: id,
        meta_title: maybe,
        meta_description: maybe,
        feature_image_alt: text,
        feature_image_caption: text,
      }),
    )
    .default([]),
  tags: z
    .array(z.object({ id, slug: z.string(), name: text, description: text, visibility: z.string().nullish() }))
    .default([]),
  posts_tags: z.array(z.object({ post_id: id, tag_id: id, sort_order: order })).default([]),
  users: z.array(z.object({ id, slug: z.string(), name: text, email: text, bio: text, website: maybe })).default([]),
  posts_authors: z.array(z.object({ post_id: id, author_id: id, sort_order: order })).default([]),
  settings: z
    .array(z.object({ key: z.string(), value: z.union([z.string(), z.number(), z.boolean()]).nullish() }))
    .default([]),
});

const metaSchema = z.object({
  exported_on: z.union([z.number(), z.string()]).nullish(),
  version: z.union([z.string(), z.number()]).transform(String),
});

/**
 * Checks and normalises a Ghost export: the parsed JSON, or its text (a string or bytes, UTF-8).
 * Throws `HEARTH_ERR_IMPORT_GHOST` for text that is not JSON or JSON that is not a Ghost export
 * (naming the field), and `HEARTH_ERR_IMPORT_GHOST_VERSION` for Ghost 0.x or a version after 6.x.
 */
export function readGhostExport(json: unknown): GhostExport {
  const root = parse(json);
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    throw notGhost('it is not a Ghost export (expected a JSON object with "db", or "meta" and "data")');
  }
  let base = 'db[0].';
  let entry: unknown;
  if ('db' in root) {
    const db = (root as { db: unknown }).db;
    if (!Array.isArray(db) || db.length === 0) throw notGhost('"db" is not a list holding the export');
    entry = db[0];
  } else if ('meta' in root && 'data' in root) {
    base = '';
    entry = root;
  } else {
    throw notGhost('it is not a Ghost export (it has no "db", nor "meta" and "data")');
  }
  if (typeof entry !== 'object' || entry === null || !('meta' in entry) || !('data' in entry)) {
    throw notGhost(`it is not a Ghost export (${base ? 'db[0]' : 'the file'} has no "meta" and "data")`);
  }
  const meta = checked(metaSchema, (entry as { meta: unknown }).meta, `${base}meta`);
  const major = majorVersion(meta.version);
  const data = checked(dataSchema, (entry as { data: unknown }).data, `${base}data`);
  return normalise(meta, major, data);
}

function parse(json: unknown): unknown {
  if (typeof json !== 'string' && !(json instanceof Uint8Array)) return json;
  let textValue: string;
  try {
    textValue = typeof json === 'string' ? json : new TextDecoder('utf-8', { fatal: true }).decode(json);
  } catch {
    throw notGhost('it is not UTF-8 text');
  }
  try {
    return JSON.parse(textValue.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw notGhost(`it is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

function notGhost(reason: string): HearthError {
  return new HearthError('HEARTH_ERR_IMPORT_GHOST', { reason });
}

function checked<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = (issue?.path ?? []).reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : `${out}.${String(key)}`),
    where,
  );
  throw notGhost(`${path}: ${issue?.message ?? 'is not valid'}`);
}

function majorVersion(version: string): number {
  const match = version.trim().match(/^v?(\d+)\.\d+/);
  const major = match ? Number(match[1]) : Number.NaN;
  if (major >= 1 && major <= 6) return major;
  const older = !match || major < 1;
  throw new HearthError('HEARTH_ERR_IMPORT_GHOST_VERSION', {
    version: match ? version.trim() : `0.x (database version ${version.trim() || 'unknown'})`,
    advice: older
      ? 'Upgrade that site to Ghost 1 or later, then export its content again.'
      : 'Update Hearth, or export from a site on Ghost 6 or earlier.',
  });
}

type Data = z.output<typeof dataSchema>;

function normalise(meta: z.output<typeof metaSchema>, major: number, data: Data): GhostExport {
  const setting = (key: string): string | null => {
    const value = data.settings.find((s) => s.key === key)?.value;
    return value === null || value === undefined || String(value).trim() === '' ? null : String(value);
  };
  const postsMeta = new Map(data.posts_meta.map((m) => [m.post_id, m]));
  const authorsOf = groupSorted(data.posts_authors, (r) => r.author_id);
  const tagsOf = groupSorted(data.posts_tags, (r) => r.tag_id);
  const exported = meta.exported_on ? parseDate(meta.exported_on) : null;

  return {
    version: meta.version.trim(),
    major,
    exportedOn: exported && exported !== 'invalid' ? exported : null,
    site: {
      title: setting('title') ?? '',
      description: setting('description') ?? '',
      url: setting('url')?.replace(/\/+$/, '') ?? null,
      permalinks: setting('permalinks'),
    },
    users: data.users.map((u) => ({
      id: u.id,
      slug: u.slug,
      name: u.name,
      email: u.email,
      bio: u.bio,
      website: u.website,
    })),
    tags: data.tags.map((t) => ({
      id: t.id,
      slug: t.slug,
      name: t.name,
      description: t.description,
      internal: t.visibility === 'internal' || t.name.startsWith('#') || t.slug.startsWith('hash-'),
    })),
    posts: data.posts.map((p) => {
      const pm = postsMeta.get(p.id);
      const dates = { created_at: p.created_at, updated_at: p.updated_at, published_at: p.published_at };
      const parsed: Record<string, string | null> = {};
      let dateProblem: string | null = null;
      for (const [field, raw] of Object.entries(dates)) {
        const value = raw === null || raw === undefined || raw === '' ? null : parseDate(raw);
        if (value === 'invalid') {
          dateProblem ??= `${field} ${JSON.stringify(raw)} is not a date`;
          parsed[field] = null;
        } else parsed[field] = value;
      }
      const authorIds = authorsOf.get(p.id) ?? (p.author_id ? [p.author_id] : []);
      return {
        id: p.id,
        type: p.type === 'page' || (p.type == null && p.page) ? 'page' : 'post',
        title: (p.title ?? '').trim(),
        slug: p.slug,
        status: p.status ?? 'draft',
        visibility: p.visibility ?? 'public',
        lexical: p.lexical?.trim() ? p.lexical : null,
        mobiledoc: p.mobiledoc?.trim() ? p.mobiledoc : null,
        html: p.html?.trim() ? p.html : null,
        featureImage: p.feature_image,
        featureImageAlt: p.feature_image_alt || pm?.feature_image_alt || '',
        featureImageCaption: p.feature_image_caption || pm?.feature_image_caption || '',
        featured: p.featured,
        customExcerpt: p.custom_excerpt.trim(),
        metaTitle: p.meta_title ?? pm?.meta_title ?? null,
        metaDescription: p.meta_description ?? pm?.meta_description ?? null,
        createdAt: parsed.created_at ?? null,
        updatedAt: parsed.updated_at ?? null,
        publishedAt: parsed.published_at ?? null,
        dateProblem,
        authorIds,
        tagIds: tagsOf.get(p.id) ?? [],
      } satisfies GhostPost;
    }),
  };
}

/** Join rows by post, in their `sort_order` (then file order). */
function groupSorted<R extends { post_id: string; sort_order?: number | null | undefined }>(
  rows: R[],
  value: (row: R) => string,
): Map<string, string[]> {
  const sorted = rows.map((row, index) => ({ row, index }));
  sorted.sort((a, b) => (a.row.sort_order ?? 0) - (b.row.sort_order ?? 0) || a.index - b.index);
  const out = new Map<string, string[]>();
  for (const { row } of sorted) {
    const list = out.get(row.post_id) ?? [];
    if (!list.includes(value(row))) list.push(value(row));
    out.set(row.post_id, list);
  }
  return out;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * A Ghost date as ISO 8601 UTC: `2024-01-02T03:04:05.000Z`, MySQL's `2024-01-02 03:04:05` (UTC,
 * as Ghost stores it) or milliseconds since 1970 (old exports); 'invalid' when it is none of these.
 */
function parseDate(raw: string | number): string | 'invalid' {
  if (typeof raw === 'number' || /^\d{10,}$/.test(raw)) {
    const date = new Date(Number(raw));
    return Number.isNaN(date.getTime()) ? 'invalid' : date.toISOString();
  }
  const m = raw.trim().match(DATE);
  if (!m) return 'invalid';
  const [, y, mo, d, h = '00', mi = '00', s = '00', zone] = m;
  // `Date` would roll 31 February over into March: check the calendar first.
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (day.getUTCMonth() !== Number(mo) - 1 || day.getUTCDate() !== Number(d)) return 'invalid';
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return 'invalid';
  const offset = zone && zone !== 'Z' ? zone.replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2') : 'Z';
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`);
  if (Number.isNaN(date.getTime())) return 'invalid';
  return date.toISOString();
}
