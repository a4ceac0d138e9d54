import type { MediaRow } from '../../storage/index.js';

export const MEDIA_URL_PREFIX = '/media/';

/**
 * A stored photo as pages show it: size, texts and responsive sources. What the
 * Markdown renderer and `pictureHtml` take (content's `PictureImage`).
 */
export interface ImageInfo {
  src: string;
  width: number;
  height: number;
  alt: string;
  caption: string;
  credit: string;
  /** Responsive sources, best format first; the last one is the fallback format. */
  sources: { type: string; srcset: string }[];
}

/** One stored file of a photo: a width in one format. */
export interface Variant {
  width: number;
  height: number;
  format: VariantFormat;
  path: string;
}

export type VariantFormat = 'avif' | 'webp' | 'jpeg' | 'png' | 'gif';

export const MIME_TYPES: Record<VariantFormat, string> = {
  avif: 'image/avif',
  webp: 'image/webp',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
};

/** Sources are offered best first; browsers take the first type they support. */
const SOURCE_ORDER: VariantFormat[] = ['avif', 'webp'];
/** The `<img src>` a browser without `srcset` loads: wide enough for the reading column. */
const SRC_WIDTH = 1600;

/** The columns of a media row that make an `ImageInfo`. */
export type ImageRow = Pick<
  MediaRow,
  'path' | 'mime_type' | 'width' | 'height' | 'alt' | 'caption' | 'credit' | 'variants'
>;

/**
 * A media row as the renderer and templates use it: AVIF and WebP sources, then the
 * JPEG, PNG or GIF fallback, each with every width in its `srcset`.
 */
export function toImageInfo(row: ImageRow): ImageInfo {
  // Pages show the same images view after view: each is worked out once and shared,
  // frozen, found again by its path and reused while every column it is made from is
  // the same (compared, not hashed: the variants are a long string). Bounded.
  const known = infos.get(row.path);
  if (known && sameImage(known.row, row)) return known.info;
  const info = Object.freeze(imageInfo(row));
  for (const source of info.sources) Object.freeze(source);
  Object.freeze(info.sources);
  if (!known && infos.size >= MAX_INFOS) infos.clear();
  const { path, mime_type, width, height, alt, caption, credit, variants } = row;
  infos.set(row.path, { row: { path, mime_type, width, height, alt, caption, credit, variants }, info });
  return info;
}

const infos = new Map<string, { row: ImageRow; info: ImageInfo }>();
const MAX_INFOS = 2000;

function sameImage(a: ImageRow, b: ImageRow): boolean {
  return (
    a.variants === b.variants &&
    a.width === b.width &&
    a.height === b.height &&
    a.mime_type === b.mime_type &&
    a.alt === b.alt &&
    a.caption === b.caption &&
    a.credit === b.credit
  );
}

function imageInfo(row: ImageRow): ImageInfo {
  const variants = JSON.parse(row.variants) as Variant[];
  const byFormat = new Map<string, Variant[]>();
  for (const v of variants) byFormat.set(v.format, [...(byFormat.get(v.format) ?? []), v]);
  const srcset = (list: Variant[]) =>
    [...list]
      .sort((a, b) => a.width - b.width)
      .map((v) => `${MEDIA_URL_PREFIX}${v.path} ${v.width}w`)
      .join(', ');
  const fallbackFormat = (Object.keys(MIME_TYPES) as VariantFormat[]).find((f) => MIME_TYPES[f] === row.mime_type);
  const fallback = byFormat.get(fallbackFormat ?? 'jpeg') ?? [];
  const sources = [
    ...SOURCE_ORDER.filter((f) => f !== fallbackFormat && byFormat.has(f)).map((f) => ({
      type: MIME_TYPES[f],
      srcset: srcset(byFormat.get(f) ?? []),
    })),
    { type: row.mime_type, srcset: srcset(fallback) },
  ];
  const src = fallback.filter((v) => v.width <= SRC_WIDTH).sort((a, b) => b.width - a.width)[0]?.path ?? row.path;
  return {
    src: `${MEDIA_URL_PREFIX}${src}`,
    width: row.width,
    height: row.height,
    alt: row.alt,
    caption: row.caption,
    credit: row.credit,
    sources,
  };
}

/**
 * A stored file of a photo in its own format (JPEG, PNG, GIF or an animation's WebP): the
 * widest one at most `maxWidth` pixels wide, else the narrowest (the library's thumbnails).
 */
export function fileOfWidth(
  item: { path: string; width: number; height: number; variants: Variant[] },
  maxWidth: number,
): { src: string; width: number; height: number } {
  const ext = item.path.split('.').pop();
  const own = item.variants.filter((v) => v.path.split('.').pop() === ext);
  const list = (own.length > 0 ? own : item.variants).slice().sort((a, b) => a.width - b.width);
  const pick = list.filter((v) => v.width <= maxWidth).at(-1) ?? list[0];
  return pick
    ? { src: `${MEDIA_URL_PREFIX}${pick.path}`, width: pick.width, height: pick.height }
    : { src: `${MEDIA_URL_PREFIX}${item.path}`, width: item.width, height: item.height };
}
