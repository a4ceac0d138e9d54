/** A slug as one path segment: percent-encoded UTF-8 ("中文" -> "%E4%B8%AD%E6%96%87"). */
const seg = encodeURIComponent;

/**
 * The public site's URL scheme, in one place. Every page URL ends in a slash, so that a
 * static export can write `slug/index.html` and the same links keep working. Slugs are
 * percent-encoded here (a no-op for ASCII slugs), so every URL built from them (links,
 * feeds, sitemaps, Location headers) is ASCII; routes receive the decoded slug.
 */
export const urls = {
  home: (page = 1) => (page > 1 ? `/page/${page}/` : '/'),
  post: (slug: string) => `/${seg(slug)}/`,
  category: (slug: string, page = 1) => `/category/${seg(slug)}/${page > 1 ? `page/${page}/` : ''}`,
  tag: (slug: string, page = 1) => `/tag/${seg(slug)}/${page > 1 ? `page/${page}/` : ''}`,
  author: (slug: string, page = 1) => `/author/${seg(slug)}/${page > 1 ? `page/${page}/` : ''}`,
  book: (slug: string) => `/books/${seg(slug)}/`,
  books: () => '/books/',
  /** A book's drawn cover, named by what it shows. */
  bookCover: (slug: string, hash: string) => `/books/${seg(slug)}/cover-${hash}.jpg`,
  /** A book's file for readers to download: `/books/slug/slug.epub`. */
  bookFile: (slug: string, format: string) => `/books/${seg(slug)}/${seg(slug)}.${format}`,
  comments: () => '/comments',
  setup: (token: string) => `/setup/${token}`,
};

/**
 * The page cache's key for a request URL: its path without the query, with percent-escapes
 * in upper case and raw non-ASCII characters escaped, so `/tag/%e4%b8%ad/`, `/tag/%E4%B8%AD/`
 * and `/tag/中/` are one page. ASCII paths without escapes (nearly all) are returned as is.
 */
export function pathKey(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (!/[%\u0080-\uffff]/.test(path)) return path;
  return path.replace(/%[0-9a-f]{2}/gi, (hex) => hex.toUpperCase()).replace(/[\u0080-\uffff]+/g, escapeText);
}

function escapeText(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text; // a lone surrogate: no page has it, and the route answers 404
  }
}
