import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type SqlBool, sql } from 'kysely';
import pLimit, { type LimitFunction } from 'p-limit';
import { markdownImages } from '../../content/markdown/index.js';
import { HearthError, ValidationError } from '../../errors.js';
import { asciiSlug } from '../../shared/slug.js';
import type { Db, MediaRow, MediaStore } from '../../storage/index.js';
import type { ChangeFeed } from '../changes.js';
import { can } from '../roles/index.js';
import { type ImageInfo, MEDIA_URL_PREFIX, MIME_TYPES, toImageInfo, type Variant } from './image-info.js';
import { inspectUpload, type MediaLimits } from './inspect.js';
import type {
  IngestInput,
  MediaActor,
  MediaFilter,
  MediaItem,
  MediaPage,
  MediaTextPatch,
  MediaUsage,
  MissingAlt,
  PhotoSource,
  PostImages,
  PostRef,
  Upload,
  UploadResult,
} from './types.js';
import { describeUsage, findUsage, missingAltIn, postsMissingAlt, usedMediaIds } from './usage.js';
import { type EncodedFile, type EncoderSettings, encodePhoto } from './variants.js';

export interface MediaServiceDeps {
  db: Db;
  store: MediaStore;
  /** Told which posts' pages show a photo that changed or went. */
  changes?: ChangeFeed;
  limits?: Partial<MediaLimits>;
  /** Encodes running at once, across every upload of this process. */
  concurrency?: number;
  encoder?: Partial<EncoderSettings>;
  now?: () => Date;
}

export const DEFAULT_MEDIA_LIMITS: MediaLimits = { maxBytes: 32 * 1024 * 1024, maxPixels: 100_000_000 };
/**
 * AVIF effort 1 of 9. On a 12-megapixel photo (bench/media.js) effort 4, sharp's
 * default, took over six times as long for 3-10 % fewer bytes, and effort 2 was no
 * smaller than 1; the demo's first start would have doubled.
 */
export const DEFAULT_ENCODER: EncoderSettings = { avifEffort: 1 };

const TEXT_LIMITS = { alt: 1000, caption: 1000, credit: 300 } as const;

/**
 * The media library. A photo is checked from its bytes (type, size, pixels) before it
 * is decoded, then stored with its orientation applied and all metadata but the colour
 * profile removed (GPS above all), in several widths as AVIF, WebP and a JPEG, PNG or
 * GIF fallback. Files are written only once every one of them is encoded, and the row
 * only once every file is written: a failure leaves nothing behind.
 *
 * @example
 *   const photo = await media.ingest({ data, name: 'IMG_2041.jpg', alt: 'A baby asleep on a towel' });
 *   await media.update(photo.id, { caption: 'After the bath.' }, 'system');
 */
export class MediaService {
  #db: Db;
  #store: MediaStore;
  #changes: ChangeFeed | undefined;
  #limits: MediaLimits;
  #encoder: EncoderSettings;
  #limit: LimitFunction;
  #now: () => Date;
  #rerender: RerenderPosts | undefined;

  constructor(deps: MediaServiceDeps) {
    this.#db = deps.db;
    this.#store = deps.store;
    this.#changes = deps.changes;
    this.#limits = { ...DEFAULT_MEDIA_LIMITS, ...deps.limits };
    this.#encoder = { ...DEFAULT_ENCODER, ...deps.encoder };
    // libvips threads each encode over every core; two encodes at a time keep them busy.
    this.#limit = pLimit(deps.concurrency ?? Math.max(1, Math.min(2, os.availableParallelism())));
    this.#now = deps.now ?? (() => new Date());
  }

  /**
   * The bytes of a stored file, by its public URL (`/media/2026/06/bath-1600.jpg`) or its
   * path below the media root; undefined when there is no such file (or the path is not one).
   */
  async readFile(urlOrPath: string): Promise<Buffer | undefined> {
    let rel = urlOrPath.startsWith(MEDIA_URL_PREFIX) ? urlOrPath.slice(MEDIA_URL_PREFIX.length) : urlOrPath;
    try {
      rel = decodeURIComponent(rel.split(/[?#]/)[0] ?? '');
    } catch {
      return undefined;
    }
    if (rel === '' || rel.startsWith('/') || rel.split('/').includes('..')) return undefined;
    try {
      return await this.#store.read(rel);
    } catch {
      return undefined;
    }
  }

  /**
   * Who renders posts again when a photo's texts change: their stored HTML took the
   * library's alt text and caption where the Markdown left them empty (posts are rendered
   * on write). Set by the composition root, as the posts module uses this one.
   */
  useRerender(rerender: RerenderPosts): void {
    this.#rerender = rerender;
  }

  /** The size and pixel limits uploads are held to. */
  get limits(): MediaLimits {
    return this.#limits;
  }

  /** Checks that bytes are a photo Hearth takes, as `ingest` would, without storing anything (an import's dry run). */
  async check(input: Upload): Promise<void> {
    await inspectUpload(sourceOf(input), input.name, this.#limits);
  }

  /** Checks, encodes and stores a photo and its variants, then records it. */
  async ingest(input: IngestInput, db: Db = this.#db): Promise<MediaItem> {
    return (await this.#ingest(input, db, false)).item;
  }

  /**
   * An upload into the library: the photo it already is when the same bytes were uploaded
   * before (or, for photos stored before hashes were kept, when it encodes to the same
   * stored original), otherwise `ingest`.
   */
  async upload(input: IngestInput): Promise<UploadResult> {
    return this.#ingest(input, this.#db, true);
  }

  async #ingest(input: IngestInput, db: Db, dedupe: boolean): Promise<UploadResult> {
    const texts = checkTexts(input);
    // A file on disk is read by libvips from there (its header only, to check it), never into the heap.
    const source = sourceOf(input);
    const sha256 = await sha256Of(source);
    if (dedupe) {
      const same = await ownOnly(db.selectFrom('media').selectAll().where('sha256', '=', sha256), input)
        .orderBy('id')
        .executeTakeFirst();
      if (same) return { item: toMediaItem(same), duplicate: true };
    }
    const inspected = await inspectUpload(source, input.name, this.#limits);
    const now = this.#now();
    const folder = `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
    const base = asciiSlug(input.name.replace(/\.[a-z0-9]{1,5}$/i, ''), 'photo').slice(0, 60);
    // Random, not a content hash: two uploads never share (and never delete) each other's files.
    const stem = `${folder}/${base.replace(/-+$/, '')}-${randomBytes(5).toString('hex')}`;
    // The original, the largest file, is written to a temporary file and streamed to the store from there.
    const temp = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-photo-'));
    let encoded: Awaited<ReturnType<typeof encodePhoto>>;
    let fileSha256: string;
    try {
      encoded = await encodePhoto(source, inspected, stem, {
        ...this.#encoder,
        name: input.name,
        maxPixels: this.#limits.maxPixels,
        limit: this.#limit,
        tempDir: temp,
      });
      const original = encoded.original;
      fileSha256 = await sha256Of(original.file ?? original.data ?? Buffer.alloc(0));
      if (dedupe) {
        await this.#fillFileHashes();
        const same = await ownOnly(db.selectFrom('media').selectAll().where('file_sha256', '=', fileSha256), input)
          .orderBy('id')
          .executeTakeFirst();
        if (same) {
          // Found by its file: the upload's hash finds it at once next time.
          if (same.sha256 === null) await db.updateTable('media').set({ sha256 }).where('id', '=', same.id).execute();
          return { item: toMediaItem(same), duplicate: true };
        }
      }
      await this.#putAll(encoded.files);
    } finally {
      await fs.rm(temp, { recursive: true, force: true });
    }
    try {
      const row = await db
        .insertInto('media')
        .values({
          path: encoded.original.path,
          mime_type: MIME_TYPES[encoded.original.format],
          width: inspected.width,
          height: inspected.height,
          bytes: encoded.original.size,
          alt: texts.alt ?? '',
          caption: texts.caption ?? '',
          credit: texts.credit ?? '',
          variants: JSON.stringify(encoded.variants),
          created_at: now.toISOString(),
          original_name: input.name.slice(0, 255),
          uploaded_by: input.uploadedBy ?? null,
          sha256,
          file_sha256: fileSha256,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { item: toMediaItem(row), duplicate: false };
    } catch (error) {
      await this.#removeAll(encoded.files.map((f) => f.path));
      throw error;
    }
  }

  async get(id: number): Promise<MediaItem | undefined> {
    const row = await this.#db.selectFrom('media').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toMediaItem(row) : undefined;
  }

  /**
   * The library, newest first: a page of it, optionally only the photos whose file name,
   * alt text or caption contain `search` (any case), and only the `unused` ones (in no
   * post, note or profile) or those with no alt text (`noalt`); with `uploadedBy`, only
   * that person's photos (a contributor's own).
   */
  async list(
    query: { page?: number; perPage?: number; search?: string; filter?: MediaFilter; uploadedBy?: number } = {},
  ): Promise<MediaPage> {
    const page = query.page ?? 1;
    const perPage = query.perPage ?? 30;
    if (!Number.isSafeInteger(page) || page < 1) throw new ValidationError({ page: 'must be a whole number from 1' });
    if (!Number.isSafeInteger(perPage) || perPage < 1 || perPage > 100)
      throw new ValidationError({ perPage: 'must be a whole number from 1 to 100' });
    const search = (query.search ?? '').trim().toLowerCase();
    if (search.length > 200) throw new ValidationError({ q: 'can be at most 200 characters' });
    const used = query.filter === 'unused' ? await usedMediaIds(this.#db) : [];
    const filtered = () => {
      let q = this.#db.selectFrom('media');
      if (search !== '') {
        const pattern = `%${search.replace(/[!%_]/g, (c) => `!${c}`)}%`;
        const like = (column: 'original_name' | 'alt' | 'caption') =>
          sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '!'`;
        q = q.where((eb) => eb.or([like('original_name'), like('alt'), like('caption')]));
      }
      if (query.filter === 'noalt') q = q.where(sql<SqlBool>`trim(alt) = ''`);
      if (query.uploadedBy !== undefined) q = q.where('uploaded_by', '=', query.uploadedBy);
      return q;
    };
    const newestFirst = <Q extends { orderBy: (c: 'created_at' | 'id', d: 'desc') => Q }>(q: Q) =>
      q.orderBy('created_at', 'desc').orderBy('id', 'desc');
    if (query.filter === 'unused') {
      // The used photos are found in posts' text, so the unused ones are worked out here
      // from the ids (a list of thousands of ids is more than a query may bind).
      const usedSet = new Set(used);
      const ids = (await newestFirst(filtered().select('id')).execute())
        .map((r) => r.id)
        .filter((id) => !usedSet.has(id));
      const slice = ids.slice((page - 1) * perPage, page * perPage);
      const rows = slice.length === 0 ? [] : await filtered().selectAll().where('id', 'in', slice).execute();
      const byId = new Map(rows.map((r) => [r.id, r]));
      const items = slice.flatMap((id) => {
        const row = byId.get(id);
        return row ? [toMediaItem(row)] : [];
      });
      return { items, total: ids.length, page, pages: Math.max(1, Math.ceil(ids.length / perPage)) };
    }
    const count = await filtered()
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    const rows = await newestFirst(filtered().selectAll())
      .limit(perPage)
      .offset((page - 1) * perPage)
      .execute();
    const total = Number(count?.n ?? 0);
    return { items: rows.map(toMediaItem), total, page, pages: Math.max(1, Math.ceil(total / perPage)) };
  }

  /**
   * Changes a photo's alt text, caption or credit: `by` is the person asking (the
   * uploader's, or any for editors and above) or `'system'` (the demo, the CLI, tests).
   * Feature images show it at once; the posts whose Markdown shows the photo are rendered
   * again in the same transaction (where their Markdown leaves alt text or caption empty,
   * the library's is used), and their pages are purged.
   */
  async update(id: number, patch: MediaTextPatch, by: MediaActor | 'system'): Promise<MediaItem> {
    // Whose photo it is first: someone who may not change it is not told about its fields.
    if (by !== 'system') mayChange(await this.#mustGet(id), by);
    const texts = checkTexts(patch);
    if (Object.keys(texts).length === 0) return this.#mustGet(id);
    const { row, usage } = await this.#db.transaction().execute(async (tx) => {
      const row = await tx.updateTable('media').set(texts).where('id', '=', id).returningAll().executeTakeFirst();
      if (!row) throw new HearthError('HEARTH_ERR_MEDIA_NOT_FOUND', { id });
      const usage = await findUsage(tx, row);
      const shown = usage.posts.filter((p) => p.as.includes('body') || p.as.includes('note')).map((p) => p.id);
      if (shown.length > 0) await this.#rerender?.(shown, tx);
      return { row, usage };
    });
    this.#announce(usage);
    return toMediaItem(row);
  }

  /** Where a photo is used: posts (feature image, body, editor's note) and profiles. */
  async usage(id: number): Promise<MediaUsage> {
    return findUsage(this.#db, await this.#mustGet(id));
  }

  /**
   * Deletes a photo and its files: `by` the uploader or an editor and above, or `'system'`. Refuses, naming the posts and profiles, while it is
   * used, unless `force`: then feature images and avatars that were this photo are
   * cleared, and bodies keep a link that no longer resolves.
   */
  async delete(id: number, options: { force?: boolean; by: MediaActor | 'system' }): Promise<void> {
    const item = await this.#mustGet(id);
    if (options.by !== 'system') mayChange(item, options.by);
    const usage = await this.#db.transaction().execute(async (tx) => {
      const found = await findUsage(tx, item);
      if ((found.posts.length > 0 || found.profiles.length > 0) && !options.force) {
        throw new HearthError('HEARTH_ERR_MEDIA_IN_USE', { path: item.path, usedBy: describeUsage(found) });
      }
      await tx.updateTable('posts').set({ feature_image_id: null }).where('feature_image_id', '=', id).execute();
      await tx.updateTable('users').set({ avatar_media_id: null }).where('avatar_media_id', '=', id).execute();
      await tx.deleteFrom('media').where('id', '=', id).execute();
      return found;
    });
    await this.#removeAll([item.path, ...item.variants.map((v) => v.path)]);
    this.#announce(usage);
  }

  /**
   * The images of a post (saved or not) that readers would get without alternative
   * text, for the editor to warn about before publishing.
   */
  async missingAlt(post: PostImages): Promise<MissingAlt[]> {
    return missingAltIn(this.#db, post);
  }

  /** Every post and page, drafts included, that has an image without alternative text. */
  async postsMissingAlt(): Promise<(PostRef & { images: MissingAlt[] })[]> {
    return postsMissingAlt(this.#db);
  }

  /**
   * The first library photo a body of Markdown shows (by any of its files): the editor
   * offers it as the feature image.
   */
  async firstPhotoIn(markdown: string): Promise<MediaItem | undefined> {
    for (const image of markdownImages(markdown).slice(0, 20)) {
      if (!image.src.startsWith(MEDIA_URL_PREFIX)) continue;
      let file: string;
      try {
        file = decodeURI(image.src.slice(MEDIA_URL_PREFIX.length).replace(/[?#].*$/, ''));
      } catch {
        continue;
      }
      const stem = file.replace(/\.[a-z0-9]+$/i, '');
      const stems = [...new Set([stem, stem.replace(/-\d+$/, '')])];
      const rows = await this.#db
        .selectFrom('media')
        .selectAll()
        .where((eb) =>
          eb.or(stems.flatMap((st) => ['jpg', 'png', 'gif', 'webp'].map((x) => eb('path', '=', `${st}.${x}`)))),
        )
        .orderBy('id')
        .execute();
      const row = rows.find((r) => r.path === file) ?? rows[0];
      if (row) return toMediaItem(row);
    }
    return undefined;
  }

  /** Stored images referenced by URL in a body of Markdown. */
  async referencedIn(markdown: string, db: Db = this.#db): Promise<Map<string, ImageInfo>> {
    const paths = [...markdown.matchAll(/\/media\/([^\s)"']+)/g)].map((m) => m[1] as string);
    if (paths.length === 0) return new Map();
    const rows = await db
      .selectFrom('media')
      .selectAll()
      .where('path', 'in', [...new Set(paths)])
      .execute();
    return new Map(rows.map((r) => [`${MEDIA_URL_PREFIX}${r.path}`, toImageInfo(r)]));
  }

  /**
   * Hashes the stored originals of photos that have no file hash yet (stored before
   * migration 0025), a batch at a time. A file that is gone gets '' (never matched); when
   * the store fails, the rest wait for the next upload.
   */
  async #fillFileHashes(): Promise<void> {
    for (;;) {
      const rows = await this.#db
        .selectFrom('media')
        .select(['id', 'path'])
        .where('file_sha256', 'is', null)
        .orderBy('id')
        .limit(20)
        .execute();
      if (rows.length === 0) return;
      let failed = false;
      await Promise.all(
        rows.map(async (r) => {
          let data: Buffer | undefined;
          try {
            data = await this.#store.read(r.path);
          } catch {
            failed = true;
            return;
          }
          const hash = data ? await sha256Of(data) : '';
          await this.#db.updateTable('media').set({ file_sha256: hash }).where('id', '=', r.id).execute();
        }),
      );
      if (failed) return;
    }
  }

  async #mustGet(id: number): Promise<MediaItem> {
    const item = await this.get(id);
    if (!item) throw new HearthError('HEARTH_ERR_MEDIA_NOT_FOUND', { id });
    return item;
  }

  /** Writes every file or, when one fails, removes those written and rethrows. */
  async #putAll(files: EncodedFile[]): Promise<void> {
    const results = await Promise.allSettled(
      files.map((f) =>
        f.file ? this.#store.putFile(f.path, f.file) : this.#store.put(f.path, f.data ?? Buffer.alloc(0)),
      ),
    );
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) {
      await this.#removeAll(files.map((f) => f.path));
      throw failed.reason;
    }
  }

  /**
   * Removes the stored files of a photo whose row was never committed (an import rolled back):
   * ingest writes the files before the row, inside the caller's transaction.
   */
  async discardFiles(item: Pick<MediaItem, 'path' | 'variants'>): Promise<void> {
    await this.#removeAll([item.path, ...item.variants.map((v) => v.path)]);
  }

  async #removeAll(paths: string[]): Promise<void> {
    // A file that cannot be removed is left behind rather than hiding the first error.
    await Promise.allSettled(paths.map((p) => this.#store.remove(p)));
  }

  #announce(usage: MediaUsage): void {
    for (const post of usage.posts) this.#changes?.publish({ kind: 'post', postId: post.id });
    if (usage.profiles.length > 0) this.#changes?.publish({ kind: 'site' });
  }
}

/** Renders the stored HTML of some posts again, in the caller's transaction. */
export type RerenderPosts = (postIds: number[], tx: Db) => Promise<void>;

/** The hex SHA-256 of some bytes, or of a file read as a stream. */
async function sha256Of(source: Buffer | string): Promise<string> {
  const hash = createHash('sha256');
  if (typeof source !== 'string') return hash.update(source).digest('hex');
  for await (const chunk of createReadStream(source)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** What sharp and the checks read: the bytes, or the path of the file holding them. */
function sourceOf(input: PhotoSource): Buffer | string {
  if (input.file !== undefined) return input.file;
  if (input.data !== undefined) return input.data;
  throw new Error('MediaService: a photo needs its bytes or a file');
}

/** Trims and checks the texts a writer gives a photo; only the given ones are returned. */
function checkTexts(input: MediaTextPatch): MediaTextPatch {
  const texts: MediaTextPatch = {};
  const errors: Record<string, string> = {};
  for (const field of ['alt', 'caption', 'credit'] as const) {
    const value = input[field];
    if (value === undefined) continue;
    const trimmed = value.trim();
    if (trimmed.length > TEXT_LIMITS[field]) errors[field] = `can be at most ${TEXT_LIMITS[field]} characters`;
    texts[field] = trimmed;
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return texts;
}

/**
 * Photo ownership: the uploader may change or delete a photo; editors and above (who may
 * edit any post) any photo, also those with no uploader on record. Everyone who may
 * upload may still see the whole library and use any photo in a post.
 */
export function canChangePhoto(item: Pick<MediaItem, 'uploadedBy'>, by: MediaActor): boolean {
  return can(by.role, 'edit_any') || (item.uploadedBy !== null && item.uploadedBy === by.id);
}

function mayChange(item: MediaItem, by: MediaActor): void {
  if (canChangePhoto(item, by)) return;
  throw new HearthError('HEARTH_ERR_MEDIA_NOT_YOURS', { id: item.id, role: by.role });
}

function toMediaItem(row: MediaRow): MediaItem {
  return {
    id: row.id,
    path: row.path,
    url: `${MEDIA_URL_PREFIX}${row.path}`,
    mimeType: row.mime_type,
    width: row.width,
    height: row.height,
    bytes: Number(row.bytes),
    alt: row.alt,
    caption: row.caption,
    credit: row.credit,
    originalName: row.original_name,
    uploadedBy: row.uploaded_by ?? null,
    createdAt: row.created_at,
    variants: JSON.parse(row.variants) as Variant[],
    image: toImageInfo(row),
  };
}

/** Limits a duplicate search to the uploader's own photos when the upload asks it. */
function ownOnly<Q extends { where: (column: 'uploaded_by', op: 'is' | '=', value: number | null) => Q }>(
  query: Q,
  input: IngestInput,
): Q {
  if (!input.dedupeOwnOnly) return query;
  return input.uploadedBy == null
    ? query.where('uploaded_by', 'is', null)
    : query.where('uploaded_by', '=', input.uploadedBy);
}
