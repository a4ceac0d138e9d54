import { brotliCompressSync, constants, crc32, gzipSync } from 'node:zlib';
import type { ContentChange } from '../domain/changes.js';

/** A rendered page, kept with its compressed forms and its validator. */
export interface CachedPage {
  status: number;
  contentType: string;
  body: Buffer;
  etag: string;
  /** Compressed forms, made on first request for each (see `encodedBody`). */
  encoded: { gzip?: Buffer; br?: Buffer };
  /** Whether the page is kept: compression effort pays off only then. */
  kept: boolean;
  /** What the page shows: `post:12`, `list`, `category:3`, ... A write invalidates by these. */
  tags: string[];
  /** When the page goes stale by itself (ms since the epoch), e.g. when a post's comments close. */
  expiresAt: number | undefined;
  /** When this cache lets the page go at the latest (`maxAgeMs`), whatever it shows. */
  keptUntil?: number | undefined;
}

/**
 * Public pages rendered once and kept in memory until a write that touches them. Each
 * entry carries the tags of what it shows; `invalidate(['post:12'])` drops exactly the
 * pages that show post 12. Compressed forms are made once per page and encoding.
 */
export class PageCache {
  #entries = new Map<string, CachedPage>();
  #byTag = new Map<string, Set<string>>();
  #maxEntries: number;
  #maxAgeMs: number | undefined;
  #generation = 0;
  readonly enabled: boolean;
  /**
   * How long (s) a CDN that Hearth purges by tag may keep a page; undefined without a
   * purge URL, when only the minute every shared cache gets applies.
   */
  readonly cdnMaxAge: number | undefined;

  /**
   * `maxAgeMs`: the longest a page is kept, a backstop for a change this process was never
   * told of (with several instances, one that died between its write and its announcement).
   */
  constructor(options: {
    enabled: boolean;
    maxEntries?: number;
    cdnMaxAge?: number | undefined;
    maxAgeMs?: number | undefined;
  }) {
    this.enabled = options.enabled;
    this.cdnMaxAge = options.cdnMaxAge;
    this.#maxEntries = options.maxEntries ?? 5000;
    this.#maxAgeMs = options.maxAgeMs;
  }

  get(key: string): CachedPage | undefined {
    if (!this.enabled) return undefined;
    const entry = this.#entries.get(key);
    if (
      (entry?.expiresAt !== undefined && Date.now() >= entry.expiresAt) ||
      (entry?.keptUntil !== undefined && Date.now() >= entry.keptUntil)
    ) {
      this.#remove(key);
      return undefined;
    }
    return entry;
  }

  /**
   * Counts invalidations. A page rendered while one happened may show what was just
   * changed as it was before: `store` then serves it without keeping it.
   */
  get generation(): number {
    return this.#generation;
  }

  /**
   * Builds the entry and keeps it when the cache is on, the key is not null and the
   * status is 200 (errors and pages showing a visitor's input are never kept), and no
   * invalidation came since `renderedAt` (the generation when rendering began).
   */
  store(
    key: string | null,
    page: { status: number; contentType: string; body: string; tags: string[]; expiresAt?: number | undefined },
    renderedAt?: number,
  ): CachedPage {
    const body = Buffer.from(page.body, 'utf8');
    const entry: CachedPage = {
      status: page.status,
      contentType: page.contentType,
      body,
      etag: etagOf(body),
      encoded: {},
      kept:
        this.enabled &&
        key !== null &&
        page.status === 200 &&
        (renderedAt === undefined || renderedAt === this.#generation),
      tags: [...page.tags],
      expiresAt: page.expiresAt,
      keptUntil: this.#maxAgeMs === undefined ? undefined : Date.now() + this.#maxAgeMs,
    };
    if (!entry.kept || key === null) return entry;
    // A page rendered again may show other things: forget the tags of the old one.
    this.#remove(key);
    if (this.#entries.size >= this.#maxEntries) this.clear();
    this.#entries.set(key, entry);
    for (const tag of entry.tags) {
      const keys = this.#byTag.get(tag) ?? new Set<string>();
      keys.add(key);
      this.#byTag.set(tag, keys);
    }
    return entry;
  }

  /** Drops every page that carries any of the tags. */
  invalidate(tags: string[]): void {
    this.#generation++;
    for (const tag of tags) {
      const keys = this.#byTag.get(tag);
      if (!keys) continue;
      for (const key of [...keys]) this.#remove(key);
    }
  }

  /** Drops one page and its key from the index of every tag it carries. */
  #remove(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    for (const tag of entry.tags) {
      const keys = this.#byTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.#byTag.delete(tag);
    }
  }

  clear(): void {
    this.#generation++;
    this.#entries.clear();
    this.#byTag.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}

/**
 * A strong validator for the body: its length and CRC-32. A validator needs to tell one
 * version of a page from the next, not resist forgery; CRC-32 runs at memory speed here
 * (7 µs for a 36 KB page against 19 µs for SHA-1, which every uncached page paid). Two
 * versions of a page pass for one only with the same length and CRC, 1 in 2^32 by chance.
 */
export function etagOf(body: Buffer): string {
  return `"${body.length.toString(36)}-${crc32(body).toString(36)}"`;
}

/**
 * The body in the best encoding the client accepts (brotli, then gzip), compressed once
 * per entry: hard for a kept page, fast for one rendered for a single response.
 */
export function encodedBody(
  entry: CachedPage,
  acceptEncoding: string | undefined,
): { body: Buffer; encoding: 'br' | 'gzip' | undefined } {
  if (!acceptEncoding || entry.body.length < 1024) return { body: entry.body, encoding: undefined };
  if (accepts(acceptEncoding, 'br')) {
    entry.encoded.br ??= brotliCompressSync(entry.body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: entry.kept ? 9 : 4,
        [constants.BROTLI_PARAM_SIZE_HINT]: entry.body.length,
      },
    });
    return { body: entry.encoded.br, encoding: 'br' };
  }
  if (accepts(acceptEncoding, 'gzip')) {
    entry.encoded.gzip ??= gzipSync(entry.body, { level: entry.kept ? 9 : 6 });
    return { body: entry.encoded.gzip, encoding: 'gzip' };
  }
  return { body: entry.body, encoding: undefined };
}

/** Whether Accept-Encoding lists a coding without refusing it (`br;q=0` refuses brotli). */
function accepts(acceptEncoding: string, coding: string): boolean {
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.split(';');
    if (name?.trim().toLowerCase() !== coding) continue;
    const q = params.map((p) => p.trim()).find((p) => /^q=/i.test(p));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}

/**
 * The cached pages a change touches. A comment shows on its post's page, in the comment
 * counts of the lists that show the post (`comments:12`) and in the comments feeds; a
 * post can show on every list and in any post's "You might also like", so it touches those.
 */
export function cacheTagsFor(change: ContentChange): string[] {
  switch (change.kind) {
    case 'comment':
      return [`post:${change.postId}`, `comments:${change.postId}`, 'comments'];
    case 'post':
      return [`post:${change.postId}`, 'posts'];
    case 'book':
      return [`book:${change.bookId}`, 'books'];
    case 'site':
      return ['site'];
  }
}
