import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HearthError, isHearthError } from '../../errors.js';
import type { SiteDeps } from './context.js';

const MAX_EVENTS = 1000;
const eventsBody = {
  type: 'object',
  properties: {
    events: {
      type: 'array',
      maxItems: MAX_EVENTS,
      items: {
        type: 'object',
        properties: {
          type: { type: 'string', enum: ['bounce', 'complaint'] },
          email: { type: 'string', minLength: 1, maxLength: 320 },
        },
        required: ['type', 'email'],
      },
    },
  },
  required: ['events'],
} as const;

/** Compares the bearer token with the secret in constant time (both hashed first: equal lengths). */
function authorised(header: string | undefined, secret: string): boolean {
  const match = /^Bearer ([\x21-\x7e]{1,500})$/.exec(header ?? '');
  const given = createHash('sha256')
    .update(match?.[1] ?? '')
    .digest();
  const expected = createHash('sha256').update(secret).digest();
  return timingSafeEqual(given, expected) && match !== null;
}

/**
 * `POST /hooks/mail-events`: the mail provider reports hard bounces and spam complaints,
 * `{"events": [{"type": "bounce", "email": "ida@example.org"}]}`, with the secret of
 * HEARTH_MAIL_WEBHOOK_SECRET as a bearer token (checked before the body is read). Unknown
 * addresses are ignored. Answers JSON: 200 with the counts, 401, 400, 404 when the hook
 * is off; never a 500 for anything the sender did.
 */
export async function mailEventRoutes(app: FastifyInstance, deps: SiteDeps): Promise<void> {
  const secret = deps.config.mailWebhookSecret;
  const fail = (reply: FastifyReply, error: HearthError) =>
    reply
      .code(error.status)
      .header('cache-control', 'no-store')
      .send({ error: { code: error.code, message: error.message } });

  app.setErrorHandler(async (error: FastifyError | HearthError, request, reply) => {
    if (isHearthError(error) && error.status < 500) return fail(reply, error);
    const fastifyError = error as FastifyError;
    if (fastifyError.validation || (fastifyError.statusCode && fastifyError.statusCode < 500))
      return fail(reply, new HearthError('HEARTH_ERR_MAIL_WEBHOOK_BODY', { reason: error.message }));
    request.log.error({ err: error }, 'mail events failed');
    return fail(reply, new HearthError('HEARTH_ERR_INTERNAL'));
  });

  app.post<{ Body: { events: { type: 'bounce' | 'complaint'; email: string }[] } }>(
    '/hooks/mail-events',
    {
      config: { access: 'public' },
      bodyLimit: 256 * 1024,
      schema: { body: eventsBody },
      // Before the body is read: a sender without the secret learns nothing from it.
      onRequest: async (request: FastifyRequest) => {
        if (!secret) throw new HearthError('HEARTH_ERR_MAIL_WEBHOOK_OFF');
        if (!authorised(request.headers.authorization, secret)) throw new HearthError('HEARTH_ERR_MAIL_WEBHOOK_AUTH');
      },
    },
    async (request, reply) => {
      const { events } = request.body;
      const known = await deps.services.subscribers.recordMailEvents(events);
      return reply.header('cache-control', 'no-store').send({ received: events.length, known });
    },
  );
}
