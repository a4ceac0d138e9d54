import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TRASH_DAYS } from '../../domain/editorial/index.js';
import type { Services } from '../../services.js';
import type { Pages } from './pages.js';
import { editOwn, postParams, when, writerOf } from './posts.js';
import { formBody } from './schemas.js';

/** The services this plugin uses. */
export type TrashRoutesServices = Pick<Services, 'trash' | 'posts' | 'demo' | 'editorial'>;

const idQuery = {
  type: 'object',
  properties: {
    moved: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' },
    restored: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' },
    deleted: { type: 'string', maxLength: 300 },
  },
} as const;

/**
 * The trash (issue 18): "Move to trash" from the post list and the editor, the Trash view
 * with Restore and Delete forever (behind a confirmation page), all plain forms that work
 * without script. Who may do what is the trash service's to decide.
 */
export async function trashRoutes(
  app: FastifyInstance,
  deps: { services: TrashRoutesServices; pages: Pages },
): Promise<void> {
  const { services, pages } = deps;
  const { trash } = services;
  const actorOf = (request: FastifyRequest) => ({ ...writerOf(request), ip: request.ip });
  /** A post's title for a notice, only when this writer may see the post; else undefined. */
  const titleOf = async (request: FastifyRequest, id: number) => {
    try {
      return (await services.editorial.forEditing(writerOf(request), id)).title;
    } catch {
      return undefined;
    }
  };

  const trashPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    notice: { text: string; undo?: number } = { text: '' },
  ) => {
    const items = await trash.list(writerOf(request));
    return pages.page(request, reply, 'trash', {
      title: 'Trash',
      days: TRASH_DAYS,
      notice: notice.text,
      undo: notice.undo ?? '',
      items: items.map((i) => ({
        ...i,
        trashed: when(i.trashedAt),
        purge: when(i.purgeAt),
        by: i.trashedByName ?? (i.trashedBy === null ? 'Hearth' : 'a removed user'),
      })),
    });
  };

  app.get<{ Querystring: { moved?: string; restored?: string; deleted?: string } }>(
    '/trash',
    { config: { access: editOwn }, schema: { querystring: idQuery } },
    async (request, reply) => {
      const { moved, restored, deleted } = request.query;
      if (moved) {
        const title = await titleOf(request, Number(moved));
        if (title !== undefined)
          return trashPage(request, reply, { text: `“${title}” is in the trash.`, undo: Number(moved) });
      }
      if (restored) {
        const title = await titleOf(request, Number(restored));
        if (title !== undefined) return trashPage(request, reply, { text: `“${title}” is restored.` });
      }
      if (deleted) return trashPage(request, reply, { text: 'The post is deleted for good.' });
      return trashPage(request, reply);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/posts/:id/trash',
    { config: { access: editOwn }, schema: { params: postParams, body: formBody({}) } },
    async (request, reply) => {
      const id = Number(request.params.id);
      await trash.trash(actorOf(request), id);
      return reply.redirect(`/admin/trash?moved=${id}`, 303);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/trash/:id/restore',
    { config: { access: editOwn }, schema: { params: postParams, body: formBody({}) } },
    async (request, reply) => {
      const id = Number(request.params.id);
      await trash.restore(actorOf(request), id);
      return reply.redirect(`/admin/trash?restored=${id}`, 303);
    },
  );

  // Deleting for good asks first: this page, then its form.
  app.get<{ Params: { id: string } }>(
    '/trash/:id/delete',
    { config: { access: editOwn }, schema: { params: postParams } },
    async (request, reply) => {
      const id = Number(request.params.id);
      const item = (await trash.list(writerOf(request))).find((i) => i.id === id);
      if (!item) {
        return pages.page(
          request,
          reply,
          'error',
          { title: 'Not in the trash', message: `Post ${id} is not in the trash, or not yours to delete.` },
          404,
        );
      }
      return pages.page(request, reply, 'trash-delete', { title: `Delete “${item.title}” for good?`, item });
    },
  );

  app.post<{ Params: { id: string } }>(
    '/trash/:id/delete',
    { config: { access: editOwn }, schema: { params: postParams, body: formBody({}) } },
    async (request, reply) => {
      const id = Number(request.params.id);
      await trash.deleteForever(actorOf(request), id);
      return reply.redirect('/admin/trash?deleted=1', 303);
    },
  );

  // "Remove the demo content", offered on the dashboard while the demo is there: one click.
  app.post(
    '/demo/remove',
    { config: { access: { capability: 'manage_settings' } }, schema: { body: formBody({}) } },
    async (request, reply) => {
      const user = writerOf(request);
      await services.demo.remove({ id: user.id, email: user.email }, request.ip);
      return reply.redirect('/admin?demo=removed', 303);
    },
  );
}
