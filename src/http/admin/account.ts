import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { isTotpSecret, RECOVERY_CODE_COUNT, type SignedInUser } from '../../domain/accounts/index.js';
import type { Services } from '../../services.js';
import { clearSessionCookie, sessionToken } from '../plugins/session-cookie.js';
import { formView, type Pages, requestContext } from './pages.js';
import { formBody } from './schemas.js';

/** The services this plugin uses. */
export type AccountRoutesServices = Pick<Services, 'accounts'>;

const signedIn = { capability: 'access_admin' } as const;

/**
 * A QR code of the setup address, drawn here as SVG and sent as a data: image (the admin's
 * CSP allows data: images): no request leaves the page and no script is needed.
 */
async function qrImage(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}

/** Short UTC times for the sessions page. */
const minute = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/** The signed-in person's own sign-in settings: two-factor sign-in, recovery codes, sessions. */
export async function accountRoutes(
  app: FastifyInstance,
  deps: { services: AccountRoutesServices; pages: Pages },
): Promise<void> {
  const { services, pages } = deps;
  const { twoFactor, devices } = services.accounts;
  const me = (request: FastifyRequest) => request.session?.user as SignedInUser;
  const title = 'Two-factor sign-in';

  /** The setup form for a secret: new, or the one just tried when the code was wrong. */
  const setupPage = async (request: FastifyRequest, secret?: string) => {
    const setup = secret
      ? { secret, uri: await twoFactor.uriFor(me(request), secret) }
      : await twoFactor.begin(me(request));
    return {
      title,
      setup,
      qr: await qrImage(setup.uri),
      recoveryCount: RECOVERY_CODE_COUNT,
      secretGroups: setup.secret.match(/.{1,4}/g)?.join(' ') ?? '',
    };
  };

  /** The page of a user who has two-factor on: recovery codes left, new codes, turning it off. */
  const onPage = async (request: FastifyRequest) => {
    const left = await twoFactor.recoveryCodesLeft(me(request));
    return { title, recoveryLeft: left, recoveryLow: left <= 3 };
  };

  /** Recovery codes, shown once, with a text file of them to save. */
  const codesPage = (request: FastifyRequest, reply: FastifyReply, codes: string[], fresh: boolean) => {
    const user = me(request);
    const file = [
      `Two-factor recovery codes for ${user.email}`,
      `Made ${minute(new Date().toISOString())}. Each works once, in place of a code from your app.`,
      '',
      ...codes,
      '',
    ].join('\n');
    return pages.page(request, reply, 'recovery-codes', {
      title: 'Your recovery codes',
      fresh,
      codes,
      download: `data:text/plain;charset=utf-8,${encodeURIComponent(file)}`,
    });
  };

  app.get<{ Querystring: { done?: string } }>(
    '/account/two-factor',
    {
      config: { access: signedIn },
      schema: { querystring: { type: 'object', properties: { done: { type: 'string', maxLength: 20 } } } },
    },
    async (request, reply) => {
      const notice =
        request.query.done === 'on'
          ? 'Two-factor sign-in is on.'
          : request.query.done === 'off'
            ? 'Two-factor sign-in is off.'
            : '';
      if (me(request).twoFactor) {
        return pages.page(request, reply, 'two-factor-setup', { ...(await onPage(request)), notice, form: formView() });
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
    { config: { access: signedIn }, schema: { body: formBody({ secret: 64, code: 40 }) } },
    async (request, reply) => {
      const { secret = '', code = '' } = request.body ?? {};
      let codes: string[];
      try {
        if (me(request).twoFactor) return reply.redirect('/admin/account/two-factor', 303);
        ({ recoveryCodes: codes } = await twoFactor.enable(me(request), { secret, code }, requestContext(request)));
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
      return codesPage(request, reply, codes, true);
    },
  );

  app.post<{ Body: { confirm?: string } }>(
    '/account/two-factor/recovery-codes',
    { config: { access: signedIn }, schema: { body: formBody({ confirm: 1100 }) } },
    async (request, reply) => {
      // With two-factor off there are no codes to replace: turning it on gives them.
      if (!me(request).twoFactor) return reply.redirect('/admin/account/two-factor', 303);
      let codes: string[];
      try {
        ({ recoveryCodes: codes } = await twoFactor.regenerateRecoveryCodes(
          me(request),
          { confirm: request.body?.confirm ?? '' },
          requestContext(request),
        ));
      } catch (error) {
        return pages.formError(request, reply, 'two-factor-setup', { ...(await onPage(request)), values: {} }, error);
      }
      return codesPage(request, reply, codes, false);
    },
  );

  app.post<{ Body: { code?: string } }>(
    '/account/two-factor/disable',
    { config: { access: signedIn }, schema: { body: formBody({ code: 40 }) } },
    async (request, reply) => {
      try {
        await twoFactor.disable(me(request), { code: request.body?.code ?? '' }, requestContext(request));
      } catch (error) {
        return pages.formError(request, reply, 'two-factor-setup', { ...(await onPage(request)), values: {} }, error);
      }
      return reply.redirect('/admin/account/two-factor?done=off', 303);
    },
  );

  const sessionsPage = async (request: FastifyRequest, notice = '') => {
    const list = await devices.list(me(request), sessionToken(request) as string);
    return {
      title: 'Your sessions',
      notice,
      sessions: list.map((s) => ({ ...s, createdAt: minute(s.createdAt), lastSeenAt: minute(s.lastSeenAt) })),
      others: list.filter((s) => !s.current).length,
    };
  };

  app.get<{ Querystring: { ended?: string } }>(
    '/account/sessions',
    {
      config: { access: signedIn },
      schema: { querystring: { type: 'object', properties: { ended: { type: 'string', pattern: '^[0-9]{1,6}$' } } } },
    },
    async (request, reply) => {
      const ended = request.query.ended;
      const notice =
        ended === undefined ? '' : ended === '1' ? 'One session is signed out.' : `${ended} sessions are signed out.`;
      return pages.page(request, reply, 'sessions', { ...(await sessionsPage(request, notice)), form: formView() });
    },
  );

  app.post<{ Params: { key: string } }>(
    '/account/sessions/:key/end',
    {
      config: { access: signedIn },
      schema: {
        params: {
          type: 'object',
          properties: { key: { type: 'string', pattern: '^[0-9a-f]{32}$' } },
          required: ['key'],
        },
        body: formBody({}),
      },
    },
    async (request, reply) => {
      let ended: { current: boolean };
      try {
        ended = await devices.endOne(
          me(request),
          sessionToken(request) as string,
          request.params.key,
          requestContext(request),
        );
      } catch (error) {
        return pages.formError(request, reply, 'sessions', { ...(await sessionsPage(request)), values: {} }, error);
      }
      if (ended.current) {
        clearSessionCookie(request, reply);
        return reply.redirect('/admin/login?done=signed-out', 303);
      }
      return reply.redirect('/admin/account/sessions?ended=1', 303);
    },
  );

  app.post(
    '/account/sessions/end-others',
    { config: { access: signedIn }, schema: { body: formBody({}) } },
    async (request, reply) => {
      const count = await devices.endOthers(me(request), sessionToken(request) as string, requestContext(request));
      return reply.redirect(`/admin/account/sessions?ended=${count}`, 303);
    },
  );
}
