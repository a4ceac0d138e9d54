import type { FastifyInstance } from 'fastify';
import { HearthError } from '../../errors.js';
import type { Services } from '../../services.js';
import { clearSessionCookie, sessionToken, setSessionCookie } from '../plugins/session-cookie.js';
import { formView, type Pages, requestContext, safeNext } from './pages.js';
import { formBody, nextQuery } from './schemas.js';

/** The services this plugin uses. */
export type SignInRoutesServices = Pick<Services, 'accounts'>;

type Body = { email?: string; password?: string; code?: string; next?: string };

/** Signing in (password, then a TOTP code for those who turned it on) and out. */
export async function signInRoutes(
  app: FastifyInstance,
  deps: { services: SignInRoutesServices; pages: Pages },
): Promise<void> {
  const { services, pages } = deps;
  const signIn = services.accounts.signIn;
  const loginPage = { title: 'Sign in' };
  const codePage = { title: 'Two-factor code' };

  app.get<{ Querystring: { next?: string; done?: string } }>(
    '/login',
    {
      config: { access: 'public' },
      schema: { querystring: { ...nextQuery, properties: { ...nextQuery.properties, done: { type: 'string' } } } },
    },
    async (request, reply) => {
      if (request.session?.stage === 'active') return reply.redirect(safeNext(request.query.next), 303);
      return pages.page(request, reply, 'login', {
        ...loginPage,
        notice: request.query.done === 'signed-out' ? 'You are signed out.' : '',
        form: formView({ email: '', next: safeNext(request.query.next) }),
      });
    },
  );

  app.post<{ Body: Body }>(
    '/login',
    { config: { access: 'public' }, schema: { body: formBody({ email: 300, password: 1100, next: 500 }) } },
    async (request, reply) => {
      const { email = '', password = '' } = request.body ?? {};
      const next = safeNext(request.body?.next);
      let started: Awaited<ReturnType<typeof signIn.signIn>>;
      try {
        started = await signIn.signIn({ email, password }, requestContext(request));
      } catch (error) {
        return pages.formError(request, reply, 'login', { ...loginPage, values: { email, next } }, error);
      }
      // Whatever session the browser had before ends: signing in always starts a new one.
      const previous = sessionToken(request);
      if (previous) await signIn.signOut(previous, requestContext(request));
      setSessionCookie(request, reply, started);
      if (started.stage === 'two-factor') {
        return reply.redirect(`/admin/login/two-factor?next=${encodeURIComponent(next)}`, 303);
      }
      return reply.redirect(next, 303);
    },
  );

  app.get<{ Querystring: { next?: string } }>(
    '/login/two-factor',
    { config: { access: 'two-factor' }, schema: { querystring: nextQuery } },
    async (request, reply) =>
      pages.page(request, reply, 'two-factor-verify', {
        ...codePage,
        form: formView({ next: safeNext(request.query.next) }),
      }),
  );

  app.post<{ Body: Body }>(
    '/login/two-factor',
    { config: { access: 'two-factor' }, schema: { body: formBody({ code: 40, next: 500 }) } },
    async (request, reply) => {
      const next = safeNext(request.body?.next);
      let started: Awaited<ReturnType<typeof signIn.completeTwoFactor>>;
      try {
        started = await signIn.completeTwoFactor(
          sessionToken(request) as string,
          request.body?.code ?? '',
          requestContext(request),
        );
      } catch (error) {
        if (error instanceof HearthError && error.code === 'HEARTH_ERR_SIGN_IN_REQUIRED') {
          return reply.redirect('/admin/login', 303);
        }
        // Too many wrong codes ended the pending sign-in: its cookie is of no use now.
        if (error instanceof HearthError && error.code === 'HEARTH_ERR_TWO_FACTOR_LOCKED')
          clearSessionCookie(request, reply);
        return pages.formError(request, reply, 'two-factor-verify', { ...codePage, values: { next } }, error);
      }
      setSessionCookie(request, reply, started);
      return reply.redirect(next, 303);
    },
  );

  app.post('/logout', { config: { access: 'public' }, schema: { body: formBody({}) } }, async (request, reply) => {
    const token = sessionToken(request);
    if (token) await signIn.signOut(token, requestContext(request));
    clearSessionCookie(request, reply);
    return reply.redirect('/admin/login?done=signed-out', 303);
  });
}
