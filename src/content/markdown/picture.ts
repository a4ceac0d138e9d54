import { escapeHtml } from '../../shared/html.js';
import type { PictureImage } from './types.js';

/** The `sizes` of an image that spans the reading column (max 44rem ~ 704 px). */
export const CONTENT_SIZES = '(min-width: 48rem) 44rem, 100vw';

type PictureOptions = { alt?: string; sizes?: string; eager?: boolean; className?: string };

/**
 * A responsive `<picture>` for a stored image: every source with `srcset` and `sizes`,
 * the `<img>` with width, height, lazy loading and async decoding.
 *
 * An image shared by every page (`toImageInfo` freezes it) gets its markup worked out
 * once per set of options and remembered with it: a post page shows the same photos
 * view after view, and each is a kilobyte of escaped `srcset`.
 */
export function pictureHtml(image: PictureImage, options: PictureOptions = {}): string {
  if (!Object.isFrozen(image)) return picture(image, options);
  const key = `${options.sizes ?? ''}\n${options.alt ?? '\u0000'}\n${options.eager ? 1 : 0}\n${options.className ?? ''}`;
  let byOptions = pictures.get(image);
  if (!byOptions) {
    byOptions = new Map();
    pictures.set(image, byOptions);
  }
  let html = byOptions.get(key);
  if (html === undefined) {
    if (byOptions.size >= 16) byOptions.clear();
    html = picture(image, options);
    byOptions.set(key, html);
  }
  return html;
}

/** Markup by image (while the image lives) and options. */
const pictures = new WeakMap<PictureImage, Map<string, string>>();

function picture(image: PictureImage, options: PictureOptions): string {
  const sizes = options.sizes ?? CONTENT_SIZES;
  const alt = options.alt ?? image.alt;
  const fallback = image.sources.at(-1);
  const sources = image.sources
    .slice(0, -1)
    .map((s) => `<source type="${s.type}" srcset="${escapeHtml(s.srcset)}" sizes="${sizes}">`)
    .join('');
  const loading = options.eager ? 'fetchpriority="high"' : 'loading="lazy"';
  const srcset = fallback ? ` srcset="${escapeHtml(fallback.srcset)}" sizes="${sizes}"` : '';
  const cls = options.className ? ` class="${options.className}"` : '';
  return (
    `<picture${cls}>${sources}<img src="${escapeHtml(image.src)}"${srcset} alt="${escapeHtml(alt)}" ` +
    `width="${image.width}" height="${image.height}" ${loading} decoding="async"></picture>`
  );
}

// The whole caption must be the camera's name: "IMG_2041", "PXL_20230101_123456", "Photo 2";
// "Image 1 of the set" or "Photo 3: the harbour at dawn" are real captions.
const CAMERA_NAME = /^(img|dsc|dscn|dcim|pxl|mvimg|photo|image|screenshot|scan|wp)[-_ ]?\d[\w.-]*$/i;
const FILE_NAME = /^[^\s/]+\.(jpe?g|png|gif|webp|avif|heic|heif|tiff?|bmp|svg)$/i;

/**
 * Whether a caption is really a file name ("IMG_2041.jpg", "dsc01234"): a careless
 * CMS prints those; Hearth drops them.
 */
export function looksLikeFileName(text: string): boolean {
  const t = text.trim();
  return FILE_NAME.test(t) || CAMERA_NAME.test(t) || /^[\w-]+_[\w-]+_\d+$/.test(t);
}
