import { type Expression, type SqlBool, sql } from 'kysely';
import { markdownImages } from '../../content/markdown/index.js';
import type { Db } from '../../storage/index.js';
import { MEDIA_URL_PREFIX } from './image-info.js';
import type { MediaUsage, MissingAlt, PostImages, PostRef } from './types.js';

const BATCH = 200;

/**
 * Where a photo is used. A body or editor's note uses it when it links any of its
 * files (`/media/<stem>.…` or `/media/<stem>-<width>.…`); the feature image and
 * avatars are references by id.
 */
export async function findUsage(db: Db, media: { id: number; path: string }): Promise<MediaUsage> {
  const stem = `${MEDIA_URL_PREFIX}${media.path.replace(/\.[a-z0-9]+$/i, '')}`;
  const mentions = (column: 'posts.body' | 'posts.editor_note') =>
    sql<SqlBool>`(${contains(column, `${stem}.`)} or ${contains(column, `${stem}-`)})`;
  const rows = await db
    .selectFrom('posts')
    .select(['id', 'type', 'title', 'slug', 'status', 'feature_image_id'])
    .select([mentions('posts.body').as('in_body'), mentions('posts.editor_note').as('in_note')])
    .where((eb) =>
      eb.or([eb('feature_image_id', '=', media.id), mentions('posts.body'), mentions('posts.editor_note')]),
    )
    .orderBy('id')
    .execute();
  const profiles = await db
    .selectFrom('users')
    .select(['id', 'display_name'])
    .where('avatar_media_id', '=', media.id)
    .orderBy('id')
    .execute();
  return {
    posts: rows.map((r) => ({
      id: r.id,
      type: r.type,
      title: r.title,
      slug: r.slug,
      status: r.status,
      as: [
        ...(r.feature_image_id === media.id ? (['feature'] as const) : []),
        ...(truthy(r.in_body) ? (['body'] as const) : []),
        ...(truthy(r.in_note) ? (['note'] as const) : []),
      ],
    })),
    profiles: profiles.map((p) => ({ id: p.id, name: p.display_name })),
  };
}

/**
 * The ids of every photo that something uses: a feature image, an avatar, or a file of it
 * linked from a body or editor's note (read in batches, as `findUsage` matches them).
 */
export async function usedMediaIds(db: Db): Promise<number[]> {
  const used = new Set<number>();
  const features = await db
    .selectFrom('posts')
    .select('feature_image_id')
    .where('feature_image_id', 'is not', null)
    .execute();
  for (const r of features) if (r.feature_image_id !== null) used.add(r.feature_image_id);
  const avatars = await db
    .selectFrom('users')
    .select('avatar_media_id')
    .where('avatar_media_id', 'is not', null)
    .execute();
  for (const r of avatars) if (r.avatar_media_id !== null) used.add(r.avatar_media_id);
  // Book covers and the site's logo are uses too.
  const covers = await db
    .selectFrom('books')
    .select('cover_media_id')
    .where('cover_media_id', 'is not', null)
    .execute();
  for (const r of covers) if (r.cover_media_id !== null) used.add(r.cover_media_id);
  const logo = await db.selectFrom('settings').select('value').where('key', '=', 'logoId').executeTakeFirst();
  const logoId = logo ? (JSON.parse(logo.value) as unknown) : null;
  if (typeof logoId === 'number') used.add(logoId);
  // Every stem a body links: `/media/2026/06/a-3fa2c1.jpg` and `/media/2026/06/a-3fa2c1-480.webp` both name `2026/06/a-3fa2c1`.
  const stems = new Set<string>();
  const link = new RegExp(`${MEDIA_URL_PREFIX}([^\\s)"'<>?#]+)`, 'g');
  for (let after = 0; ; ) {
    const rows = await db
      .selectFrom('posts')
      .select(['id', 'body', 'editor_note'])
      .where('id', '>', after)
      .where((eb) => eb.or([contains('posts.body', MEDIA_URL_PREFIX), contains('posts.editor_note', MEDIA_URL_PREFIX)]))
      .orderBy('id')
      .limit(BATCH)
      .execute();
    for (const r of rows) {
      for (const m of `${r.body}\n${r.editor_note ?? ''}`.matchAll(link)) {
        let file = m[1] as string;
        try {
          file = decodeURI(file);
        } catch {}
        const stem = file.replace(/\.[a-z0-9]+$/i, '');
        stems.add(stem);
        stems.add(stem.replace(/-\d+$/, ''));
      }
    }
    if (rows.length < BATCH) break;
    after = rows.at(-1)?.id ?? after;
  }
  if (stems.size > 0) {
    for (const r of await db.selectFrom('media').select(['id', 'path']).execute()) {
      if (stems.has(r.path.replace(/\.[a-z0-9]+$/i, ''))) used.add(r.id);
    }
  }
  return [...used];
}

/** The usage as a person reads it: `2 posts ("A", "B") and 1 profile (Ana)`. */
export function describeUsage(usage: MediaUsage): string {
  const parts: string[] = [];
  const n = usage.posts.length;
  if (n > 0) parts.push(`${n} ${n === 1 ? 'post' : 'posts'} (${usage.posts.map((p) => `“${p.title}”`).join(', ')})`);
  const m = usage.profiles.length;
  if (m > 0) parts.push(`${m} ${m === 1 ? 'profile' : 'profiles'} (${usage.profiles.map((p) => p.name).join(', ')})`);
  return parts.join(' and ');
}

/**
 * The images of a post that readers would get without alternative text: Markdown
 * images with no alt of their own and no alt in the library, and a feature image whose
 * post-level alt and library alt are both empty. Mirrors what the renderer does.
 */
export async function missingAltIn(db: Db, post: PostImages): Promise<MissingAlt[]> {
  return collectMissing(post, await loadStored(db, [post]));
}

/** Every post and page, drafts included, with an image that lacks alternative text. */
export async function postsMissingAlt(db: Db): Promise<(PostRef & { images: MissingAlt[] })[]> {
  const found: (PostRef & { images: MissingAlt[] })[] = [];
  for (let after = 0; ; ) {
    const rows = await db
      .selectFrom('posts')
      .select(['id', 'type', 'title', 'slug', 'status', 'body', 'editor_note', 'feature_image_id', 'feature_image_alt'])
      .where('id', '>', after)
      .where((eb) =>
        eb.or([
          eb('feature_image_id', 'is not', null),
          contains('posts.body', '!['),
          contains('posts.editor_note', '!['),
        ]),
      )
      .orderBy('id')
      .limit(BATCH)
      .execute();
    const posts = rows.map((r) => ({
      ref: { id: r.id, type: r.type, title: r.title, slug: r.slug, status: r.status },
      images: {
        body: r.body,
        editorNote: r.editor_note,
        featureImageId: r.feature_image_id,
        featureImageAlt: r.feature_image_alt,
      },
    }));
    const stored = await loadStored(
      db,
      posts.map((p) => p.images),
    );
    for (const p of posts) {
      const images = collectMissing(p.images, stored);
      if (images.length > 0) found.push({ ...p.ref, images });
    }
    if (rows.length < BATCH) return found;
    after = rows.at(-1)?.id ?? after;
  }
}

interface StoredAlt {
  id: number;
  path: string;
  alt: string;
}

/** The library rows that the images of some posts point at, by path and by id. */
async function loadStored(db: Db, posts: PostImages[]) {
  const paths = new Set<string>();
  const ids = new Set<number>();
  for (const post of posts) {
    for (const image of [...markdownImages(post.body), ...markdownImages(post.editorNote ?? '')]) {
      const path = mediaPath(image.src);
      if (image.alt === '' && path) paths.add(path);
    }
    if (post.featureImageId) ids.add(post.featureImageId);
  }
  const rows: StoredAlt[] =
    paths.size === 0 && ids.size === 0
      ? []
      : await db
          .selectFrom('media')
          .select(['id', 'path', 'alt'])
          .where((eb) =>
            eb.or([
              ...(paths.size > 0 ? [eb('path', 'in', [...paths])] : []),
              ...(ids.size > 0 ? [eb('id', 'in', [...ids])] : []),
            ]),
          )
          .execute();
  return { byPath: new Map(rows.map((r) => [r.path, r])), byId: new Map(rows.map((r) => [r.id, r])) };
}

function collectMissing(
  post: PostImages,
  stored: { byPath: Map<string, StoredAlt>; byId: Map<number, StoredAlt> },
): MissingAlt[] {
  const missing: MissingAlt[] = [];
  const feature = post.featureImageId ? stored.byId.get(post.featureImageId) : undefined;
  // A feature image's own alt text left empty means the library's (as the post is written).
  if (feature && (post.featureImageAlt?.trim() || feature.alt).trim() === '') {
    missing.push({ src: `${MEDIA_URL_PREFIX}${feature.path}`, in: 'feature', mediaId: feature.id });
  }
  const written = [
    ...markdownImages(post.body).map((i) => ({ ...i, in: 'body' as const })),
    ...markdownImages(post.editorNote ?? '').map((i) => ({ ...i, in: 'note' as const })),
  ];
  for (const image of written) {
    if (image.alt !== '') continue;
    const path = mediaPath(image.src);
    const library = path ? stored.byPath.get(path) : undefined;
    if (library && library.alt.trim() !== '') continue;
    missing.push({ src: image.src, in: image.in, ...(library ? { mediaId: library.id } : {}) });
  }
  return missing;
}

/** `/media/2026/06/a.jpg?x#y` -> `2026/06/a.jpg`; undefined for any other URL. */
function mediaPath(src: string): string | undefined {
  if (!src.startsWith(MEDIA_URL_PREFIX)) return undefined;
  try {
    return decodeURI(src.slice(MEDIA_URL_PREFIX.length).replace(/[?#].*$/, ''));
  } catch {
    return undefined;
  }
}

/** A substring test that reads the same on SQLite and PostgreSQL (`!` escapes LIKE's wildcards). */
function contains(column: string, text: string): Expression<SqlBool> {
  const pattern = `%${text.replace(/[!%_]/g, (c) => `!${c}`)}%`;
  return sql<SqlBool>`${sql.ref(column)} like ${pattern} escape '!'`;
}

/** SQLite returns 0 or 1 for a boolean expression, PostgreSQL true or false. */
function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}
