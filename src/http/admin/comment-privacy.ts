import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SignedInUser } from '../../domain/accounts/index.js';
import { ValidationError } from '../../errors.js';
import type { Services } from '../../services.js';
import { isEmailAddress } from '../../shared/text.js';
import { formView, type Pages } from './pages.js';
import { formBody } from './schemas.js';

/** The services this plugin uses. */
export type CommentPrivacyServices = Pick<Services, 'audit' | 'comments'>;

const privacyAccess = { capability: 'manage_users' } as const;

/**
 * A commenter's data by email address (a data-protection request), for the owner and
 * administrators: export downloads it as JSON, erase deletes it. Both are audit-logged.
 */
export async function commentPrivacyRoutes(
  app: FastifyInstance,
  deps: { services: CommentPrivacyServices; pages: Pages },
): Promise<void> {
  const { services, pages } = deps;
  const me = (request: FastifyRequest) => request.session?.user as SignedInUser;
  const title = 'Commenters’ data';

  const emailOf = (value: string | undefined) => {
    const email = (value ?? '').trim().toLowerCase();
    if (!isEmailAddress(email)) throw new ValidationError({ email: 'Enter the commenter’s email address.' });
    return email;
  };

  app.get<{ Querystring: { erased?: string } }>(
    '/comments/privacy',
    {
      config: { access: privacyAccess },
      schema: { querystring: { type: 'object', properties: { erased: { type: 'string', maxLength: 10 } } } },
    },
    async (request, reply) => {
      const erased = request.query.erased;
      const notice = erased === undefined ? '' : `Erased ${erased} ${erased === '1' ? 'comment' : 'comments'}.`;
      return pages.page(request, reply, 'comment-privacy', { title, notice, form: formView({ email: '' }) });
    },
  );

  for (const action of ['export', 'erase'] as const) {
    app.post<{ Body: { email?: string } }>(
      `/comments/privacy/${action}`,
      { config: { access: privacyAccess }, schema: { body: formBody({ email: 300 }) } },
      async (request, reply) => {
        let email: string;
        try {
          email = emailOf(request.body?.email);
        } catch (error) {
          return pages.formError(
            request,
            reply,
            'comment-privacy',
            { title, values: { email: request.body?.email ?? '' } },
            error,
          );
        }
        const user = me(request);
        const actor = { id: user.id, email: user.email };
        if (action === 'export') {
          const data = await services.comments.exportByEmail(email);
          await services.audit.record({
            action: 'commenter_exported',
            actor,
            subject: `email:${email}`,
            ip: request.ip,
            details: { comments: data.comments.length },
          });
          return reply
            .header(
              'content-disposition',
              `attachment; filename="comments-${email.replace(/[^a-z0-9.@_-]/g, '_')}.json"`,
            )
            .type('application/json; charset=utf-8')
            .send(JSON.stringify(data, null, 2));
        }
        const { erased } = await services.comments.eraseByEmail(email);
        await services.audit.record({
          action: 'commenter_erased',
          actor,
          subject: `email:${email}`,
          ip: request.ip,
          details: { comments: erased },
        });
        return reply.redirect(`/admin/comments/privacy?erased=${erased}`, 303);
      },
    );
  }
}
