import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can, type SignedInUser } from '../../domain/accounts/index.js';
import type { Newsletter } from '../../domain/newsletters/index.js';
import { HearthError } from '../../errors.js';
import type { Services } from '../../services.js';
import { formView, type Pages } from './pages.js';
import { formBody } from './schemas.js';

/** The services this plugin uses. */
export type NewsletterRoutesServices = Pick<Services, 'newsletters' | 'settings' | 'audit'>;

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const me = (request: FastifyRequest) => request.session?.user as SignedInUser;

const access = { capability: 'publish_any' } as const;
const idParams = {
  type: 'object',
  properties: { id: { type: 'string', pattern: '^[0-9]{1,12}$' } },
  required: ['id'],
} as const;

const STATES: Record<Newsletter['state'], string> = {
  scheduled: 'Scheduled',
  sending: 'Sending',
  paused: 'Paused',
  done: 'Sent',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** A send as the pages and the status JSON show it. */
export function newsletterView(n: Newsletter) {
  return {
    id: n.id,
    kind: n.kind,
    title: n.title,
    postId: n.postId,
    state: n.state,
    stateLabel: STATES[n.state],
    content: n.content,
    sendAt: n.sendAt,
    retrying: n.retrying,
    total: n.total,
    progressMax: Math.max(1, n.total),
    sent: n.sent,
    failed: n.failed,
    pending: n.pending,
    error: n.error,
    startedAt: n.startedAt,
    finishedAt: n.finishedAt,
    statusText: statusText(n),
    canPause: n.state === 'sending' || (n.state === 'paused' && n.retrying),
    canResume: n.state === 'paused',
    canCancel: n.state === 'scheduled' || n.state === 'sending' || n.state === 'paused',
  };
}

/**
 * The admin's newsletters (issue 20), for editors and above: every send with its progress,
 * a page per send whose status follows it live (polling a small JSON), and its pause,
 * resume and cancel buttons.
 */
export async function newsletterRoutes(
  app: FastifyInstance,
  deps: { services: NewsletterRoutesServices; pages: Pages },
): Promise<void> {
  const { services, pages } = deps;
  const load = async (id: string) => {
    const n = await services.newsletters.get(Number(id));
    if (!n) throw new HearthError('HEARTH_ERR_NOT_FOUND');
    return n;
  };

  const listPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form?: { values: Record<string, string>; errors: Record<string, string> },
    notice = '',
  ) => {
    const settings = await services.settings.get();
    return pages.page(
      request,
      reply,
      'newsletters',
      {
        title: 'Newsletters',
        sends: (await services.newsletters.list()).map(newsletterView),
        canConfigure: can(me(request).role, 'manage_settings'),
        weekdays: WEEKDAYS.map((name, i) => ({ value: String(i), name })),
        notice,
        form: form
          ? formView(form.values, form.errors)
          : formView({
              rate: String(settings.newsletterRatePerMinute),
              weekday: String(settings.newsletterDigestWeekday),
              hour: String(settings.newsletterDigestHour),
            }),
      },
      form ? 400 : 200,
    );
  };

  app.get<{ Querystring: { saved?: string } }>(
    '/newsletters',
    {
      config: { access },
      schema: { querystring: { type: 'object', properties: { saved: { type: 'string', maxLength: 2 } } } },
    },
    async (request, reply) =>
      listPage(request, reply, undefined, request.query.saved ? 'The newsletter settings are saved.' : ''),
  );

  app.post<{ Body: { rate?: string; weekday?: string; hour?: string } }>(
    '/newsletters/settings',
    {
      config: { access: { capability: 'manage_settings' } },
      schema: { body: formBody({ rate: 20, weekday: 2, hour: 3 }) },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      const values = { rate: body.rate ?? '', weekday: body.weekday ?? '', hour: body.hour ?? '' };
      const errors: Record<string, string> = {};
      const rate = /^\d{1,7}$/.test(values.rate.trim()) ? Number(values.rate.trim()) : Number.NaN;
      if (!(rate >= 1 && rate <= 1_000_000)) errors.rate = 'Messages a minute: a whole number from 1 to 1000000.';
      const weekday = /^[0-6]$/.test(values.weekday) ? Number(values.weekday) : Number.NaN;
      if (Number.isNaN(weekday)) errors.weekday = 'Choose a day of the week.';
      const hour = /^\d{1,2}$/.test(values.hour.trim()) ? Number(values.hour.trim()) : Number.NaN;
      if (!(hour >= 0 && hour <= 23)) errors.hour = 'The hour is a whole number from 0 to 23.';
      if (Object.keys(errors).length > 0) return listPage(request, reply, { values, errors });
      const saved = { newsletterRatePerMinute: rate, newsletterDigestWeekday: weekday, newsletterDigestHour: hour };
      await services.settings.update(saved);
      const user = me(request);
      await services.audit.record({
        action: 'settings_changed',
        actor: { id: user.id, email: user.email },
        subject: 'newsletters',
        ip: request.ip,
        details: saved,
      });
      return reply.redirect('/admin/newsletters?saved=1', 303);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/newsletters/:id',
    { config: { access }, schema: { params: idParams } },
    async (request, reply) => {
      const n = await load(request.params.id);
      return pages.page(request, reply, 'newsletter', { title: `Newsletter: ${n.title}`, send: newsletterView(n) });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/newsletters/:id/status.json',
    { config: { access }, schema: { params: idParams } },
    async (request, reply) => reply.send(newsletterView(await load(request.params.id))),
  );

  for (const action of ['pause', 'resume', 'cancel'] as const) {
    app.post<{ Params: { id: string } }>(
      `/newsletters/:id/${action}`,
      { config: { access }, schema: { params: idParams, body: formBody({}) } },
      async (request, reply) => {
        const n = await load(request.params.id);
        await services.newsletters[action](n.id);
        return reply.redirect(`/admin/newsletters/${n.id}`, 303);
      },
    );
  }
}

/** One sentence on where a send is. */
function statusText(n: Newsletter): string {
  switch (n.state) {
    case 'scheduled':
      return n.kind === 'post'
        ? `Scheduled: sent once the post is published and ${n.sendAt.slice(0, 16).replace('T', ' ')} UTC has passed.`
        : 'Scheduled.';
    case 'sending':
      return `Sending… ${n.sent} of ${n.total} sent${n.failed ? `, ${n.failed} failed` : ''}.`;
    case 'paused':
      return n.retrying
        ? `Paused after a failure, tried again at ${n.sendAt.slice(11, 19)} UTC: ${n.error}`
        : n.error
          ? `Paused: ${n.sent} of ${n.total} sent; nothing more goes until it is resumed (fix the cause first): ${n.error}`
          : `Paused: ${n.sent} of ${n.total} sent; nothing more goes until it is resumed.`;
    case 'done':
      return `Sent to ${n.sent} of ${n.total}${n.failed ? `; ${n.failed} refused by their mail server` : ''}.`;
    case 'failed':
      return `Failed: ${n.error}`;
    case 'cancelled':
      return `Cancelled: ${n.error || 'nothing more is sent.'}`;
  }
}
