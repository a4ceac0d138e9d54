import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isTotpSecret, type SignedInUser } from '../../domain/accounts/index.js';
import type { Services } from '../../services.js';
import { formView, type Pages, requestContext } from './pages.js';
import { formBody } from './schemas.js';

/** The services this plugin uses. */
export type AccountRoutesServices = Pick<Services, 'accounts'>;

const signedIn = { capability: 'access_admin' } as const;

/** The signed-in person's own sign-in settings (two-factor sign-in). */
export async function accountRoutes(
  app: FastifyInstance,
  deps: { services: AccountRoutesServices; pages: Pages },
): Promise<void> {
  const { services, pages } = deps;
  const { twoFactor } = services.accounts;
  const me = (request: FastifyRequest) => request.session?.user as SignedInUser;

  /** The setup form for a secret: new, or the one just tried when the code was wrong. */
  const setupPage = async (request: FastifyRequest, secret?: string) => {
    const setup = secret
      ? { secret, uri: await twoFactor.uriFor(me(request), secret) }
      : await twoFactor.begin(me(request));
    return { title: 'Two-factor sign-in', setup, secretGroups: setup.secret.match(/.{1,4}/g)?.join(' ') ?? '' };
  };

  app.get<{ Querystring: { done?: string } }>(
    '/account/two-factor',
    {
      config: { access: signedIn },
      schema: { querystring: { type: 'object', properties: { done: { type: 'string' } } } },
    },
    async (request, reply) => {
      const notice =
        request.query.done === 'on'
          ? 'Two-factor sign-in is on.'
          : request.query.done === 'off'
            ? 'Two-factor sign-in is off.'
            : '';
      if (me(request).twoFactor) {
        return pages.page(request, reply, 'two-factor-setup', {
          title: 'Two-factor sign-in',
          notice,
          form: formView(),
        });
      }
      return pages.page(request, reply, 'two-factor-setup', {
        ...(await setupPage(request)),
        notice,
        form: formView(),
      });
    },
  );

  app.post<{ Body: { secret?: string; code?: string } }>(
    '/account/two-factor',
    { config: { access: signedIn }, schema: { body: formBody({ secret: 64, code: 20 }) } },
    async (request, reply) => {
      const { secret = '', code = '' } = request.body ?? {};
      try {
        await twoFactor.enable(me(request), { secret, code }, requestContext(request));
      } catch (error) {
        const reuse = isTotpSecret(secret) ? secret : undefined;
        return pages.formError(
          request,
          reply,
          'two-factor-setup',
          { ...(await setupPage(request, reuse)), values: {} },
          error,
        );
      }
      return reply.redirect('/admin/account/two-factor?done=on', 303);
    },
  );

  app.post<{ Body: { code?: string } }>(
    '/account/two-factor/disable',
    { config: { access: signedIn }, schema: { body: formBody({ code: 20 }) } },
    async (request, reply) => {
      try {
        await twoFactor.disable(me(request), { code: request.body?.code ?? '' }, requestContext(request));
      } catch (error) {
        return pages.formError(request, reply, 'two-factor-setup', { title: 'Two-factor sign-in', values: {} }, error);
      }
      return reply.redirect('/admin/account/two-factor?done=off', 303);
    },
  );
}
