import { createHash } from 'node:crypto';
import sharp, { type Sharp } from 'sharp';
import type { ImageInfo } from '../../render/markdown/index.js';
import { slugify } from '../../shared/slug.js';
import type { Db, MediaRow, MediaStore } from '../../storage/index.js';

/** Widths made for every photo; never larger than the original. */
export const VARIANT_WIDTHS = [480, 960, 1600, 2400];
export const MEDIA_URL_PREFIX = '/media/';

interface Variant {
  width: number;
  height: number;
  format: 'webp' | 'jpeg' | 'png';
  path: string;
}

export interface IngestInput {
  data: Buffer;
  /** A name for the stored file (the original file name or a title). */
  name: string;
  alt?: string;
  caption?: string;
  credit?: string;
}

const mimeTypes: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/**
 * Photos: stored with orientation applied and every piece of metadata removed (GPS
 * above all), in several widths as WebP plus a JPEG or PNG fallback.
 */
export class MediaService {
  #db: Db;
  #store: MediaStore;

  constructor(deps: { db: Db; store: MediaStore }) {
    this.#db = deps.db;
    this.#store = deps.store;
  }

  /** Stores a photo and its variants, then records it; returns the media row. */
  async ingest(input: IngestInput, db: Db = this.#db): Promise<MediaRow> {
    const base = () => sharp(input.data, { failOn: 'error' }).rotate();
    const meta = await sharp(input.data, { failOn: 'error' }).metadata();
    const format: 'jpeg' | 'png' = meta.format === 'png' || meta.hasAlpha ? 'png' : 'jpeg';
    // EXIF orientations 5 to 8 turn the picture a quarter: width and height swap.
    const turned = (meta.orientation ?? 1) >= 5;
    const width = (turned ? meta.height : meta.width) ?? 0;
    const height = (turned ? meta.width : meta.height) ?? 0;
    const hash = createHash('sha256').update(input.data).digest('hex').slice(0, 10);
    const now = new Date();
    const folder = `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
    const stem = `${folder}/${slugify(input.name.replace(/\.[a-z0-9]+$/i, ''), 'photo')}-${hash}`;
    // rotate() applies the EXIF orientation; sharp writes no metadata unless asked (no GPS).
    const original = await encode(base().keepIccProfile(), format);
    const originalPath = `${stem}.${format === 'jpeg' ? 'jpg' : 'png'}`;
    await this.#store.put(originalPath, original);

    const variants: Variant[] = [];
    for (const w of VARIANT_WIDTHS.filter((w) => w < width)) {
      const h = Math.round((height * w) / width);
      for (const f of ['webp', format] as const) {
        const data = await encode(base().resize(w, h).keepIccProfile(), f);
        const p = `${stem}-${w}.${f === 'jpeg' ? 'jpg' : f}`;
        await this.#store.put(p, data);
        variants.push({ width: w, height: h, format: f, path: p });
      }
    }
    const fullWebp = await encode(base().keepIccProfile(), 'webp');
    await this.#store.put(`${stem}.webp`, fullWebp);
    variants.push({ width, height, format: 'webp', path: `${stem}.webp` });
    variants.push({ width, height, format, path: originalPath });

    return db
      .insertInto('media')
      .values({
        path: originalPath,
        mime_type: mimeTypes[format] ?? 'application/octet-stream',
        width,
        height,
        bytes: original.length,
        alt: input.alt?.trim() ?? '',
        caption: input.caption?.trim() ?? '',
        credit: input.credit?.trim() ?? '',
        variants: JSON.stringify(variants),
        created_at: now.toISOString(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
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
}

async function encode(image: Sharp, format: 'webp' | 'jpeg' | 'png'): Promise<Buffer> {
  if (format === 'webp') return image.webp({ quality: 78, effort: 4 }).toBuffer();
  if (format === 'png') return image.png({ compressionLevel: 9, adaptiveFiltering: true }).toBuffer();
  return image.jpeg({ quality: 80, mozjpeg: true }).toBuffer();
}

/** The columns of a media row that make an `ImageInfo`. */
export type ImageRow = Pick<
  MediaRow,
  'path' | 'mime_type' | 'width' | 'height' | 'alt' | 'caption' | 'credit' | 'variants'
>;

/** A media row as the renderer and templates use it. */
export function toImageInfo(row: ImageRow): ImageInfo {
  const variants = JSON.parse(row.variants) as Variant[];
  const byFormat = new Map<string, Variant[]>();
  for (const v of variants) byFormat.set(v.format, [...(byFormat.get(v.format) ?? []), v]);
  const srcset = (list: Variant[]) => list.map((v) => `${MEDIA_URL_PREFIX}${v.path} ${v.width}w`).join(', ');
  const fallback = row.mime_type === 'image/png' ? 'png' : 'jpeg';
  const sources = [
    ...(byFormat.get('webp') ? [{ type: 'image/webp', srcset: srcset(byFormat.get('webp') ?? []) }] : []),
    { type: row.mime_type, srcset: srcset(byFormat.get(fallback) ?? []) },
  ];
  return {
    src: `${MEDIA_URL_PREFIX}${row.path}`,
    width: row.width,
    height: row.height,
    alt: row.alt,
    caption: row.caption,
    credit: row.credit,
    sources,
  };
}
