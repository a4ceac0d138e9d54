import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { assignableRoles, type SignedInUser } from '../../domain/accounts/index.js';
import { HearthError, ValidationError } from '../../errors.js';
import type { Services } from '../../services.js';
import { formView, type Pages, requestContext } from './pages.js';
import { formBody } from './schemas.js';

/** The services this plugin uses. */
export type UserRoutesServices = Pick<Services, 'accounts' | 'audit' | 'userRemoval'>;

const manageUsers = { capability: 'manage_users' } as const;

/** The users page: everyone on the site, their roles, invitations; and the audit log. */
export async function userRoutes(
  app: FastifyInstance,
  deps: { services: UserRoutesServices; pages: Pages },
): Promise<void> {
  const { services, pages } = deps;
  const { team } = services.accounts;
  const me = (request: FastifyRequest) => request.session?.user as SignedInUser;

  const usersPage = async (request: FastifyRequest, notice = '') => {
    const [members, invites] = await Promise.all([team.list(), team.pendingInvites()]);
    const myId = me(request).id;
    return {
      title: 'Users',
      notice,
      roles: assignableRoles,
      members: members.map((m) => ({ ...m, fixed: m.role === 'owner' || m.id === myId })),
      invites: invites.map((i) => ({ ...i, expiresAt: i.expiresAt.slice(0, 16).replace('T', ' ') })),
    };
  };

  app.get<{ Querystring: { invited?: string; changed?: string; revoked?: string; removed?: string } }>(
    '/users',
    {
      config: { access: manageUsers },
      schema: {
        querystring: {
          type: 'object',
          properties: {
            invited: { type: 'string', maxLength: 300 },
            changed: { type: 'string', maxLength: 20 },
            revoked: { type: 'string', maxLength: 300 },
            removed: { type: 'string', maxLength: 300 },
          },
        },
      },
    },
    async (request, reply) => {
      const { invited, changed, revoked, removed } = request.query;
      const notice = invited
        ? `An invitation is on its way to ${invited}.`
        : changed
          ? 'The role is changed.'
          : revoked
            ? `The invitation of ${revoked} is revoked: its link no longer works.`
            : removed
              ? `${removed} is removed.`
              : '';
      return pages.page(request, reply, 'users', {
        ...(await usersPage(request, notice)),
        form: formView({ email: '', role: 'author' }),
      });
    },
  );

  app.post<{ Body: { email?: string; role?: string } }>(
    '/users/invite',
    { config: { access: manageUsers }, schema: { body: formBody({ email: 300, role: 40 }) } },
    async (request, reply) => {
      const { email = '', role = '' } = request.body ?? {};
      let sent: { email: string };
      try {
        sent = await team.invite({ email, role }, me(request), requestContext(request));
      } catch (error) {
        return pages.formError(
          request,
          reply,
          'users',
          { ...(await usersPage(request)), values: { email, role } },
          error,
        );
      }
      return reply.redirect(`/admin/users?invited=${encodeURIComponent(sent.email)}`, 303);
    },
  );

  app.post<{ Params: { id: string }; Body: { role?: string } }>(
    '/users/:id/role',
    {
      config: { access: manageUsers },
      schema: {
        params: {
          type: 'object',
          properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } },
          required: ['id'],
        },
        body: formBody({ role: 40 }),
      },
    },
    async (request, reply) => {
      const id = Number(request.params.id);
      try {
        await team.changeRole(id, request.body?.role ?? '', me(request), requestContext(request));
      } catch (error) {
        return pages.formError(
          request,
          reply,
          'users',
          { ...(await usersPage(request)), roleErrorFor: id, values: { email: '', role: 'author' } },
          error,
        );
      }
      return reply.redirect(`/admin/users?changed=${id}`, 303);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/users/invites/:id/revoke',
    {
      config: { access: manageUsers },
      schema: {
        params: {
          type: 'object',
          properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } },
          required: ['id'],
        },
        body: formBody({}),
      },
    },
    async (request, reply) => {
      let revoked: { email: string };
      try {
        revoked = await team.revokeInvite(Number(request.params.id), me(request), requestContext(request));
      } catch (error) {
        return pages.formError(
          request,
          reply,
          'users',
          { ...(await usersPage(request)), values: { email: '', role: 'author' } },
          error,
        );
      }
      return reply.redirect(`/admin/users?revoked=${encodeURIComponent(revoked.email)}`, 303);
    },
  );

  // Removing someone (issue 18): a page to choose what becomes of their posts, then its form.
  const userParams = {
    type: 'object',
    properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } },
    required: ['id'],
  } as const;
  const removePage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: number,
    values: Record<string, string> = {},
    errors: Record<string, string> = {},
    status = 200,
  ) => {
    const members = await team.list();
    const member = members.find((m) => m.id === id);
    if (!member) throw new HearthError('HEARTH_ERR_USER_NOT_FOUND', { id });
    if (member.role === 'owner') {
      throw new HearthError('HEARTH_ERR_USER_REMOVE_REFUSED', { reason: 'The owner cannot be removed.' });
    }
    return pages.page(
      request,
      reply,
      'user-remove',
      {
        title: `Remove ${member.name}?`,
        member,
        postCount: await services.userRemoval.postCount(id),
        heirs: members.filter((m) => m.id !== id).map((m) => ({ id: String(m.id), name: m.name, role: m.role })),
        form: formView({ posts: 'reassign', reassignTo: String(me(request).id), ...values }, errors),
      },
      status,
    );
  };

  app.get<{ Params: { id: string } }>(
    '/users/:id/remove',
    { config: { access: manageUsers }, schema: { params: userParams } },
    async (request, reply) => removePage(request, reply, Number(request.params.id)),
  );

  app.post<{ Params: { id: string }; Body: { posts?: string; reassignTo?: string } }>(
    '/users/:id/remove',
    {
      config: { access: manageUsers },
      schema: { params: userParams, body: formBody({ posts: 20, reassignTo: 20 }) },
    },
    async (request, reply) => {
      const id = Number(request.params.id);
      const body = request.body ?? {};
      const user = me(request);
      try {
        const removed = await services.userRemoval.remove(
          { id: user.id, email: user.email, role: user.role, ip: request.ip },
          id,
          body,
        );
        return reply.redirect(`/admin/users?removed=${encodeURIComponent(removed.email)}`, 303);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return removePage(
          request,
          reply,
          id,
          { posts: body.posts ?? '', reassignTo: body.reassignTo ?? '' },
          error.fields,
          400,
        );
      }
    },
  );

  app.get('/audit', { config: { access: { capability: 'view_audit_log' } }, schema: {} }, async (request, reply) => {
    const events = await services.audit.recent(200);
    return pages.page(request, reply, 'audit', {
      title: 'Audit log',
      events: events.map((e) => ({
        ...e,
        at: e.at.slice(0, 19).replace('T', ' '),
        details: Object.entries(e.details)
          .map(([k, v]) => `${k}: ${String(v)}`)
          .join(', '),
      })),
    });
  });
}
