import type { FastifyInstance } from 'fastify';
import type { Post } from '../../domain/posts/index.js';
import type { PageCache } from '../../render/page-cache.js';
import { renderShareImage, type ShareCard, shareCardHash } from '../../render/share-image.js';
import { cdnHeaders } from '../plugins/send-page.js';
import type { SiteDeps } from './context.js';
import { sendErrorPage } from './errors.js';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const NAME = /^(\d{1,12})-([0-9a-f]{10})\.png$/;

/** What a post's sharing card shows. */
export function shareCard(post: Post, siteTitle: string): ShareCard {
  return {
    title: post.seoTitle ?? post.title,
    siteTitle,
    ...(post.category ? { label: post.category.name } : {}),
    byline: `By ${post.author.name}`,
  };
}

/** The address of a post's generated sharing image (for a post without a feature image). */
export function shareImagePath(post: Post, siteTitle: string): string {
  return `/share/${post.id}-${shareCardHash(shareCard(post, siteTitle))}.png`;
}

/**
 * `/share/<post id>-<hash>.png`: a post's sharing image, drawn on first request and kept
 * in the media store below `cache/share/`, so that instances sharing a store draw it once
 * (and requests arriving together in one process share one drawing). The hash changes
 * with what the card shows, so each address always shows the same image (cached for a
 * year); an outdated one redirects to the new.
 */
export async function shareRoutes(app: FastifyInstance, deps: SiteDeps & { cache: PageCache }): Promise<void> {
  const store = deps.services.mediaStore;
  const drawing = new Map<string, Promise<Buffer>>();
  const cardPng = (name: string, card: ShareCard): Promise<Buffer> => {
    let png = drawing.get(name);
    if (!png) {
      const key = `cache/share/${name}`;
      png = (async () => (await store.read(key)) ?? (await draw(key, card)))().finally(() => drawing.delete(name));
      drawing.set(name, png);
    }
    return png;
  };
  const draw = async (key: string, card: ShareCard): Promise<Buffer> => {
    const png = await renderShareImage(card);
    await store.put(key, png);
    return png;
  };
  app.get<{ Params: { name: string } }>(
    '/share/:name',
    {
      config: { access: 'public' },
      schema: {
        params: { type: 'object', properties: { name: { type: 'string', maxLength: 40 } }, required: ['name'] },
      },
    },
    async (request, reply) => {
      const match = NAME.exec(request.params.name);
      const post = match ? await deps.services.posts.publishedById(Number(match[1])) : undefined;
      if (!match || !post || post.type !== 'post')
        return sendErrorPage(deps, request, reply, 404, 'Nothing is published at this address.');
      const site = await deps.services.settings.get();
      const current = shareImagePath(post, site.title);
      if (current !== `/share/${request.params.name}`) return reply.redirect(current, 301);
      const png = await cardPng(request.params.name, shareCard(post, site.title));
      return reply
        .type('image/png')
        .header('cache-control', IMMUTABLE)
        .headers(cdnHeaders(undefined, [`post:${post.id}`, 'site']))
        .header('x-content-type-options', 'nosniff')
        .send(png);
    },
  );
}
