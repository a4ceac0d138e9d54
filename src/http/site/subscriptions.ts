import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SUBSCRIBE_HONEYPOT, sourcePath } from '../../domain/subscribers/index.js';
import { HearthError, ValidationError } from '../../errors.js';
import { formView } from '../admin/pages.js';
import { createAdminViews } from '../admin/views.js';
import { PRIVATE_CACHE_CONTROL, securityHeaders } from '../plugins/send-page.js';
import { parseFormsStrictly } from '../plugins/strict-form.js';
import type { SiteDeps } from './context.js';

const publicRoute = { access: 'public' as const };
// Hearth's tokens are 43 characters of base64url; anything else is refused as a 404 by the schema.
const tokenParams = {
  type: 'object',
  properties: { token: { type: 'string', maxLength: 60, pattern: '^[A-Za-z0-9_-]+$' } },
  required: ['token'],
} as const;
const text = (maxLength: number) => ({ type: 'string', maxLength }) as const;
const CATEGORY_FIELD = /^category_([1-9][0-9]{0,9})$/;

/**
 * Readers' subscriptions (docs/subscribers.md): the subscribe form's POST (no script, no
 * CSRF token: it is on cached pages, and a forged sign-up only sends one confirmation
 * message an hour, which nobody confirms), the confirmation link, the preferences page and
 * unsubscribing (RFC 8058 one-click too). Every GET of a link shows a page with a button, as
 * mail scanners follow links; the POST does it. The pages are the admin's plain templates,
 * never cached. A forged or used link is a 404.
 */
export async function subscriptionRoutes(app: FastifyInstance, deps: SiteDeps): Promise<void> {
  const { subscribers, settings } = deps.services;
  const views = createAdminViews();
  const send = async (reply: FastifyReply, view: string, data: object, status = 200) =>
    reply
      .code(status)
      .headers({ ...securityHeaders, 'cache-control': PRIVATE_CACHE_CONTROL, 'x-robots-tag': 'noindex' })
      .type('text/html; charset=utf-8')
      .send(await views.render(view, { siteTitle: (await settings.get()).title, ...data }));

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
      'subscribe',
      { title: 'Subscribe by email', step: 'form', honeypot: SUBSCRIBE_HONEYPOT, form: formView(values, errors) },
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
    {
      config: publicRoute,
      schema: {
        body: {
          type: 'object',
          properties: { email: text(1000), name: text(1000), from: text(1000), [SUBSCRIBE_HONEYPOT]: text(2000) },
        },
      },
    },
    async (request, reply) => {
      const b = request.body ?? {};
      const values = { email: b.email ?? '', name: b.name ?? '', from: sourcePath(b.from) };
      try {
        await subscribers.subscribe(
          { email: values.email, name: values.name, from: values.from, trap: b[SUBSCRIBE_HONEYPOT] ?? '' },
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
      return send(reply, 'subscribe', { title: 'Check your inbox', step: 'sent' });
    },
  );

  app.get<{ Params: { token: string } }>(
    '/subscribe/confirm/:token',
    { config: publicRoute, schema: { params: tokenParams } },
    async (request, reply) => {
      await subscribers.checkConfirmation(request.params.token);
      return send(reply, 'subscribe', {
        title: 'Confirm your subscription',
        step: 'confirm',
        token: request.params.token,
      });
    },
  );

  app.post<{ Params: { token: string } }>(
    '/subscribe/confirm/:token',
    { config: publicRoute, schema: { params: tokenParams } },
    async (request, reply) => {
      const token = await subscribers.confirm(request.params.token);
      return send(reply, 'subscribe', {
        title: 'You are subscribed',
        step: 'confirmed',
        preferencesUrl: `/subscription/${token}`,
      });
    },
  );

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
      'subscription',
      {
        title: 'Your subscription',
        step: 'preferences',
        token,
        subscription,
        categories: categories.map((c) => ({ ...c, checked: checked.has(c.id) })),
        notice: form.notice ?? '',
        form: formView(form.values ?? { frequency: subscription.frequency }, form.errors ?? {}),
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
      schema: {
        params: tokenParams,
        body: {
          type: 'object',
          properties: { frequency: text(20) },
          patternProperties: { [CATEGORY_FIELD.source]: text(10) },
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      const categoryIds = Object.keys(body).flatMap((k) => {
        const m = CATEGORY_FIELD.exec(k);
        return m && body[k] ? [Number(m[1])] : [];
      });
      try {
        await subscribers.setPreferences(request.params.token, { frequency: body.frequency ?? '', categoryIds });
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return preferences(
          request,
          reply,
          { values: { frequency: body.frequency ?? '' }, errors: error.fields, checked: new Set(categoryIds) },
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
      return send(reply, 'subscription', {
        title: 'Unsubscribe',
        step: 'unsubscribe',
        token: request.params.token,
        subscription,
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
      return send(reply, 'subscription', { title: 'You are unsubscribed', step: 'unsubscribed' });
    },
  );
}
