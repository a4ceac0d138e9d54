import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type ImportMode,
  SUBSCRIBER_SOURCES,
  SUBSCRIBER_STATUSES,
  type Subscriber,
} from '../../domain/subscribers/index.js';
import { HearthError, ValidationError } from '../../errors.js';
import { formatDate, formatDateTime } from '../../render/dates.js';
import type { Services } from '../../services.js';
import type { SubscriberStatus } from '../../storage/schema.js';
import { formView, type Pages } from './pages.js';
import { formBody } from './schemas.js';
import { actorOf, SavedFile, uploadedFile } from './uploads.js';

/** The services this plugin uses. */
export type SubscriberRoutesServices = Pick<Services, 'audit' | 'settings' | 'subscribers'>;

const access = { capability: 'manage_subscribers' } as const;
const text = (maxLength: number) => ({ type: 'string', maxLength }) as const;
const idParams = {
  type: 'object',
  properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } },
  required: ['id'],
} as const;
const listQuery = {
  type: 'object',
  properties: {
    q: text(300),
    status: { type: 'string', enum: ['', ...SUBSCRIBER_STATUSES] },
    source: { type: 'string', enum: ['', ...SUBSCRIBER_SOURCES] },
    page: { type: 'string', pattern: '^[1-9][0-9]{0,6}$' },
    added: text(2),
    erased: text(2),
  },
  additionalProperties: false,
} as const;
const MAX_CSV_BYTES = 10 * 1024 * 1024;

const STATUS_LABELS: Record<SubscriberStatus, string> = {
  pending: 'Waiting for confirmation',
  active: 'Active',
  unsubscribed: 'Unsubscribed',
  bounced: 'Bounced',
  complained: 'Complained',
};
const SOURCE_LABELS = { form: 'Subscribe form', admin: 'Added by hand', import: 'Imported' } as const;

type ListQuery = { q?: string; status?: string; source?: string; page?: string; added?: string; erased?: string };

/**
 * Readers' addresses (issue 20), for editors and above: the list (search, filters by status
 * and source, pages of 50, counts per status), adding one by hand with how consent was given,
 * CSV export and import with a report, and each subscriber's page with their data to
 * download or erase (both in the audit log).
 */
export async function subscriberRoutes(
  app: FastifyInstance,
  deps: { services: SubscriberRoutesServices; pages: Pages },
): Promise<void> {
  const { services, pages } = deps;
  const { subscribers } = services;

  /** A subscriber as the views show them, dates as the rest of the admin writes them (the site's time zone). */
  const row = (s: Subscriber, timezone: string) => ({
    ...s,
    statusLabel: STATUS_LABELS[s.status],
    sourceLabel: SOURCE_LABELS[s.source],
    url: `/admin/subscribers/${s.id}`,
    created: formatDate(s.createdAt, timezone),
    consented: s.consentAt ? formatDateTime(s.consentAt, timezone) : '',
    unsubscribed: s.unsubscribedAt ? formatDate(s.unsubscribedAt, timezone) : '',
  });
  const timezone = async () => (await services.settings.get()).timezone;

  const listPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    query: ListQuery,
    extra: { notice?: string; form?: ReturnType<typeof formView> } = {},
    status = 200,
  ) => {
    const filter = {
      q: query.q ?? '',
      status: (query.status || undefined) as SubscriberStatus | undefined,
      source: (query.source || undefined) as Subscriber['source'] | undefined,
    };
    const [result, counts, tz] = await Promise.all([
      subscribers.list({ ...filter, page: Number(query.page ?? 1) }),
      subscribers.counts(),
      timezone(),
    ]);
    const link = (page: number) => {
      const params = new URLSearchParams();
      if (filter.q) params.set('q', filter.q);
      if (filter.status) params.set('status', filter.status);
      if (filter.source) params.set('source', filter.source);
      if (page > 1) params.set('page', String(page));
      const qs = params.toString();
      return `/admin/subscribers${qs ? `?${qs}` : ''}`;
    };
    return pages.page(
      request,
      reply,
      'subscribers',
      {
        title: 'Subscribers',
        notice: extra.notice ?? '',
        filter: { q: filter.q, status: filter.status ?? '', source: filter.source ?? '' },
        statuses: SUBSCRIBER_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s], count: counts[s] })),
        sources: SUBSCRIBER_SOURCES.map((s) => ({ value: s, label: SOURCE_LABELS[s] })),
        total: Object.values(counts).reduce((a, n) => a + n, 0),
        items: result.items.map((s) => row(s, tz)),
        firstPage: result.page > 1 && result.items.length === 0 && result.total > 0 ? link(1) : null,
        found: result.total,
        page: result.page,
        pages: result.pages,
        prev: result.page > 1 ? link(result.page - 1) : null,
        next: result.page < result.pages ? link(result.page + 1) : null,
        form: extra.form ?? formView({ email: '', name: '', consentNote: '' }),
      },
      status,
    );
  };

  app.get<{ Querystring: ListQuery }>(
    '/subscribers',
    { config: { access }, schema: { querystring: listQuery } },
    async (request, reply) => {
      const notice = request.query.erased ? 'The subscriber and their data are erased.' : '';
      return listPage(request, reply, request.query, { notice });
    },
  );

  app.post<{ Body: { email?: string; name?: string; consentNote?: string } }>(
    '/subscribers',
    // Bounds far above the service's own (which name the field in the form's words), so the
    // schema never answers with its raw text.
    { config: { access }, schema: { body: formBody({ email: 100_000, name: 100_000, consentNote: 100_000 }) } },
    async (request, reply) => {
      const values = {
        email: request.body?.email ?? '',
        name: request.body?.name ?? '',
        consentNote: request.body?.consentNote ?? '',
      };
      let added: Subscriber;
      try {
        added = await subscribers.add(values);
      } catch (error) {
        if (error instanceof ValidationError)
          return listPage(request, reply, {}, { form: formView(values, error.fields) }, 400);
        if (
          error instanceof HearthError &&
          (error.code === 'HEARTH_ERR_SUBSCRIBER_EXISTS' || error.code === 'HEARTH_ERR_SUBSCRIBER_LEFT')
        )
          return listPage(request, reply, {}, { form: formView(values, { email: error.message }) }, 409);
        throw error;
      }
      const actor = actorOf(request);
      await services.audit.record({
        action: 'subscriber_added',
        actor,
        subject: `subscriber:${added.id}`,
        ip: request.ip,
        details: { consentNote: added.consentNote },
      });
      return reply.redirect(`/admin/subscribers/${added.id}?added=1`, 303);
    },
  );

  app.get('/subscribers/export.csv', { config: { access }, schema: {} }, async (request, reply) => {
    const csv = await subscribers.exportCsv();
    await services.audit.record({ action: 'subscribers_exported', actor: actorOf(request), ip: request.ip });
    return reply
      .header('content-disposition', 'attachment; filename="subscribers.csv"')
      .type('text/csv; charset=utf-8')
      .send(csv);
  });

  const importPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    form = formView({ mode: 'good-rows', consentNote: '' }),
    status = 200,
  ) => pages.page(request, reply, 'subscribers-import', { title: 'Import subscribers', form }, status);

  app.get('/subscribers/import', { config: { access }, schema: {} }, (request, reply) => importPage(request, reply));

  app.post<{ Body: { mode?: string; consentNote?: string } }>(
    '/subscribers/import',
    { config: { access }, schema: { body: formBody({ mode: 1000, consentNote: 100_000 }) } },
    async (request, reply) => {
      const mode = request.body?.mode ?? '';
      const consentNote = request.body?.consentNote ?? '';
      const values = { mode, consentNote };
      const file = uploadedFile(request.body, 'file', 'subscribers.csv');
      try {
        if (mode !== 'good-rows' && mode !== 'all-or-nothing')
          throw new ValidationError({ mode: 'Please choose what happens to bad rows.' });
        const sent = (request.body as Record<string, unknown> | undefined)?.file;
        if (!file && sent instanceof SavedFile && sent.filename !== '')
          throw new ValidationError({ file: 'The file is empty: it has no lines to import.' });
        if (!file) throw new ValidationError({ file: 'Please choose the CSV file to import.' });
        const bytes = await readFile(file.file);
        if (bytes.length > MAX_CSV_BYTES)
          throw new ValidationError({ file: 'The CSV file is larger than 10 MB: split it and import each part.' });
        let csv: string;
        try {
          csv = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        } catch {
          throw new ValidationError({ file: 'The CSV file is not UTF-8 text: save it as "CSV UTF-8" and try again.' });
        }
        const report = await subscribers.importCsv({ csv, mode: mode as ImportMode, consentNote });
        if (report.written)
          await services.audit.record({
            action: 'subscribers_imported',
            actor: actorOf(request),
            ip: request.ip,
            details: { added: report.added, updated: report.updated, skipped: report.skipped, mode },
          });
        return pages.page(request, reply, 'subscribers-import', {
          title: 'Import report',
          report,
          form: formView(values),
        });
      } catch (error) {
        if (error instanceof ValidationError) return importPage(request, reply, formView(values, error.fields), 400);
        if (error instanceof HearthError && error.status < 500)
          return importPage(request, reply, formView(values, { [error.field ?? 'file']: error.message }), error.status);
        throw error;
      }
    },
  );

  app.get<{ Params: { id: string }; Querystring: { added?: string } }>(
    '/subscribers/:id',
    {
      config: { access },
      schema: { params: idParams, querystring: { type: 'object', properties: { added: text(2) } } },
    },
    async (request, reply) => {
      const data = await subscribers.exportData(Number(request.params.id));
      return pages.page(request, reply, 'subscriber', {
        title: data.subscriber.email,
        notice: request.query.added ? 'The subscriber is added.' : '',
        subscriber: row(data.subscriber, await timezone()),
        categories: data.categories,
        newsletters: data.newsletters.length,
      });
    },
  );

  app.post<{ Params: { id: string } }>(
    '/subscribers/:id/export',
    { config: { access }, schema: { params: idParams, body: formBody({}) } },
    async (request, reply) => {
      const id = Number(request.params.id);
      const data = await subscribers.exportData(id);
      await services.audit.record({
        action: 'subscriber_exported',
        actor: actorOf(request),
        subject: `subscriber:${id}`,
        ip: request.ip,
      });
      return reply
        .header('content-disposition', `attachment; filename="subscriber-${id}.json"`)
        .type('application/json; charset=utf-8')
        .send(JSON.stringify(data, null, 2));
    },
  );

  // Erasing cannot be undone: a page says what goes, and its button (a form, no script) does it.
  app.get<{ Params: { id: string } }>(
    '/subscribers/:id/erase',
    { config: { access }, schema: { params: idParams } },
    async (request, reply) => {
      const data = await subscribers.exportData(Number(request.params.id));
      return pages.page(request, reply, 'subscriber-erase', {
        title: `Erase ${data.subscriber.email}?`,
        subscriber: row(data.subscriber, await timezone()),
        categories: data.categories.length,
        newsletters: data.newsletters.length,
      });
    },
  );

  app.post<{ Params: { id: string } }>(
    '/subscribers/:id/erase',
    { config: { access }, schema: { params: idParams, body: formBody({}) } },
    async (request, reply) => {
      const id = Number(request.params.id);
      await subscribers.erase(id);
      // The audit log names the row, never the address it no longer keeps.
      await services.audit.record({
        action: 'subscriber_erased',
        actor: actorOf(request),
        subject: `subscriber:${id}`,
        ip: request.ip,
      });
      return reply.redirect('/admin/subscribers?erased=1', 303);
    },
  );
}
