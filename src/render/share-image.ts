import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { escapeHtml } from '../shared/html.js';
import { wrapTitle } from '../shared/text.js';

/** What a sharing card shows. */
export interface ShareCard {
  title: string;
  siteTitle: string;
  /** A small label above the title: the category. */
  label?: string;
  /** The byline under the title. */
  byline?: string;
}

export const SHARE_WIDTH = 1200;
export const SHARE_HEIGHT = 630;

/**
 * A short fingerprint of what the card shows: part of the image's name, so that a new
 * title gives a new address and the old image can be cached for ever.
 */
export function shareCardHash(card: ShareCard): string {
  return createHash('sha256')
    .update(JSON.stringify([card.title, card.siteTitle, card.label ?? '', card.byline ?? '']))
    .digest('hex')
    .slice(0, 10);
}

/**
 * The image shown when a post without a feature image is shared: its title on the
 * theme's colours, 1200×630 PNG (the size Open Graph and Twitter cards expect), drawn
 * from SVG with sharp. Uses the system's serif and sans-serif fonts.
 */
export async function renderShareImage(card: ShareCard): Promise<Buffer> {
  const long = card.title.length > 60;
  const size = long ? 58 : 72;
  const lines = wrapTitle(card.title, long ? 30 : 24, 4);
  const lineHeight = Math.round(size * 1.2);
  const top = 250 - Math.max(0, lines.length - 2) * (lineHeight / 2);
  const text = lines
    .map((l, i) => `<tspan x="96" y="${Math.round(top + i * lineHeight)}">${escapeHtml(l)}</tspan>`)
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${SHARE_WIDTH}" height="${SHARE_HEIGHT}" viewBox="0 0 ${SHARE_WIDTH} ${SHARE_HEIGHT}">
  <rect width="100%" height="100%" fill="#fffaf3"/>
  <rect x="0" y="0" width="24" height="100%" fill="#2f5d50"/>
  <circle cx="1080" cy="90" r="220" fill="#fbe9dc"/>
  <circle cx="1130" cy="560" r="120" fill="#f1f6f2"/>
  ${card.label ? `<text x="96" y="130" font-family="DejaVu Sans, Liberation Sans, sans-serif" font-size="30" font-weight="bold" letter-spacing="3" fill="#a2451f">${escapeHtml(card.label.toUpperCase())}</text>` : ''}
  <text font-family="DejaVu Serif, Liberation Serif, serif" font-size="${size}" font-weight="bold" fill="#2b2623">${text}</text>
  ${card.byline ? `<text x="96" y="540" font-family="DejaVu Sans, Liberation Sans, sans-serif" font-size="30" fill="#5f5650">${escapeHtml(card.byline)}</text>` : ''}
  <text x="96" y="586" font-family="DejaVu Sans, Liberation Sans, sans-serif" font-size="30" font-weight="bold" fill="#2f5d50">${escapeHtml(card.siteTitle)}</text>
</svg>`;
  return sharp(Buffer.from(svg)).png({ compressionLevel: 9, palette: true }).toBuffer();
}
