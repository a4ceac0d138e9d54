import fs from 'node:fs/promises';
import { fileTypeFromBuffer, fileTypeFromFile } from 'file-type';
import sharp, { type Metadata } from 'sharp';
import { HearthError } from '../../errors.js';

/** The formats Hearth accepts, decided by a file's bytes. */
export type InputFormat = 'jpeg' | 'png' | 'webp' | 'avif' | 'gif';

/** Upper bounds on an upload, checked before any pixel is decoded. */
export interface MediaLimits {
  maxBytes: number;
  /** Width × height × frames. */
  maxPixels: number;
}

/** What the header of an accepted upload says: format and size, orientation applied. */
export interface Inspected {
  format: InputFormat;
  /** Width and height as shown, after the EXIF orientation is applied. */
  width: number;
  height: number;
  /** Frames: more than one for an animated GIF or WebP. */
  pages: number;
  hasAlpha: boolean;
}

const ACCEPTED: Record<string, InputFormat> = { jpg: 'jpeg', png: 'png', webp: 'webp', avif: 'avif', gif: 'gif' };
const LABELS: Record<InputFormat, string> = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP', avif: 'AVIF', gif: 'GIF' };

/** The format's name for people: "JPEG", "PNG". */
export function formatLabel(format: InputFormat): string {
  return LABELS[format];
}

/** How much of a file the SVG check reads. */
const SVG_HEAD = 4096;

/**
 * Checks an upload from its bytes alone: size, then type (by magic bytes, whatever the
 * file is called; SVG refused), then the pixel count from the image header. Nothing
 * is decoded here, so a decompression bomb costs a header read. Given a file's path,
 * only the bytes these checks need are read from it (libvips reads the header itself).
 */
export async function inspectUpload(source: Buffer | string, name: string, limits: MediaLimits): Promise<Inspected> {
  const size = typeof source === 'string' ? (await fs.stat(source)).size : source.length;
  if (size > limits.maxBytes) {
    throw new HearthError('HEARTH_ERR_MEDIA_TOO_LARGE', {
      field: 'file',
      name,
      size: formatBytes(size),
      limit: formatBytes(limits.maxBytes),
    });
  }
  const format = await sniff(source, size, name);
  let meta: Metadata;
  try {
    meta = await sharp(source, { failOn: 'error', limitInputPixels: false }).metadata();
  } catch (error) {
    throw corrupt(name, format, error, source);
  }
  // An AVIF's container can hold HEVC (HEIC) pictures too; only AV1 is accepted.
  if (format === 'avif' && meta.compression !== 'av1') {
    throw new HearthError('HEARTH_ERR_MEDIA_TYPE', { field: 'file', name, kind: 'a HEIC image' });
  }
  const pages = meta.pages ?? 1;
  const frameHeight = meta.pageHeight ?? meta.height;
  const pixels = meta.width * frameHeight * pages;
  if (!(meta.width > 0 && frameHeight > 0)) throw corrupt(name, format, new Error('the image has no size'));
  if (pixels > limits.maxPixels) {
    throw new HearthError('HEARTH_ERR_MEDIA_TOO_MANY_PIXELS', {
      field: 'file',
      name,
      width: meta.width,
      height: frameHeight * pages,
      megapixels: megapixels(pixels),
      limit: megapixels(limits.maxPixels),
    });
  }
  const turned = (meta.orientation ?? 1) >= 5;
  return {
    format,
    width: turned ? frameHeight : meta.width,
    height: turned ? meta.width : frameHeight,
    pages,
    hasAlpha: meta.hasAlpha,
  };
}

/** The upload's format from its first bytes; refuses SVG and anything that is not a photo. */
async function sniff(source: Buffer | string, size: number, name: string): Promise<InputFormat> {
  const type = typeof source === 'string' ? await fileTypeFromFile(source) : await fileTypeFromBuffer(source);
  const accepted = type ? ACCEPTED[type.ext] : undefined;
  if (accepted) return accepted;
  if ((!type || type.ext === 'xml') && looksLikeSvg(await head(source))) {
    throw new HearthError('HEARTH_ERR_MEDIA_SVG', { field: 'file', name });
  }
  const kind = size === 0 ? 'empty' : type ? `a ${type.ext.toUpperCase()} file (${type.mime})` : 'not an image';
  throw new HearthError('HEARTH_ERR_MEDIA_TYPE', { field: 'file', name, kind });
}

/** The first bytes of an upload, as many as the SVG check reads. */
async function head(source: Buffer | string): Promise<Buffer> {
  if (typeof source !== 'string') return source.subarray(0, SVG_HEAD);
  const handle = await fs.open(source, 'r');
  try {
    const buffer = Buffer.alloc(SVG_HEAD);
    const { bytesRead } = await handle.read(buffer, 0, SVG_HEAD, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** An SVG document: XML text whose first element is `<svg`, perhaps after a prolog and comments. */
function looksLikeSvg(data: Buffer): boolean {
  const head = data
    .subarray(0, SVG_HEAD)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  const withoutProlog = head.replace(/<\?xml[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>[]*(\[[\s\S]*?\])?\s*>/gi, '');
  return /^\s*<svg[\s>/]/i.test(withoutProlog);
}

/**
 * A decoding failure as a person reads it: which file, which format, what libvips said.
 * Read from a file (`source`, a path), libvips's words are those it uses for bytes, and the
 * temporary path is never shown.
 */
export function corrupt(name: string, format: InputFormat, error: unknown, source?: Buffer | string): HearthError {
  let raw = error instanceof Error ? error.message : String(error);
  if (typeof source === 'string')
    raw = raw
      .split(source)
      .join(name)
      .replace(/^Input file /, 'Input buffer ');
  const reason =
    raw
      .split('\n')[0]
      ?.replace(/^Vips\w+:\s*/, '')
      .replace(/[\s:.]+$/, '') || 'unreadable data';
  return new HearthError(
    'HEARTH_ERR_MEDIA_CORRUPT',
    { field: 'file', name, format: formatLabel(format), reason },
    { cause: error },
  );
}

function megapixels(pixels: number): string {
  return String(Math.round(pixels / 100_000) / 10);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KB`;
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
}
