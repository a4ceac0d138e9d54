import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { escapeHtml } from '../../shared/html.js';
import { wrapTitle } from '../../shared/text.js';

/** What a drawn cover shows. */
export interface CoverText {
  title: string;
  subtitle?: string;
  /** The authors' names, as printed. */
  authors: string[];
}

/** What a drawn cover shows for a book: its title, subtitle and authors (role `aut`). */
export function coverText(book: {
  title: string;
  subtitle: string;
  authors: { name: string; role: string }[];
}): CoverText {
  return {
    title: book.title,
    authors: book.authors.filter((a) => a.role === 'aut').map((a) => a.name),
    ...(book.subtitle ? { subtitle: book.subtitle } : {}),
  };
}

/** A short fingerprint of a drawn cover (its text and photo): part of its address, so each address shows one image. */
export function coverHash(text: CoverText, photoUrl: string | null): string {
  return createHash('sha256')
    .update(JSON.stringify([text.title, text.subtitle ?? '', text.authors, photoUrl ?? '', COVER_WIDTH]))
    .digest('hex')
    .slice(0, 12);
}

/** A cover's size: 2:3, the shape of most e-book stores' covers, at most 1600 px long like the book's photos. */
export const COVER_WIDTH = 1067;
export const COVER_HEIGHT = 1600;
/** It is drawn on a larger canvas, then scaled down. */
const W = 1600;
const H = 2400;

const SERIF = 'DejaVu Serif, Liberation Serif, serif';
const SANS = 'DejaVu Sans, Liberation Sans, sans-serif';

/**
 * A cover drawn by Hearth: the chosen photo over the upper part (cropped to fill it), and the
 * title, subtitle and authors on the blog's colours below; without a photo, the text alone on
 * a coloured ground. A JPEG of 1067×1600 px with no metadata. Text is drawn from SVG with the
 * system's fonts, so any script the fonts cover is drawn as written.
 */
export async function drawCover(text: CoverText, photo?: Buffer): Promise<Buffer> {
  const withPhoto = photo !== undefined;
  const photoHeight = withPhoto ? Math.round(H * 0.58) : 0;
  const long = text.title.length > 40;
  const size = long ? 104 : 132;
  const titleLines = wrapTitle(text.title, long ? 22 : 17, 4);
  const subtitleLines = text.subtitle ? wrapTitle(text.subtitle, 34, 2) : [];
  const lineHeight = Math.round(size * 1.18);
  const top = withPhoto ? photoHeight + 200 : 760 - Math.max(0, titleLines.length - 2) * (lineHeight / 2);
  const x = 140;
  const tspans = (lines: string[], y: number, step: number) =>
    lines.map((l, i) => `<tspan x="${x}" y="${Math.round(y + i * step)}">${escapeHtml(l)}</tspan>`).join('');
  const subtitleTop = top + titleLines.length * lineHeight + 20;
  const byline = text.authors.filter((a) => a.trim() !== '').join(', ');
  const bylineLines = byline ? wrapTitle(byline, 36, 2) : [];
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">
  <rect width="100%" height="100%" fill="${withPhoto ? '#fffaf3' : '#2f5d50'}"/>
  ${withPhoto ? '' : `<circle cx="1420" cy="260" r="520" fill="#3b6e60"/><circle cx="180" cy="2250" r="380" fill="#28504a"/>`}
  <rect x="${x}" y="${top - size - 70}" width="220" height="14" fill="${withPhoto ? '#a2451f' : '#f4c9a8'}"/>
  <text font-family="${SERIF}" font-size="${size}" font-weight="bold" fill="${withPhoto ? '#2b2623' : '#fffaf3'}">${tspans(titleLines, top, lineHeight)}</text>
  ${subtitleLines.length ? `<text font-family="${SERIF}" font-size="64" font-style="italic" fill="${withPhoto ? '#5f5650' : '#f1f6f2'}">${tspans(subtitleLines, subtitleTop + 50, 80)}</text>` : ''}
  ${bylineLines.length ? `<text font-family="${SANS}" font-size="58" font-weight="bold" letter-spacing="2" fill="${withPhoto ? '#2f5d50' : '#f4c9a8'}">${tspans(bylineLines, H - 200 - (bylineLines.length - 1) * 72, 72)}</text>` : ''}
</svg>`;
  let image = sharp(Buffer.from(svg));
  if (withPhoto) {
    // The photo fills the band above the text; the text is drawn below it, never over it.
    const band = await sharp(photo)
      .rotate()
      .resize({ width: W, height: photoHeight, fit: 'cover', position: 'attention' })
      .jpeg()
      .toBuffer();
    image = sharp(
      await image
        .composite([{ input: band, top: 0, left: 0 }])
        .png()
        .toBuffer(),
    );
  }
  const flat = await image.flatten({ background: '#fffaf3' }).png().toBuffer();
  return sharp(flat).resize(COVER_WIDTH, COVER_HEIGHT).jpeg({ quality: 86, mozjpeg: true }).toBuffer();
}
