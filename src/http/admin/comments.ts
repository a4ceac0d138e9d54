import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SignedInUser } from '../../domain/accounts/index.js';
import { MODERATION_ACTIONS, type ModerationAction, QUEUE_TABS, type QueueTab } from '../../domain/comments/index.js';
import { ValidationError } from '../../errors.js';
import { formatDateTime } from '../../render/dates.js';
import type { Services } from '../../services.js';
import { formView, type Pages } from './pages.js';

/** The services this plugin uses. */
export type CommentQueueServices = Pick<Services, 'moderation' | 'settings'>;

// Authors moderate comments on their own posts; the domain narrows it per comment.
const moderate = { capability: 'publish_own' } as const;
const idParams = {
  type: 'object',
  properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,11}$' } },
  required: ['id'],
} as const;
const textBody = {
  type: 'object',
  properties: {
    _csrf: { type: 'string', maxLength: 200 },
    body: { type: 'string', maxLength: 100_000 },
    tab: { type: 'string', maxLength: 20 },
  },
} as const;

const tabOf = (value: string | undefined): QueueTab =>
  (QUEUE_TABS as readonly string[]).includes(value ?? '') ? (value as QueueTab) : 'pending';
const actionOf = (value: string | undefined): ModerationAction => {
  if ((MODERATION_ACTIONS as readonly string[]).includes(value ?? '')) return value as ModerationAction;
  throw new ValidationError({ action: 'Choose approve, spam, trash or restore.' });
};
const notices: Record<string, string> = {
  approve: 'Approved.',
  spam: 'Marked as spam.',
  trash: 'Moved to the trash.',
  restore: 'Restored to pending.',
  edit: 'The comment is saved.',
  reply: 'Your reply is published.',
};

/**
 * The moderation queue, /admin/comments: tabs by status with counts, each comment with
 * what the spam checks found, and forms that work without script (the keyboard
 * shortcuts in assets/moderation.js only press their buttons).
 */
export async function commentQueueRoutes(
  app: FastifyInstance,
  deps: { services: CommentQueueServices; pages: Pages },
): Promise<void> {
  const { services, pages } = deps;
  const { moderation } = services;
  const me = (request: FastifyRequest) => request.session?.user as SignedInUser;

  const queuePage = async (request: FastifyRequest, tab: QueueTab, notice = '') => {
    const [counts, items, settings] = await Promise.all([
      moderation.counts(me(request)),
      moderation.list(me(request), tab),
      services.settings.get(),
    ]);
    return {
      title: 'Comments',
      tab,
      notice,
      tabs: QUEUE_TABS.map((name) => ({ name, count: counts[name], current: name === tab })),
      comments: items.map((c) => ({
        ...c,
        time: formatDateTime(c.createdAt, settings.timezone),
        score: c.spamScore === null ? null : c.spamScore.toFixed(2),
        actions: MODERATION_ACTIONS.filter(
          (a) => a !== (tab === 'approved' ? 'approve' : tab) && (a !== 'restore' || tab === 'spam' || tab === 'trash'),
        ),
      })),
      actions: MODERATION_ACTIONS,
      kinds: ['edit', 'reply'],
    };
  };

  const back = (reply: FastifyReply, tab: QueueTab, done: string) =>
    reply.redirect(`/admin/comments?status=${tab}&done=${done}`, 303);

  app.get<{ Querystring: { status?: string; done?: string } }>(
    '/comments',
    {
      config: { access: moderate },
      schema: {
        querystring: {
          type: 'object',
          properties: { status: { type: 'string', maxLength: 20 }, done: { type: 'string', maxLength: 20 } },
        },
      },
    },
    async (request, reply) => {
      const tab = tabOf(request.query.status);
      const data = await queuePage(request, tab, notices[request.query.done ?? ''] ?? '');
      return pages.page(request, reply, 'comments', { ...data, form: formView() });
    },
  );

  /** Shows the queue again with what was wrong, or lets the error handler answer. */
  const failed = async (request: FastifyRequest, reply: FastifyReply, tab: QueueTab, error: unknown, values = {}) =>
    pages.formError(request, reply, 'comments', { ...(await queuePage(request, tab)), values }, error);

  app.post<{ Params: { id: string }; Body: { action?: string; tab?: string } }>(
    '/comments/:id/action',
    {
      config: { access: moderate },
      schema: {
        params: idParams,
        body: {
          type: 'object',
          properties: {
            _csrf: { type: 'string', maxLength: 200 },
            action: { type: 'string', maxLength: 20 },
            tab: { type: 'string', maxLength: 20 },
          },
        },
      },
    },
    async (request, reply) => {
      const tab = tabOf(request.body?.tab);
      const action = actionOf(request.body?.action);
      await moderation.act(me(request), [Number(request.params.id)], action);
      return back(reply, tab, action);
    },
  );

  app.post<{ Body: { action?: string; tab?: string; ids?: string | string[] } }>(
    '/comments/bulk',
    {
      config: { access: moderate },
      schema: {
        body: {
          type: 'object',
          properties: {
            _csrf: { type: 'string', maxLength: 200 },
            action: { type: 'string', maxLength: 20 },
            tab: { type: 'string', maxLength: 20 },
            ids: {
              anyOf: [
                { type: 'string', pattern: '^[1-9][0-9]{0,11}$' },
                { type: 'array', maxItems: 500, items: { type: 'string', pattern: '^[1-9][0-9]{0,11}$' } },
              ],
            },
          },
        },
      },
    },
    async (request, reply) => {
      const tab = tabOf(request.body?.tab);
      const raw = request.body?.ids;
      const ids = (raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]).map(Number);
      try {
        const action = actionOf(request.body?.action);
        await moderation.act(me(request), ids, action);
        return back(reply, tab, action);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return failed(request, reply, tab, error);
      }
    },
  );

  for (const kind of ['edit', 'reply'] as const) {
    app.post<{ Params: { id: string }; Body: { body?: string; tab?: string } }>(
      `/comments/:id/${kind}`,
      { config: { access: moderate }, schema: { params: idParams, body: textBody } },
      async (request, reply) => {
        const id = Number(request.params.id);
        const tab = tabOf(request.body?.tab);
        const text = request.body?.body ?? '';
        try {
          if (kind === 'edit') await moderation.edit(me(request), id, text);
          else await moderation.reply(me(request), id, text);
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          const data = await queuePage(request, tab);
          return pages.page(
            request,
            reply,
            'comments',
            { ...data, form: formView({ body: text }, error.fields), failedId: id, failedKind: kind },
            400,
          );
        }
        return back(reply, tab, kind);
      },
    );
  }
}
