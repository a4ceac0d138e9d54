import type { FastifyInstance, FastifyRequest } from 'fastify';
import { can, type SignedInUser } from '../../domain/accounts/index.js';
import type { AnalyticsReport } from '../../domain/analytics/index.js';
import type { Services } from '../../services.js';
import { formView, type Pages } from './pages.js';
import { formBody } from './schemas.js';

/** The services this plugin uses. */
export type AnalyticsRoutesServices = Pick<Services, 'analytics' | 'analyticsReads' | 'audit' | 'posts' | 'settings'>;

const RANGES = [7, 30, 90, 365] as const;
const rangeQuery = {
  type: 'object',
  properties: { days: { type: 'string', enum: RANGES.map(String) }, saved: { type: 'string', maxLength: 2 } },
} as const;

/** The chart's drawing box, in SVG units. */
const CHART = { width: 720, height: 180, top: 10, bottom: 24 };

/**
 * Visits to the blog (issue 20), for editors and above: a chart of views and visitors per
 * day drawn here as SVG (with the same numbers as a table), the most read pages, referring
 * sites, feed readers, a CSV of every count; the owner and administrators choose whether
 * visits are counted, whether DNT and Sec-GPC are honoured, and how long counts are kept.
 */
export async function analyticsRoutes(
  app: FastifyInstance,
  deps: { services: AnalyticsRoutesServices; pages: Pages },
): Promise<void> {
  const { services, pages } = deps;
  const me = (request: FastifyRequest) => request.session?.user as SignedInUser;

  const view = async (request: FastifyRequest, days: number, extra: Record<string, unknown> = {}) => {
    // Counts still in memory are written first, so the page shows every visit so far.
    const settings = await services.settings.get();
    await services.analytics.flush(settings.analyticsRetentionDays);
    const [report, signups] = await Promise.all([
      services.analyticsReads.report(days),
      services.analyticsReads.signups(days),
    ]);
    return {
      signups,
      title: 'Analytics',
      days,
      ranges: RANGES.map((n) => ({ n, current: n === days })),
      report,
      chart: chart(report),
      titles: await titlesOf(services, report),
      canConfigure: can(me(request).role, 'manage_settings'),
      form: formView({
        enabled: settings.analyticsEnabled ? 'on' : '',
        honourDnt: settings.analyticsHonourDnt ? 'on' : '',
        retentionDays: String(settings.analyticsRetentionDays),
      }),
      ...extra,
    };
  };

  app.get<{ Querystring: { days?: string; saved?: string } }>(
    '/analytics',
    { config: { access: { capability: 'view_analytics' } }, schema: { querystring: rangeQuery } },
    async (request, reply) => {
      const days = Number(request.query.days ?? 30);
      const notice = request.query.saved ? 'The analytics settings are saved.' : '';
      return pages.page(request, reply, 'analytics', await view(request, days, { notice }));
    },
  );

  app.get<{ Querystring: { days?: string } }>(
    '/analytics.csv',
    { config: { access: { capability: 'view_analytics' } }, schema: { querystring: rangeQuery } },
    async (request, reply) => {
      const days = Number(request.query.days ?? 30);
      await services.analytics.flush((await services.settings.get()).analyticsRetentionDays);
      const { to } = services.analyticsReads.range(days);
      return reply
        .header('content-disposition', `attachment; filename="analytics-${days}-days-to-${to}.csv"`)
        .header('cache-control', 'private, no-store')
        .type('text/csv; charset=utf-8')
        .send(await services.analyticsReads.csv(days));
    },
  );

  app.post<{ Body: { enabled?: string; honourDnt?: string; retentionDays?: string } }>(
    '/analytics/settings',
    {
      config: { access: { capability: 'manage_settings' } },
      schema: { body: formBody({ enabled: 10, honourDnt: 10, retentionDays: 20 }) },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      const retention = Number(body.retentionDays);
      if (!/^\d+$/.test(body.retentionDays ?? '') || retention < 30 || retention > 3650) {
        return pages.page(
          request,
          reply,
          'analytics',
          {
            ...(await view(request, 30)),
            form: formView(
              { enabled: body.enabled ?? '', honourDnt: body.honourDnt ?? '', retentionDays: body.retentionDays ?? '' },
              { retentionDays: 'Keep counts from 30 to 3650 days.' },
            ),
          },
          400,
        );
      }
      const values = {
        analyticsEnabled: body.enabled === 'on',
        analyticsHonourDnt: body.honourDnt === 'on',
        analyticsRetentionDays: retention,
      };
      await services.settings.update(values);
      const user = me(request);
      await services.audit.record({
        action: 'settings_changed',
        actor: { id: user.id, email: user.email },
        subject: 'analytics',
        ip: request.ip,
        details: values,
      });
      return reply.redirect('/admin/analytics?saved=1', 303);
    },
  );
}

/** Bars for views and a line for visitors, scaled to the busiest day. */
function chart(report: AnalyticsReport) {
  const { width, height, top, bottom } = CHART;
  const plot = height - top - bottom;
  const most = Math.max(1, ...report.days.map((d) => d.views));
  const step = width / report.days.length;
  const y = (v: number) => top + plot - (v / most) * plot;
  const bars = report.days.map((d, i) => ({
    x: (i * step + step * 0.15).toFixed(1),
    y: y(d.views).toFixed(1),
    width: Math.max(1, step * 0.7).toFixed(1),
    height: ((d.views / most) * plot).toFixed(1),
    label: `${d.day}: ${d.views} views, ${d.visitors} visitors`,
  }));
  const line = report.days.map((d, i) => `${(i * step + step / 2).toFixed(1)},${y(d.visitors).toFixed(1)}`).join(' ');
  const ticks = [0, Math.floor((report.days.length - 1) / 2), report.days.length - 1]
    .filter((v, i, all) => all.indexOf(v) === i)
    .map((i) => ({ x: (i * step + step / 2).toFixed(1), label: report.days[i]?.day.slice(5) ?? '' }));
  return { width, height, bars, line, ticks, most, baseline: (top + plot).toFixed(1), labelY: height - 6 };
}

/** Post titles for the paths read most ("/slug/"), by path. */
async function titlesOf(services: AnalyticsRoutesServices, report: AnalyticsReport): Promise<Record<string, string>> {
  const slugs = new Map<string, string>();
  for (const { path } of report.pages) {
    const slug = /^\/([^/]+)\/$/.exec(path)?.[1];
    if (!slug) continue;
    try {
      slugs.set(decodeURIComponent(slug), path);
    } catch {
      // Not a post's address.
    }
  }
  const ids = await services.posts.idsBySlug([...slugs.keys()]);
  const posts = await services.posts.slugsAndTitles([...ids.values()]);
  const titles: Record<string, string> = {};
  for (const { slug, title } of posts.values()) {
    const path = slugs.get(slug);
    if (path) titles[path] = title;
  }
  return titles;
}
