import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pLimit, { type LimitFunction } from 'p-limit';
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
  MediaItem,
  MediaPage,
  MediaTextPatch,
  MediaUsage,
  MissingAlt,
  PhotoSource,
  PostImages,
  PostRef,
  Upload,
} from './types.js';
import { describeUsage, findUsage, missingAltIn, postsMissingAlt } from './usage.js';
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
    const texts = checkTexts(input);
    // A file on disk is read by libvips from there (its header only, to check it), never into the heap.
    const source = sourceOf(input);
    const inspected = await inspectUpload(source, input.name, this.#limits);
    const now = this.#now();
    const folder = `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
    const base = asciiSlug(input.name.replace(/\.[a-z0-9]{1,5}$/i, ''), 'photo').slice(0, 60);
    // Random, not a content hash: two uploads never share (and never delete) each other's files.
    const stem = `${folder}/${base.replace(/-+$/, '')}-${randomBytes(5).toString('hex')}`;
    // The original, the largest file, is written to a temporary file and streamed to the store from there.
    const temp = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-photo-'));
    let encoded: Awaited<ReturnType<typeof encodePhoto>>;
    try {
      encoded = await encodePhoto(source, inspected, stem, {
        ...this.#encoder,
        name: input.name,
        maxPixels: this.#limits.maxPixels,
        limit: this.#limit,
        tempDir: temp,
      });
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
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toMediaItem(row);
    } catch (error) {
      await this.#removeAll(encoded.files.map((f) => f.path));
      throw error;
    }
  }

  async get(id: number): Promise<MediaItem | undefined> {
    const row = await this.#db.selectFrom('media').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toMediaItem(row) : undefined;
  }

  /** The library, newest first; with `uploadedBy`, only that person's photos (a contributor's own). */
  async list(query: { page?: number; perPage?: number; uploadedBy?: number } = {}): Promise<MediaPage> {
    const page = query.page ?? 1;
    const perPage = query.perPage ?? 30;
    if (!Number.isSafeInteger(page) || page < 1) throw new ValidationError({ page: 'must be a whole number from 1' });
    if (!Number.isSafeInteger(perPage) || perPage < 1 || perPage > 100)
      throw new ValidationError({ perPage: 'must be a whole number from 1 to 100' });
    let base = this.#db.selectFrom('media');
    if (query.uploadedBy !== undefined) base = base.where('uploaded_by', '=', query.uploadedBy);
    const count = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    const rows = await base
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(perPage)
      .offset((page - 1) * perPage)
      .execute();
    const total = Number(count?.n ?? 0);
    return { items: rows.map(toMediaItem), total, page, pages: Math.max(1, Math.ceil(total / perPage)) };
  }

  /**
   * Changes a photo's alt text, caption or credit: `by` is the person asking (the
   * uploader's, or any for editors and above) or `'system'` (the demo, the CLI, tests).
   * Feature images show it at once; a
   * post body shows it when the post is next saved (its HTML is rendered on write).
   */
  async update(id: number, patch: MediaTextPatch, by: MediaActor | 'system'): Promise<MediaItem> {
    const texts = checkTexts(patch);
    if (by !== 'system') mayChange(await this.#mustGet(id), by);
    if (Object.keys(texts).length === 0) return this.#mustGet(id);
    const row = await this.#db.updateTable('media').set(texts).where('id', '=', id).returningAll().executeTakeFirst();
    if (!row) throw new HearthError('HEARTH_ERR_MEDIA_NOT_FOUND', { id });
    this.#announce(await findUsage(this.#db, row));
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
