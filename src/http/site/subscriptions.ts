import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Confirmation, SUBSCRIBE_HONEYPOT, sourcePath } from '../../domain/subscribers/index.js';
import { HearthError, ValidationError } from '../../errors.js';
import { PRIVATE_CACHE_CONTROL, securityHeaders } from '../plugins/send-page.js';
import { parseFormsStrictly } from '../plugins/strict-form.js';
import { pageContext, type SiteDeps } from './context.js';

const publicRoute = { access: 'public' as const };
// Hearth's tokens are 43 characters of base64url; anything else is refused as a 404 by the schema.
const tokenParams = {
  type: 'object',
  properties: { token: { type: 'string', maxLength: 60, pattern: '^[A-Za-z0-9_-]+$' } },
  required: ['token'],
} as const;
const text = (maxLength: number) => ({ type: 'string', maxLength }) as const;
const CATEGORY_FIELD = /^category_([1-9][0-9]{0,9})$/;
/** A form field as text: a field sent twice, or not as text, is none. */
const field = (body: unknown, name: string): string => {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : '';
};
/** A form with what was sent and the message for each wrong field. */
const formOf = (values: Record<string, string>, errors: Record<string, string> = {}) => ({ values, errors });

/** A page a reader sees about their subscription, through the theme (templates/subscription.liquid). */
export interface ReaderPage {
  title: string;
  step: string;
  /** Where "Back to the site" goes: the page they subscribed from, when known. */
  backUrl?: string;
  [key: string]: unknown;
}

/**
 * Sends a reader's page rendered by the theme: the blog's look, never cached, not indexed,
 * no subscribe form in the footer. The errors of `page.form` are listed at the top too.
 */
export async function sendReaderPage(deps: SiteDeps, reply: FastifyReply, page: ReaderPage, status = 200) {
  const { site } = await pageContext(deps, reply.request.url, { subscribe: false });
  const fieldIds: Record<string, string> = {
    email: 'subscribe-email',
    name: 'subscribe-name',
    frequency: 'preferences-every',
    categories: 'preferences-categories',
  };
  const form = page.form as { errors?: Record<string, string> } | undefined;
  const errors = Object.entries(form?.errors ?? {}).map(([name, message]) => ({ id: fieldIds[name], message }));
  const html = await deps.theme.render('subscription', {
    site,
    page: { noindex: true, backUrl: '/', notice: '', ...page, errors },
  });
  return reply
    .code(status)
    .headers({ ...securityHeaders, 'cache-control': PRIVATE_CACHE_CONTROL, 'x-robots-tag': 'noindex' })
    .type('text/html; charset=utf-8')
    .send(html);
}

/**
 * Readers' subscriptions (docs/subscribers.md): the subscribe form's POST (no script, no
 * CSRF token: it is on cached pages, and a forged sign-up only sends one confirmation
 * message an hour, which nobody confirms), the confirmation link, the preferences page and
 * unsubscribing (RFC 8058 one-click too). Every GET of a link shows a page with a button, as
 * mail scanners follow links; the POST does it. The pages are the theme's (the blog's look),
 * never cached. A forged or old link is a 404; a used one, within its days, says so.
 */
export async function subscriptionRoutes(app: FastifyInstance, deps: SiteDeps): Promise<void> {
  const { subscribers, settings } = deps.services;
  const send = (reply: FastifyReply, page: ReaderPage, status = 200) => sendReaderPage(deps, reply, page, status);

  parseFormsStrictly(app, {
    email: 'The email address',
    name: 'The name',
    from: 'The page',
    frequency: 'How often',
    [SUBSCRIBE_HONEYPOT]: 'A hidden field',
  });
  // RFC 8058 lets a mail client send its one-click POST as multipart/form-data: it carries
  // nothing to read (the token is in the address), so the body is read and dropped.
  app.addContentTypeParser('multipart/form-data', { bodyLimit: 64 * 1024 }, (_request, payload, done) => {
    payload.on('data', () => undefined);
    payload.on('end', () => done(null, {}));
    payload.on('error', (error) => done(error, undefined));
  });

  const showForm = (
    reply: FastifyReply,
    values: Record<string, string>,
    errors: Record<string, string>,
    status = 200,
  ) =>
    send(
      reply,
      {
        title: 'Subscribe by email',
        step: 'form',
        honeypot: SUBSCRIBE_HONEYPOT,
        form: formOf(values, errors),
        backUrl: values.from || '/',
      },
      status,
    );

  app.get<{ Querystring: { from?: string } }>(
    '/subscribe',
    { config: publicRoute, schema: { querystring: { type: 'object', properties: { from: text(1000) } } } },
    async (request, reply) => {
      if (!(await settings.get()).subscriptionsEnabled) throw new HearthError('HEARTH_ERR_SUBSCRIPTIONS_OFF');
      return showForm(reply, { email: '', name: '', from: sourcePath(request.query.from) }, {});
    },
  );

  app.post<{ Body: Record<string, string | undefined> }>(
    '/subscribe',
    // No body schema: a missing or odd field gets the form's own message, not a schema's
    // ("body must be object"); the service bounds every field's length.
    { config: publicRoute, schema: {} },
    async (request, reply) => {
      const b = request.body;
      const values = { email: field(b, 'email'), name: field(b, 'name'), from: sourcePath(field(b, 'from')) };
      try {
        await subscribers.subscribe(
          { email: values.email, name: values.name, from: values.from, trap: field(b, SUBSCRIBE_HONEYPOT) },
          { ip: request.ip },
        );
      } catch (error) {
        if (error instanceof ValidationError) return showForm(reply, values, error.fields, 400);
        if (error instanceof HearthError && error.code === 'HEARTH_ERR_SUBSCRIBE_RATE_LIMIT') {
          reply.header('retry-after', '3600');
          return showForm(reply, values, { form: error.message }, 429);
        }
        throw error;
      }
      return send(reply, { title: 'Check your inbox', step: 'sent', backUrl: values.from || '/' });
    },
  );

  app.get<{ Params: { token: string } }>(
    '/subscribe/confirm/:token',
    { config: publicRoute, schema: { params: tokenParams } },
    async (request, reply) => {
      const link = await subscribers.checkConfirmation(request.params.token);
      if (link.already) return confirmed(reply, link);
      return send(reply, {
        title: 'Confirm your subscription',
        step: 'confirm',
        token: request.params.token,
        backUrl: link.sourcePath || '/',
      });
    },
  );

  app.post<{ Params: { token: string } }>(
    '/subscribe/confirm/:token',
    { config: publicRoute, schema: { params: tokenParams } },
    async (request, reply) => {
      return confirmed(reply, await subscribers.confirm(request.params.token));
    },
  );

  function confirmed(reply: FastifyReply, link: Confirmation) {
    return send(reply, {
      title: link.already ? 'Your subscription is confirmed already' : 'You are subscribed',
      step: 'confirmed',
      already: link.already,
      preferencesUrl: `/subscription/${link.token}`,
      backUrl: link.sourcePath || '/',
    });
  }

  const preferences = async (
    request: FastifyRequest<{ Params: { token: string } }>,
    reply: FastifyReply,
    form: { values?: Record<string, string>; errors?: Record<string, string>; notice?: string; checked?: Set<number> },
    status = 200,
  ) => {
    const { token } = request.params;
    const [subscription, categories] = await Promise.all([subscribers.byToken(token), subscribers.categories()]);
    const checked = form.checked ?? new Set(subscription.categoryIds);
    return send(
      reply,
      {
        title: 'Your subscription',
        step: 'preferences',
        token,
        subscription,
        categories: categories.map((c) => ({ ...c, checked: checked.has(c.id) })),
        notice: form.notice ?? '',
        form: formOf(form.values ?? { frequency: subscription.frequency }, form.errors ?? {}),
        backUrl: subscription.sourcePath || '/',
      },
      status,
    );
  };

  app.get<{ Params: { token: string }; Querystring: { saved?: string } }>(
    '/subscription/:token',
    {
      config: publicRoute,
      schema: { params: tokenParams, querystring: { type: 'object', properties: { saved: text(2) } } },
    },
    (request, reply) => preferences(request, reply, { notice: request.query.saved ? 'Your choices are saved.' : '' }),
  );

  app.post<{ Params: { token: string }; Body: Record<string, string | undefined> }>(
    '/subscription/:token',
    {
      config: publicRoute,
      // No body schema: fields are read by name (others ignored), and a wrong one gets the form's message.
      schema: { params: tokenParams },
    },
    async (request, reply) => {
      const body = request.body && typeof request.body === 'object' ? request.body : {};
      const categoryIds = Object.keys(body).flatMap((k) => {
        const m = CATEGORY_FIELD.exec(k);
        return m && field(body, k) ? [Number(m[1])] : [];
      });
      const frequency = field(body, 'frequency').slice(0, 20);
      try {
        await subscribers.setPreferences(request.params.token, { frequency, categoryIds });
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return preferences(
          request,
          reply,
          { values: { frequency }, errors: error.fields, checked: new Set(categoryIds) },
          400,
        );
      }
      return reply.redirect(`/subscription/${request.params.token}?saved=1`, 303);
    },
  );

  app.get<{ Params: { token: string } }>(
    '/subscription/:token/unsubscribe',
    { config: publicRoute, schema: { params: tokenParams } },
    async (request, reply) => {
      const subscription = await subscribers.byToken(request.params.token);
      return send(reply, {
        title: 'Unsubscribe',
        step: 'unsubscribe',
        token: request.params.token,
        subscription,
        backUrl: subscription.sourcePath || '/',
      });
    },
  );

  app.post<{ Params: { token: string } }>(
    '/subscription/:token/unsubscribe',
    {
      config: publicRoute,
      // The body (`List-Unsubscribe=One-Click` from a mail client, nothing from the button) carries nothing to read.
      schema: { params: tokenParams },
    },
    async (request, reply) => {
      await subscribers.unsubscribe(request.params.token);
      return send(reply, { title: 'You are unsubscribed', step: 'unsubscribed' });
    },
  );
}
