import type { FastifyInstance, FastifyReply } from 'fastify';
import { createAdminViews } from '../admin/views.js';
import { PRIVATE_CACHE_CONTROL, securityHeaders } from '../plugins/send-page.js';
import type { SiteDeps } from './context.js';

const tokenParams = {
  type: 'object',
  properties: { token: { type: 'string', maxLength: 60, pattern: '^[A-Za-z0-9_-]+$' } },
  required: ['token'],
} as const;

/**
 * One-click unsubscribe from reply notifications. GET shows a page with one button (a
 * mail scanner that follows links must not unsubscribe anyone); POST, from that button
 * or from a mail client's `List-Unsubscribe-Post`, does it. A forged or used link: 404.
 * The pages are Hearth's own (the admin's plain templates), never cached.
 */
export async function unsubscribeRoutes(app: FastifyInstance, deps: SiteDeps): Promise<void> {
  const { commentNotifier } = deps.services;
  const views = createAdminViews();
  const send = async (reply: FastifyReply, data: object) =>
    reply
      .headers({ ...securityHeaders, 'cache-control': PRIVATE_CACHE_CONTROL })
      .type('text/html; charset=utf-8')
      .send(await views.render('unsubscribe', data));

  app.get<{ Params: { token: string } }>(
    '/comments/unsubscribe/:token',
    { config: { access: 'public' }, schema: { params: tokenParams } },
    async (request, reply) => {
      await commentNotifier.checkUnsubscribe(request.params.token);
      return send(reply, { title: 'Stop reply emails', token: request.params.token, done: false });
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
      return send(reply, { title: 'Reply emails stopped', done: true });
    },
  );
}
