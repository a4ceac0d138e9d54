import type { FastifyRequest } from 'fastify';
import type { PageCache } from '../../render/page-cache.js';
import type { Services } from '../../services.js';
import { observePages } from '../plugins/send-page.js';
import { SESSION_COOKIE } from '../plugins/session-cookie.js';

const FEED = /^application\/(?:rss\+xml|atom\+xml|feed\+json)/;

/**
 * Counts the pages and feeds the public site sends, cached or not (docs/analytics.md):
 * answered 200 or 304 to a GET, not to someone signed in to the admin, not the setup or
 * preview pages. What is kept is decided in domain/analytics.
 */
export function countVisits(cache: PageCache, services: Pick<Services, 'analytics' | 'settings'>): void {
  observePages(cache, (request, sent) => {
    if (request.method !== 'GET' || (sent.status !== 200 && sent.status !== 304)) return;
    const kind = sent.contentType.startsWith('text/html') ? 'page' : FEED.test(sent.contentType) ? 'feed' : undefined;
    if (!kind || request.cookies?.[SESSION_COOKIE]) return;
    const url = request.url;
    if (url.startsWith('/setup/') || url.startsWith('/preview/')) return;
    void services.settings.get().then(
      (settings) => {
        if (!settings.analyticsEnabled) return;
        services.analytics.record(hitOf(request, kind), { honourOptOut: settings.analyticsHonourDnt });
      },
      () => {},
    );
  });
}

function hitOf(request: FastifyRequest, kind: 'page' | 'feed') {
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return {
    kind,
    url: request.url,
    userAgent: header('user-agent'),
    ip: request.ip,
    host: header('host'),
    referrer: header('referer'),
    optOut: header('dnt') === '1' || header('sec-gpc') === '1',
  } as const;
}
