import type { FastifyInstance } from 'fastify';
import { PRIVATE_CACHE_CONTROL, tagHeaders } from './send-page.js';

/**
 * A permanent redirect of the public site (another spelling of an address, a post's old
 * address): any cache may keep it five minutes. Tagged `posts` and `site`, so a purge
 * after a post changes (a rename, a rename back) drops it from a CDN at once.
 */
export const REDIRECT_CACHE_CONTROL = 'public, max-age=300';
const REDIRECT_TAGS = tagHeaders(['posts', 'site']);

/**
 * Every response of the public site says what shared caches may do with it: routes set
 * their own Cache-Control (`sendPage` for pages, feeds and error pages, which bypass this
 * hook); for the rest, a GET's permanent redirect may be kept a while and anything else
 * (an answer to a form, a 303, a JSON error) is `private, no-store`.
 */
export function defaultCacheControl(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.hasHeader('cache-control')) return payload;
    const status = reply.statusCode;
    if ((request.method === 'GET' || request.method === 'HEAD') && (status === 301 || status === 308)) {
      reply.header('cache-control', REDIRECT_CACHE_CONTROL);
      for (let i = 0; i < REDIRECT_TAGS.length; i += 2) reply.header(REDIRECT_TAGS[i] as string, REDIRECT_TAGS[i + 1]);
    } else {
      reply.header('cache-control', PRIVATE_CACHE_CONTROL);
    }
    return payload;
  });
}
