import type { FastifyInstance } from 'fastify';
import { can } from '../../domain/accounts/index.js';
import { formatDateTime } from '../../render/dates.js';
import type { Services } from '../../services.js';
import type { Pages } from './pages.js';

/** The services this plugin uses. */
export type DashboardRoutesServices = Pick<Services, 'settings' | 'demo'> & {
  admin: Pick<Services['admin'], 'dashboard'>;
};

/** The dashboard: drafts, scheduled posts and comments waiting, with links to each. */
export async function dashboardRoutes(
  app: FastifyInstance,
  deps: { services: DashboardRoutesServices; pages: Pages },
): Promise<void> {
  const { services, pages } = deps;

  const query = { type: 'object', properties: { demo: { type: 'string', maxLength: 20 } } } as const;
  app.get(
    '/',
    { config: { access: { capability: 'access_admin' } }, schema: { querystring: query } },
    async (request, reply) => {
      const user = request.session?.user;
      if (!user) throw new Error('dashboard: no signed-in user');
      const [summary, settings, demo] = await Promise.all([
        services.admin.dashboard.summary({
          ...(can(user.role, 'edit_any') ? {} : { authorId: user.id }),
          withComments: can(user.role, 'moderate_comments'),
        }),
        services.settings.get(),
        can(user.role, 'manage_settings') ? services.demo.state() : undefined,
      ]);
      const when = (iso: string) => (iso ? formatDateTime(iso, settings.timezone, 'en-US', settings.dateFormat) : '');
      const withTime = <T extends { at: string }>(items: T[]) => items.map((i) => ({ ...i, when: when(i.at) }));
      return pages.page(request, reply, 'dashboard', {
        title: 'Dashboard',
        timezone: settings.timezone,
        drafts: { count: summary.drafts.count, items: withTime(summary.drafts.items) },
        scheduled: { count: summary.scheduled.count, items: withTime(summary.scheduled.items) },
        pending: { count: summary.pending.count, items: withTime(summary.pending.items) },
        moderates: can(user.role, 'moderate_comments'),
        // Offered while the demo blog is there (issue 18).
        demoInstalled: demo === 'installed',
        demoRemoved: (request.query as { demo?: string }).demo === 'removed',
      });
    },
  );
}
