import type { FastifyInstance } from 'fastify';
import { MIN_PASSWORD_LENGTH } from '../../domain/users/index.js';
import type { Services } from '../../services.js';
import { sessionToken, setSessionCookie } from '../plugins/session-cookie.js';
import { formView, type Pages, requestContext } from './pages.js';
import { formBody, tokenParams } from './schemas.js';

/** The services this plugin uses. */
export type LinkRoutesServices = Pick<Services, 'accounts'>;

type Token = { Params: { token: string } };

/**
 * Pages reached from email: asking for a password reset, the reset link, and the
 * invitation link. A link that is unknown, used or expired gets a page that says which.
 */
export async function linkRoutes(
  app: FastifyInstance,
  deps: { services: LinkRoutesServices; pages: Pages },
): Promise<void> {
  const { services, pages } = deps;
  const { passwordResets, team } = services.accounts;
  const forgotPage = { title: 'Forgot your password?' };
  const resetPage = { title: 'Choose a new password', minPassword: MIN_PASSWORD_LENGTH };
  const invitePage = { title: 'Accept your invitation', minPassword: MIN_PASSWORD_LENGTH };

  app.get('/forgot', { config: { access: 'public' }, schema: {} }, async (request, reply) =>
    pages.page(request, reply, 'forgot', { ...forgotPage, form: formView({ email: '' }) }),
  );

  app.post<{ Body: { email?: string } }>(
    '/forgot',
    { config: { access: 'public' }, schema: { body: formBody({ email: 300 }) } },
    async (request, reply) => {
      const email = request.body?.email ?? '';
      try {
        await passwordResets.request({ email }, requestContext(request));
      } catch (error) {
        return pages.formError(request, reply, 'forgot', { ...forgotPage, values: { email } }, error);
      }
      // The same answer whether or not an account has this address.
      return pages.page(request, reply, 'message', {
        title: 'Check your email',
        message: `If an account uses ${email.trim()}, a link to choose a new password is on its way. It works once, for one hour.`,
      });
    },
  );

  app.get<Token>(
    '/reset/:token',
    { config: { access: 'account-link' }, schema: { params: tokenParams } },
    async (request, reply) => {
      const link = await passwordResets.open(request.params.token);
      return pages.page(request, reply, 'reset', { ...resetPage, email: link.email, form: formView() });
    },
  );

  app.post<Token & { Body: { password?: string } }>(
    '/reset/:token',
    { config: { access: 'account-link' }, schema: { params: tokenParams, body: formBody({ password: 1100 }) } },
    async (request, reply) => {
      const { token } = request.params;
      let email: string;
      try {
        ({ email } = await passwordResets.reset(
          token,
          { password: request.body?.password ?? '' },
          requestContext(request),
        ));
      } catch (error) {
        const link = await passwordResets.open(token);
        return pages.formError(request, reply, 'reset', { ...resetPage, email: link.email, values: {} }, error);
      }
      return pages.page(request, reply, 'message', {
        title: 'Your password is changed',
        message: `The password of ${email} is changed, and every session of this account is signed out.`,
        link: { href: '/admin/login', text: 'Sign in' },
      });
    },
  );

  app.get<Token>(
    '/invite/:token',
    { config: { access: 'account-link' }, schema: { params: tokenParams } },
    async (request, reply) => {
      const invite = await team.openInvite(request.params.token);
      return pages.page(request, reply, 'invite', { ...invitePage, invite, form: formView({ name: '' }) });
    },
  );

  app.post<Token & { Body: { name?: string; password?: string } }>(
    '/invite/:token',
    {
      config: { access: 'account-link' },
      schema: { params: tokenParams, body: formBody({ name: 300, password: 1100 }) },
    },
    async (request, reply) => {
      const { token } = request.params;
      const name = request.body?.name ?? '';
      let session: { token: string; expiresAt: string };
      try {
        ({ session } = await team.acceptInvite(
          token,
          { name, password: request.body?.password ?? '' },
          requestContext(request),
        ));
      } catch (error) {
        const invite = await team.openInvite(token);
        return pages.formError(request, reply, 'invite', { ...invitePage, invite, values: { name } }, error);
      }
      const previous = sessionToken(request);
      if (previous) await services.accounts.signIn.signOut(previous, requestContext(request));
      setSessionCookie(request, reply, session);
      return reply.redirect('/admin', 303);
    },
  );
}
