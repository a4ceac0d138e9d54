import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import type { Variant, VariantFormat } from './image-info.js';
import { corrupt, type Inspected } from './inspect.js';

// libvips keeps the results of recent operations for reuse; every photo Hearth encodes is a new
// one, so that cache (up to 50 MB) never hits: it only held memory (an import of 2,000 photos).
sharp.cache(false);

/** Widths made for every photo, never larger than the photo itself. */
export const VARIANT_WIDTHS = [480, 960, 1600, 2400];

/** How hard the encoders work; AVIF's effort is the costly one (0 fastest … 9 smallest). */
export interface EncoderSettings {
  avifEffort: number;
}

/**
 * A file ready to be stored, and the variant it is (the original is one too): its bytes,
 * or the temporary file they were written to (`file`, streamed to the store from there).
 */
export interface EncodedFile {
  path: string;
  data?: Buffer | undefined;
  file?: string | undefined;
  size: number;
}

export interface EncodedPhoto {
  /** The stored original: full size, orientation applied, metadata gone. */
  original: EncodedFile & { format: VariantFormat };
  files: EncodedFile[];
  variants: Variant[];
}

const EXTENSIONS: Record<VariantFormat, string> = { avif: 'avif', webp: 'webp', jpeg: 'jpg', png: 'png', gif: 'gif' };

/**
 * The plan for a photo: which format serves as the fallback, which widths and formats
 * to make. A still photo gets AVIF, WebP and a JPEG (PNG when it has transparency or
 * was a PNG or GIF) at each width below its own, plus its own width up to the largest
 * standard width. An animated GIF or WebP stays animated: animated WebP at each width
 * and the whole animation as a GIF fallback (libvips cannot write animated AVIF).
 */
export function planVariants(photo: Inspected, stem: string) {
  const animated = photo.pages > 1;
  const fallback: VariantFormat = animated
    ? 'gif'
    : photo.format === 'jpeg' || (!photo.hasAlpha && (photo.format === 'webp' || photo.format === 'avif'))
      ? 'jpeg'
      : 'png';
  const largest = VARIANT_WIDTHS.at(-1) ?? 0;
  const widths = [...VARIANT_WIDTHS.filter((w) => w < photo.width), ...(photo.width <= largest ? [photo.width] : [])];
  const formats: VariantFormat[] = animated ? ['webp'] : ['avif', 'webp', fallback];
  const originalPath = `${stem}.${EXTENSIONS[fallback]}`;
  const outputs = widths.flatMap((width) =>
    formats
      .map((format) => ({
        width,
        format,
        path: width === photo.width ? `${stem}.${EXTENSIONS[format]}` : `${stem}-${width}.${EXTENSIONS[format]}`,
      }))
      // At full width the fallback is the original itself.
      .filter((o) => o.path !== originalPath),
  );
  return { animated, fallback, originalPath, outputs };
}

/**
 * Decodes the upload, applies its orientation, and encodes the original and every
 * variant with all metadata removed except the colour profile. Each encode goes
 * through `limit`, which bounds how many run at once across the whole process;
 * after the first failure the rest are skipped. Nothing is stored here.
 */
export async function encodePhoto(
  /** The upload's bytes, or the path of the file holding them (libvips reads it, not the heap). */
  source: Buffer | string,
  photo: Inspected,
  stem: string,
  options: EncoderSettings & {
    name: string;
    maxPixels: number;
    limit: <T>(run: () => Promise<T>) => Promise<T>;
    /** A folder to write the original (the largest file) to, instead of keeping it in memory. */
    tempDir?: string | undefined;
  },
): Promise<EncodedPhoto> {
  const plan = planVariants(photo, stem);
  const originalFile = options.tempDir && path.join(options.tempDir, path.basename(plan.originalPath));
  const input = () =>
    sharp(source, { failOn: 'error', limitInputPixels: options.maxPixels, animated: plan.animated })
      // autoOrient() turns the pixels as EXIF says; sharp writes no EXIF, XMP or IPTC
      // unless asked, so the GPS position goes with it. The ICC profile is kept.
      .autoOrient()
      .keepIccProfile();
  let failed = false;
  const encode = (format: VariantFormat, width: number, original: boolean) =>
    options.limit(async () => {
      if (failed) return undefined;
      try {
        const resized = width === photo.width ? input() : input().resize({ width, withoutEnlargement: true });
        const encoding = encoder(resized, format, original, options);
        if (original && originalFile) {
          const info = await encoding.toFile(originalFile);
          return { file: originalFile, size: info.size, width: info.width, height: info.pageHeight ?? info.height };
        }
        const { data: out, info } = await encoding.toBuffer({ resolveWithObject: true });
        return { data: out, size: out.length, width: info.width, height: info.pageHeight ?? info.height };
      } catch (error) {
        failed = true;
        throw corrupt(options.name, photo.format, error, source);
      }
    });
  const results = await Promise.allSettled([
    encode(plan.fallback, photo.width, true),
    ...plan.outputs.map((o) => encode(o.format, o.width, false)),
  ]);
  const rejected = results.find((r) => r.status === 'rejected');
  if (rejected) throw rejected.reason;
  const [original, ...rest] = results.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
  if (!original) throw corrupt(options.name, photo.format, new Error('nothing was encoded'));

  const files: EncodedFile[] = [
    { path: plan.originalPath, data: original.data, file: original.file, size: original.size },
  ];
  const variants: Variant[] = [];
  plan.outputs.forEach((o, i) => {
    const out = rest[i];
    if (!out) return;
    files.push({ path: o.path, data: out.data, size: out.size });
    variants.push({ width: out.width, height: out.height, format: o.format, path: o.path });
  });
  if (plan.animated || photo.width <= (VARIANT_WIDTHS.at(-1) ?? 0)) {
    variants.push({ width: original.width, height: original.height, format: plan.fallback, path: plan.originalPath });
  }
  return { original: { ...(files[0] as EncodedFile), format: plan.fallback }, files, variants };
}

function encoder(image: Sharp, format: VariantFormat, original: boolean, settings: EncoderSettings): Sharp {
  switch (format) {
    case 'avif':
      return image.avif({ quality: 50, effort: settings.avifEffort });
    case 'webp':
      return image.webp({ quality: 78, effort: 4 });
    case 'png':
      return image.png({ compressionLevel: 9, adaptiveFiltering: true });
    case 'gif':
      return image.gif();
    case 'jpeg':
      // The original is kept at a higher quality: it is the photo's master copy.
      return image.jpeg({ quality: original ? 90 : 80, mozjpeg: true });
  }
}
