/** The most URLs one child sitemap lists (the protocol allows 50,000; smaller files build and fetch faster). */
export const SITEMAP_PAGE_SIZE = 10_000;

/** How many post sitemaps `total` posts need: none for none. */
export function sitemapPageCount(total: number, size = SITEMAP_PAGE_SIZE): number {
  return total <= 0 ? 0 : Math.ceil(total / size);
}

/**
 * The rows of post sitemap `n` (from 1), or undefined when `n` is not a page of `total`.
 *
 * @example
 *   sitemapPageRange(2, 25_000) // { offset: 10_000, limit: 10_000 }
 *   sitemapPageRange(3, 25_000) // { offset: 20_000, limit: 10_000 } (5,000 rows remain)
 */
export function sitemapPageRange(
  n: number,
  total: number,
  size = SITEMAP_PAGE_SIZE,
): { offset: number; limit: number } | undefined {
  if (!Number.isSafeInteger(n) || n < 1 || n > sitemapPageCount(total, size)) return undefined;
  return { offset: (n - 1) * size, limit: size };
}
