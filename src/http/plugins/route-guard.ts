import type { FastifyInstance, RouteOptions } from 'fastify';

/** Who may call a route. The admin's roles join this list with the writing issue. */
export type Access = 'public' | 'setup-token';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
}

/**
 * Routes fail closed: a route that does not declare who may call it (`config.access`) or
 * its input (`schema`) is refused at registration, so a forgotten check cannot ship.
 */
export function requireRouteDeclarations(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.method === 'HEAD' || (Array.isArray(route.method) && route.method.every((m) => m === 'HEAD'))) return;
    const config = route.config as { access?: Access } | undefined;
    if (!config?.access) throw new Error(`route ${String(route.method)} ${route.url} declares no access rule`);
    if (!route.schema) throw new Error(`route ${String(route.method)} ${route.url} declares no input schema`);
  });
}
