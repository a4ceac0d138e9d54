import type { FastifyReply, FastifyRequest } from 'fastify';
import { type CachedPage, encodedBody, type PageCache } from '../../render/page-cache.js';

/** Headers every HTML page carries: a strict CSP (no inline script) and the usual guards. */
export const securityHeaders = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-frame-options': 'DENY',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=()',
} as const;

/** Public pages may sit in a shared cache for a minute and be revalidated by ETag. */
export const PUBLIC_CACHE_CONTROL = 'public, max-age=0, s-maxage=60, must-revalidate';
export const PRIVATE_CACHE_CONTROL = 'private, no-store';

export interface PageRequest {
  /** Cache key; null for a page that must not be kept (errors, forms with input). */
  key: string | null;
  tags: string[];
  status?: number;
  cacheControl?: string;
  render(): Promise<string>;
}

/**
 * Sends an HTML page from the page cache, rendering it on a miss: ETag with 304 on
 * If-None-Match, brotli or gzip as the client accepts, and the security headers.
 */
export async function sendPage(
  cache: PageCache,
  request: FastifyRequest,
  reply: FastifyReply,
  page: PageRequest,
): Promise<FastifyReply> {
  let entry: CachedPage | undefined = page.key === null ? undefined : cache.get(page.key);
  if (!entry) {
    const html = await page.render();
    entry = cache.store(page.key, {
      status: page.status ?? 200,
      contentType: 'text/html; charset=utf-8',
      body: html,
      tags: page.tags,
    });
  }
  reply.headers(securityHeaders);
  reply.header('content-type', entry.contentType);
  reply.header(
    'cache-control',
    page.cacheControl ?? (entry.status === 200 ? PUBLIC_CACHE_CONTROL : PRIVATE_CACHE_CONTROL),
  );
  reply.header('vary', 'accept-encoding');
  reply.header('etag', entry.etag);
  if (entry.status === 200 && request.headers['if-none-match'] === entry.etag) {
    return reply.code(304).send();
  }
  const { body, encoding } = encodedBody(entry, request.headers['accept-encoding']);
  if (encoding) reply.header('content-encoding', encoding);
  return reply.code(entry.status).send(body);
}
