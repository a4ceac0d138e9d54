import type { FastifyInstance } from 'fastify';
import { can } from '../../domain/accounts/index.js';
import { formatDateTime } from '../../render/dates.js';
import type { Services } from '../../services.js';
import type { Pages } from './pages.js';

/** The services this plugin uses. */
export type DashboardRoutesServices = Pick<Services, 'settings'> & { admin: Pick<Services['admin'], 'dashboard'> };

/** The dashboard: drafts, scheduled posts and comments waiting, with links to each. */
export async function dashboardRoutes(
  app: FastifyInstance,
  deps: { services: DashboardRoutesServices; pages: Pages },
): Promise<void> {
  const { services, pages } = deps;

  app.get('/', { config: { access: { capability: 'access_admin' } }, schema: {} }, async (request, reply) => {
    const user = request.session?.user;
    if (!user) throw new Error('dashboard: no signed-in user');
    const [summary, settings] = await Promise.all([
      services.admin.dashboard.summary({
        ...(can(user.role, 'edit_any') ? {} : { authorId: user.id }),
        withComments: can(user.role, 'moderate_comments'),
      }),
      services.settings.get(),
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
    });
  });
}
