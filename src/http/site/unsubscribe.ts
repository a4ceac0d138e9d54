import type { FastifyInstance } from 'fastify';
import type { SiteDeps } from './context.js';
import { sendReaderPage } from './subscriptions.js';

const tokenParams = {
  type: 'object',
  properties: { token: { type: 'string', maxLength: 60, pattern: '^[A-Za-z0-9_-]+$' } },
  required: ['token'],
} as const;

/**
 * One-click unsubscribe from reply notifications. GET shows a page with one button (a
 * mail scanner that follows links must not unsubscribe anyone); POST, from that button
 * or from a mail client's `List-Unsubscribe-Post`, does it. A forged or used link: 404.
 * The pages are the theme's (templates/subscription.liquid), never cached.
 */
export async function unsubscribeRoutes(app: FastifyInstance, deps: SiteDeps): Promise<void> {
  const { commentNotifier } = deps.services;

  app.get<{ Params: { token: string } }>(
    '/comments/unsubscribe/:token',
    { config: { access: 'public' }, schema: { params: tokenParams } },
    async (request, reply) => {
      await commentNotifier.checkUnsubscribe(request.params.token);
      return sendReaderPage(deps, reply, { title: 'Stop reply emails', step: 'replies', token: request.params.token });
    },
  );

  app.post<{ Params: { token: string } }>(
    '/comments/unsubscribe/:token',
    {
      config: { access: 'public' },
      // The body (`List-Unsubscribe=One-Click`, or nothing from the button) carries nothing to read.
      schema: { params: tokenParams },
    },
    async (request, reply) => {
      await commentNotifier.unsubscribe(request.params.token);
      return sendReaderPage(deps, reply, { title: 'Reply emails stopped', step: 'replies-stopped' });
    },
  );
}
