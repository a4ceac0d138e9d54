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

/**
 * Public pages may sit in any shared cache for a minute and be revalidated by ETag. A CDN
 * that Hearth purges by tag (HEARTH_PURGE_URL) is told it may keep them longer, in the
 * headers only CDNs read (see `sharedCacheHeaders`).
 */
export const PUBLIC_CACHE_CONTROL = 'public, max-age=0, s-maxage=60, must-revalidate';
export const PRIVATE_CACHE_CONTROL = 'private, no-store';
/** How long any shared cache may keep a page (s): what Hearth cannot purge must not stay long. */
const SHARED_MAX_AGE = 60;

/** A page as a route renders it: what it shows (`tags`) decides when the cache drops it. */
export interface RenderedPage {
  status: number;
  html: string;
  tags: string[];
  /** When the page goes stale by itself (ms since the epoch), with no write to announce it. */
  expiresAt?: number | undefined;
}

/** A cached document other than HTML (a feed, a sitemap), with its own type and date. */
export interface RenderedDocument {
  status: number;
  body: string;
  /** The whole Content-Type, with its charset. */
  contentType: string;
  tags: string[];
  /** When what it shows last changed: sent as Last-Modified and checked against If-Modified-Since. */
  lastModified: Date | undefined;
}

/** A permanent move, found on a cache miss (a post's old address); never cached. */
export interface RenderedRedirect {
  status: 301 | 308;
  location: string;
}

const HTML = 'text/html; charset=utf-8';

/** Told of each page or document sent (from the cache or not): analytics counts them. */
export type PageObserver = (request: FastifyRequest, sent: { contentType: string; status: number }) => void;
const observers = new WeakMap<PageCache, PageObserver>();

/** Has `observer` told of every page sent through `cache`'s app. */
export function observePages(cache: PageCache, observer: PageObserver): void {
  observers.set(cache, observer);
}

export interface PageRequest {
  /**
   * Cache key, known before any database work: the path (plus a variant). Null for a
   * page that must not be kept (a form showing a visitor's input).
   */
  key: string | null;
  cacheControl?: string;
  /** The page; or a document of another type, or an HTML error page in its place. */
  render(): Promise<RenderedPage | RenderedDocument | RenderedRedirect>;
}

/**
 * Sends an HTML page (or another document) from the page cache, rendering it on a miss:
 * ETag with 304 on If-None-Match (and, for a document with a date, Last-Modified with 304
 * on If-Modified-Since), brotli or gzip as the client accepts, and the security headers.
 */
export async function sendPage(
  cache: PageCache,
  request: FastifyRequest,
  reply: FastifyReply,
  page: PageRequest,
): Promise<FastifyReply> {
  let entry: CachedPage | undefined = page.key === null ? undefined : cache.get(page.key);
  if (!entry) {
    const rendered = await renderOnce(cache, page);
    if ('location' in rendered) return reply.redirect(rendered.location, rendered.status);
    entry = rendered;
  }
  const shared = sharedCacheHeaders(cache, entry, page.cacheControl);
  const encoded = encodedBody(entry, request.headers['accept-encoding']);
  const notModified = entry.status === 200 && isNotModified(request, etagFor(entry, encoded.encoding), entry);
  const body = notModified ? undefined : encoded.body;
  // The page is complete: write it straight to the socket, past Fastify's reply pipeline,
  // with headers built once per page and encoding.
  reply.hijack();
  const status = notModified ? 304 : entry.status;
  reply.raw.writeHead(status, headersFor(entry, shared, encoded.encoding, body, notModified));
  reply.raw.end(body);
  observers.get(cache)?.(request, { contentType: entry.contentType, status });
  return reply;
}

/** Renders in flight, by cache and key. */
const inFlight = new WeakMap<PageCache, Map<string, Promise<CachedPage | RenderedRedirect>>>();

/**
 * Renders a page and stores it. Requests that miss the same key at once share one
 * render: when a comment drops a busy page, it is rendered once, not once per reader.
 */
function renderOnce(cache: PageCache, page: PageRequest): Promise<CachedPage | RenderedRedirect> {
  const render = async () => {
    const generation = cache.generation;
    const rendered = await page.render();
    if ('location' in rendered) return rendered;
    return 'html' in rendered
      ? cache.store(
          page.key,
          {
            status: rendered.status,
            contentType: HTML,
            body: rendered.html,
            tags: rendered.tags,
            expiresAt: rendered.expiresAt,
          },
          generation,
        )
      : storeDocument(cache, page.key, rendered, generation);
  };
  if (page.key === null || !cache.enabled) return render();
  const key = page.key;
  let renders = inFlight.get(cache);
  if (!renders) {
    renders = new Map();
    inFlight.set(cache, renders);
  }
  const running = renders.get(key);
  if (running) return running;
  const started = render().finally(() => renders.delete(key));
  renders.set(key, started);
  return started;
}

/** The Last-Modified of cached documents that have one, as an HTTP date and in whole seconds. */
const lastModifiedOf = new WeakMap<CachedPage, { http: string; time: number }>();

function storeDocument(
  cache: PageCache,
  key: string | null,
  document: RenderedDocument,
  generation: number,
): CachedPage {
  const entry = cache.store(
    key,
    {
      status: document.status,
      contentType: document.contentType,
      body: document.body,
      tags: document.tags,
    },
    generation,
  );
  const time = document.lastModified?.getTime();
  if (time !== undefined && !Number.isNaN(time)) {
    const seconds = Math.floor(time / 1000) * 1000;
    lastModifiedOf.set(entry, { http: new Date(seconds).toUTCString(), time: seconds });
  }
  return entry;
}

/**
 * Whether the client's copy is current. If-None-Match decides when sent (RFC 9110,
 * 13.2.2); If-Modified-Since counts only without it, and only for a dated document.
 */
function isNotModified(request: FastifyRequest, etag: string, entry: CachedPage): boolean {
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch !== undefined) return ifNoneMatch === etag;
  const since = request.headers['if-modified-since'];
  if (since === undefined) return false;
  const modified = lastModifiedOf.get(entry);
  return modified !== undefined && modified.time <= Date.parse(since);
}

/** Each encoding of a page is a different representation, so it gets its own strong ETag. */
function etagFor(entry: CachedPage, encoding: string | undefined): string {
  return encoding ? `${entry.etag.slice(0, -1)}-${encoding}"` : entry.etag;
}

const headerCache = new WeakMap<CachedPage, Map<string, string[]>>();
const SECURITY_HEADERS = Object.entries(securityHeaders).flat();

/**
 * What shared caches may do with a page. A page (200) carries its tags, the page cache's,
 * as `Surrogate-Key` (space-separated: Fastly, Varnish) and `Cache-Tag` (comma-separated:
 * Cloudflare), and may be kept a minute by any shared cache; with a purge URL, also
 * `Surrogate-Control` (Fastly, the Varnish VCL) and `CDN-Cache-Control` (Cloudflare) for
 * `cache.cdnMaxAge`, since a write purges it there. A page that goes stale by itself
 * (comments closing) is kept no longer than that. A 404 is kept a minute, tagged so a
 * purge of `site` or `posts` drops it too; anything else (400, 500) is never kept.
 */
function sharedCacheHeaders(cache: PageCache, entry: CachedPage, override: string | undefined): SharedHeaders {
  if (override !== undefined) return { key: override, headers: ['cache-control', override] };
  if (entry.status !== 200 && entry.status !== 404) {
    return { key: PRIVATE_CACHE_CONTROL, headers: ['cache-control', PRIVATE_CACHE_CONTROL] };
  }
  let shared = SHARED_MAX_AGE;
  let cdn = entry.status === 200 ? cache.cdnMaxAge : undefined;
  if (entry.expiresAt !== undefined) {
    const left = Math.max(0, Math.floor((entry.expiresAt - Date.now()) / 1000));
    shared = Math.min(shared, left);
    if (cdn !== undefined) cdn = Math.min(cdn, left);
  }
  const cacheControl =
    shared === SHARED_MAX_AGE ? PUBLIC_CACHE_CONTROL : `public, max-age=0, s-maxage=${shared}, must-revalidate`;
  return {
    key: `${shared}|${cdn ?? ''}`,
    headers: [
      'cache-control',
      cacheControl,
      ...(cdn === undefined ? [] : ['surrogate-control', `max-age=${cdn}`, 'cdn-cache-control', `max-age=${cdn}`]),
      ...tagHeaders(entry.tags),
    ],
  };
}

interface SharedHeaders {
  /** Tells these headers from others for the same page (the tags are the page's own). */
  key: string;
  headers: string[];
}

/**
 * The headers for a CDN of a response sent outside `sendPage` (a book's file, a drawn
 * image): its tags and, with a purge URL and a cache given, how long a purged CDN may
 * keep it (an immutable file needs no more than its tags, to be purged when unpublished).
 */
export function cdnHeaders(cache: PageCache | undefined, tags: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  const cdn = cache?.cdnMaxAge;
  if (cdn !== undefined) {
    headers['surrogate-control'] = `max-age=${cdn}`;
    headers['cdn-cache-control'] = `max-age=${cdn}`;
  }
  const tagged = tagHeaders(tags);
  for (let i = 0; i < tagged.length; i += 2) headers[tagged[i] as string] = tagged[i + 1] as string;
  return headers;
}

/** `Surrogate-Key` and `Cache-Tag` naming the tags, each once; none without tags. */
export function tagHeaders(tags: readonly string[]): string[] {
  if (tags.length === 0) return [];
  const unique = [...new Set(tags)];
  return ['surrogate-key', unique.join(' '), 'cache-tag', unique.join(',')];
}

function headersFor(
  entry: CachedPage,
  shared: SharedHeaders,
  encoding: string | undefined,
  body: Buffer | undefined,
  notModified: boolean,
): string[] {
  const key = `${shared.key}|${encoding ?? ''}|${notModified}`;
  let forEntry = headerCache.get(entry);
  const cached = forEntry?.get(key);
  if (cached) return cached;
  const headers = [
    ...SECURITY_HEADERS,
    'content-type',
    entry.contentType,
    ...shared.headers,
    'vary',
    'accept-encoding',
    'etag',
    etagFor(entry, encoding),
    ...(encoding && !notModified ? ['content-encoding', encoding] : []),
    ...lastModifiedHeader(entry),
    ...(body ? ['content-length', String(body.length)] : []),
  ];
  if (!forEntry) {
    forEntry = new Map();
    headerCache.set(entry, forEntry);
  }
  forEntry.set(key, headers);
  return headers;
}

function lastModifiedHeader(entry: CachedPage): string[] {
  const modified = lastModifiedOf.get(entry);
  return modified ? ['last-modified', modified.http] : [];
}
