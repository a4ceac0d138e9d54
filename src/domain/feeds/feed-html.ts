/*
 * Post HTML as a feed carries it. Feed readers show it away from the site, so every
 * URL in it must be absolute, and nothing meant for the page alone (JSON-LD) goes along.
 *
 * The HTML is Hearth's own: rendered from Markdown at write time, where raw HTML is shown
 * as text and every attribute value is double-quoted with `&`, `<`, `>` and `"` escaped.
 * In such markup a start tag cannot hold a `>` and text cannot hold a `<`, so a rewrite
 * of the attribute values of start tags is exact, with no parse and reserialisation of
 * the whole post.
 */

const SCRIPT = /<script\b[^>]*>[\s\S]*?<\/script\s*>\n?/gi;
const START_TAG = /<[a-zA-Z][^<>]*>/g;
const URL_ATTRIBUTE = /(\s)(href|src|srcset|poster|cite)="([^"]*)"/gi;
const HAS_SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

/**
 * Makes the URLs in a post's HTML absolute: `/media/x.jpg` against the site's public
 * URL, `#section` and relative paths against the post's own URL; and drops scripts.
 *
 * @example
 *   feedHtml('<a href="/about/">', { publicUrl: 'https://ex.com', pageUrl: 'https://ex.com/p/' })
 *   // '<a href="https://ex.com/about/">'
 */
export function feedHtml(html: string, base: { publicUrl: string; pageUrl: string }): string {
  return html.replace(SCRIPT, '').replace(START_TAG, (tag) =>
    tag.replace(URL_ATTRIBUTE, (_, space: string, name: string, value: string) => {
      const rewritten = name.toLowerCase() === 'srcset' ? absoluteSrcset(value, base) : absoluteUrl(value.trim(), base);
      return `${space}${name}="${rewritten}"`;
    }),
  );
}

function absoluteUrl(value: string, base: { publicUrl: string; pageUrl: string }): string {
  if (value === '' || HAS_SCHEME.test(value) || value.startsWith('//')) return value;
  if (value.startsWith('/')) return `${base.publicUrl}${value}`;
  if (value.startsWith('#')) return `${base.pageUrl}${value}`;
  try {
    return new URL(value, base.pageUrl).href;
  } catch {
    return value;
  }
}

/** `a.jpg 480w, b.jpg 960w`: each candidate's URL made absolute, its descriptor kept. */
function absoluteSrcset(value: string, base: { publicUrl: string; pageUrl: string }): string {
  return value
    .split(',')
    .map((candidate) => {
      const [url = '', ...descriptor] = candidate.trim().split(/\s+/);
      return [absoluteUrl(url, base), ...descriptor].join(' ');
    })
    .join(', ');
}

// Tags between which words part; inline tags (a, em, strong) join what they wrap.
const BLOCK_TAG =
  /<\/?(?:p|div|h[1-6]|ul|ol|li|dl|dt|dd|blockquote|pre|figure|figcaption|aside|section|article|table|tr|td|th|br|hr)\b[^>]*>/gi;
const ENTITY = /&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * The opening words of a post as plain text, for a summary when the writer gave no
 * excerpt. Hearth's HTML escapes only `&`, `<`, `>`, `"` and `'` (as numeric references),
 * so those are all the references there are to decode.
 */
export function summaryFromHtml(html: string, maxWords = 55): string {
  const text = html
    .replace(SCRIPT, ' ')
    .replace(BLOCK_TAG, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(ENTITY, (whole, dec?: string, hex?: string, name?: string) => {
      if (name) return NAMED[name] ?? whole;
      const code = dec ? Number(dec) : Number.parseInt(hex ?? '', 16);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    });
  const words = text.split(/\s+/).filter((w) => w !== '');
  return words.length > maxWords ? `${words.slice(0, maxWords).join(' ')} …` : words.join(' ');
}
