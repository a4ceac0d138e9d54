import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.js';
import { type Pages, requestContext } from './pages.js';
import { editOwn, idParam, postParams, when, writerOf } from './posts.js';
import { formBody } from './schemas.js';

/** The services this plugin uses. */
export type RevisionRoutesServices = Pick<Services, 'editorial'>;

const revisionParams = {
  type: 'object',
  properties: { id: idParam, rev: idParam },
  required: ['id', 'rev'],
} as const;

/** A post's saved versions: the list, one compared with the current text, and restoring one. */
export async function revisionRoutes(
  app: FastifyInstance,
  deps: { services: RevisionRoutesServices; pages: Pages },
): Promise<void> {
  const { pages } = deps;
  const { editorial } = deps.services;

  app.get<{ Params: { id: string } }>(
    '/posts/:id/revisions',
    { config: { access: editOwn }, schema: { params: postParams } },
    async (request, reply) => {
      const writer = writerOf(request);
      const id = Number(request.params.id);
      const [post, revisions] = await Promise.all([editorial.forEditing(writer, id), editorial.revisions(writer, id)]);
      return pages.page(request, reply, 'revisions', {
        title: `Revisions of “${post.title}”`,
        post,
        revisions: revisions.map((r) => ({ ...r, at: when(r.createdAt) })),
      });
    },
  );

  app.get<{ Params: { id: string; rev: string } }>(
    '/posts/:id/revisions/:rev',
    { config: { access: editOwn }, schema: { params: revisionParams } },
    async (request, reply) => {
      const c = await editorial.compare(writerOf(request), Number(request.params.id), Number(request.params.rev));
      return pages.page(request, reply, 'revision', {
        title: `Revision of ${when(c.revision.createdAt)}`,
        post: c.post,
        revision: { ...c.revision, at: when(c.revision.createdAt) },
        titleDiff: c.title,
        bodyDiff: c.body,
      });
    },
  );

  app.post<{ Params: { id: string; rev: string } }>(
    '/posts/:id/revisions/:rev/restore',
    { config: { access: editOwn }, schema: { params: revisionParams, body: formBody({}) } },
    async (request, reply) => {
      const id = Number(request.params.id);
      await editorial.restore(writerOf(request), id, Number(request.params.rev), requestContext(request));
      return reply.redirect(`/admin/posts/${id}?restored=1`, 303);
    },
  );
}
