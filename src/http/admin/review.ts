import type { FastifyInstance } from 'fastify';
import { isHearthError } from '../../errors.js';
import type { Services } from '../../services.js';
import type { Pages } from './pages.js';
import { editOwn, postParams, when, writerOf } from './posts.js';
import { formBody } from './schemas.js';

/** The services this plugin uses. */
export type ReviewRoutesServices = Pick<Services, 'reviews' | 'editorial'>;

const NOTE_FIELDS = { note: 6000, sendBack: 5 };

/**
 * The guest writer's review over HTTP (issue 18): the review list for reviewers, and the
 * writer's submit and withdraw buttons and the notes form of the editor page. Plain forms
 * with the CSRF token; each answers with a redirect back to the post, or a page naming
 * the field that was wrong.
 */
export async function reviewRoutes(
  app: FastifyInstance,
  deps: { services: ReviewRoutesServices; pages: Pages },
): Promise<void> {
  const { services, pages } = deps;
  const back = (id: number, done: string) => `/admin/posts/${id}?review=${done}#review`;

  app.get('/review', { config: { access: { capability: 'edit_any' } }, schema: {} }, async (request, reply) => {
    const waiting = await services.reviews.waiting();
    return pages.page(request, reply, 'review', {
      title: 'Review',
      posts: waiting.map((p) => ({ ...p, when: when(p.submittedAt) })),
    });
  });

  app.post<{ Params: { id: string } }>(
    '/posts/:id/submit',
    { config: { access: editOwn }, schema: { params: postParams, body: formBody({}) } },
    async (request, reply) => {
      const id = Number(request.params.id);
      await services.reviews.submit(writerOf(request), id, request.ip);
      return reply.redirect(back(id, 'submitted'), 303);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/posts/:id/withdraw',
    { config: { access: editOwn }, schema: { params: postParams, body: formBody({}) } },
    async (request, reply) => {
      const id = Number(request.params.id);
      await services.reviews.withdraw(writerOf(request), id, request.ip);
      return reply.redirect(back(id, 'withdrawn'), 303);
    },
  );

  app.post<{ Params: { id: string }; Body: { note?: string; sendBack?: string } }>(
    '/posts/:id/notes',
    { config: { access: editOwn }, schema: { params: postParams, body: formBody(NOTE_FIELDS) } },
    async (request, reply) => {
      const id = Number(request.params.id);
      const writer = writerOf(request);
      const note = request.body?.note ?? '';
      const sendBack = request.body?.sendBack === 'yes';
      try {
        await services.reviews.comment(writer, id, note, { sendBack, ip: request.ip });
      } catch (error) {
        if (!isHearthError(error) || !('fields' in error)) throw error;
        const post = await services.editorial.forEditing(writer, id);
        return pages.formError(
          request,
          reply,
          'review-note',
          { title: `A review note on “${post.title}”`, post: { id, title: post.title }, sendBack, values: { note } },
          error,
        );
      }
      return reply.redirect(back(id, sendBack ? 'sent-back' : 'noted'), 303);
    },
  );
}
