import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MediaStat, MediaStore } from '../storage/index.js';

export interface MediaRouteOptions {
  store: MediaStore;
  /** Base URL of the bucket or CDN: `/media/x` answers a redirect to `<publicUrl>/x`. */
  publicUrl?: string | undefined;
  /** What photos are sent with: the same as the other static files. */
  cacheControl: string;
}

/** `a/b.jpg` and nothing that climbs out or hides: no empty, `.` or `..` segment, no backslash or control character. */
function isSafePath(relativePath: string): boolean {
  if (relativePath === '' || relativePath.length > 1024 || /[\\\u0000-\u001f\u007f]/.test(relativePath)) return false;
  return relativePath.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

/** Whether the visitor's copy is current: If-None-Match first, else If-Modified-Since (RFC 9110 13.2.2). */
function isFresh(request: FastifyRequest, stat: MediaStat): boolean {
  const tags = request.headers['if-none-match'];
  if (tags !== undefined) {
    const plain = (tag: string) => tag.trim().replace(/^W\//, '');
    return tags.split(',').some((tag) => tag.trim() === '*' || plain(tag) === plain(stat.etag));
  }
  const since = request.headers['if-modified-since'];
  if (since === undefined) return false;
  const time = Date.parse(since);
  return !Number.isNaN(time) && Math.floor(stat.lastModified.getTime() / 1000) * 1000 <= time;
}

/**
 * `/media/*` from a store that is not a folder on disk (an S3-compatible bucket): each file
 * streamed from the store with its ETag, Last-Modified and a year's caching, 304 when the
 * visitor's copy is current, HEAD without the body, 404 for a file that is not there. With
 * a public URL, a redirect there instead (the bucket or a CDN serves the bytes).
 */
export async function mediaRoutes(app: FastifyInstance, options: MediaRouteOptions): Promise<void> {
  const { store, publicUrl, cacheControl } = options;
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const relativePath = (request.params as { '*'?: string })['*'] ?? '';
    // `private/` holds Hearth's own files (built books), never sent from here.
    if (!isSafePath(relativePath) || relativePath.startsWith('private/')) return reply.callNotFound();
    if (publicUrl) {
      const target = `${publicUrl}/${relativePath.split('/').map(encodeURIComponent).join('/')}`;
      // Not permanent: the public URL may change; the files behind it never do.
      return reply.header('cache-control', 'public, max-age=86400').redirect(target, 302);
    }
    try {
      const head = request.method === 'HEAD' || isConditional(request);
      const stat = head ? await store.stat(relativePath) : undefined;
      if (head && !stat) return reply.callNotFound();
      if (stat && isFresh(request, stat)) {
        return reply.code(304).headers(validators(stat, cacheControl)).send();
      }
      if (request.method === 'HEAD' && stat) {
        return reply
          .headers({ ...validators(stat, cacheControl), 'content-type': stat.contentType, 'content-length': stat.size })
          .send();
      }
      const file = await store.open(relativePath);
      if (!file) return reply.callNotFound();
      return reply
        .headers({
          ...validators(file, cacheControl),
          'content-type': file.contentType,
          'content-length': file.size,
          'x-content-type-options': 'nosniff',
        })
        .send(file.body);
    } catch (error) {
      request.log.error({ err: error, path: relativePath, store: store.location }, 'media store did not answer');
      return reply
        .code(502)
        .header('cache-control', 'no-store')
        .type('text/plain; charset=utf-8')
        .send('The media store did not answer.\n');
    }
  };
  app.route({ method: ['GET', 'HEAD'], url: '/media/*', handler });
}

function isConditional(request: FastifyRequest): boolean {
  return request.headers['if-none-match'] !== undefined || request.headers['if-modified-since'] !== undefined;
}

function validators(stat: MediaStat, cacheControl: string): Record<string, string> {
  return { etag: stat.etag, 'last-modified': stat.lastModified.toUTCString(), 'cache-control': cacheControl };
}
