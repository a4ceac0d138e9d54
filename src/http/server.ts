import fs from 'node:fs';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyStatic, { type FastifyStaticOptions } from '@fastify/static';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import sharp from 'sharp';
import type { Config } from '../config.js';
import { HearthError } from '../errors.js';
import type { PageCache } from '../render/page-cache.js';
import type { Theme } from '../render/theme/engine.js';
import type { MediaStore } from '../storage/index.js';
import type { ImportRunner } from './admin/imports.js';
import { type AdminServices, adminRoutes } from './admin/index.js';
import { setupRoutes } from './admin/setup.js';
import { adminAssetsDir, adminBuildDir } from './admin/views.js';
import { type ApiServices, apiRoutes } from './api/index.js';
import { mediaRoutes } from './media.js';
import { defaultCacheControl } from './plugins/cache-headers.js';
import { precompressedCopy, pruneStaticCache } from './plugins/precompressed.js';
import { requireRouteDeclarations } from './plugins/route-guard.js';
import { addSecurityHeaders } from './plugins/security-headers.js';
import { fastifyTrustProxy } from './plugins/trust-proxy.js';
import { countVisits } from './site/analytics.js';
import { commentRoutes } from './site/comments.js';
import type { SiteServices } from './site/context.js';
import { registerSiteErrors } from './site/errors.js';
import { feedRoutes } from './site/feeds.js';
import { mailEventRoutes } from './site/mail-events.js';
import { previewRoutes } from './site/preview.js';
import { siteRoutes } from './site/routes.js';
import { searchRoutes } from './site/search.js';
import { shareRoutes } from './site/share.js';
import { sitemapRoutes } from './site/sitemap.js';
import { subscriptionRoutes } from './site/subscriptions.js';
import { unsubscribeRoutes } from './site/unsubscribe.js';

export interface ServerDeps {
  config: Config;
  /** What the site, the admin and the API use (see each plugin's own type). */
  services: SiteServices & AdminServices & ApiServices;
  theme: Theme;
  cache: PageCache;
  mediaRoot: string;
  /** Where media live when not in `mediaRoot` (an S3-compatible bucket), and where to redirect /media/ to. */
  mediaStore?: MediaStore | undefined;
  mediaPublicUrl?: string | undefined;
  /** Called before each request: drops what is kept when another process has written. */
  noticeOutsideWrites?: (() => void) | undefined;
  /** How the admin's import page runs `hearth import` (absent: no import page). */
  importRunner?: ImportRunner | undefined;
  /** The migrations of this code the database has not run; throws when it does not answer (`/readyz`). */
  pendingMigrations: () => Promise<string[]>;
  /** Migrations the database records that this code does not know (a newer Hearth ran them). */
  newerMigrations?: () => Promise<string[]>;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** fastify-static options for files cached for a year (`preCompressed`: .br and .gz beside them). */
function immutableFiles(
  root: string,
  prefix: string,
  decorateReply: boolean,
  preCompressed = false,
): FastifyStaticOptions {
  return {
    root,
    prefix,
    decorateReply,
    preCompressed,
    cacheControl: false,
    setHeaders: (res) => {
      res.header('cache-control', IMMUTABLE);
      res.header('x-content-type-options', 'nosniff');
    },
  };
}

/**
 * Builds the HTTP server without listening: `main.ts` listens, tests call `inject()`.
 * The public site (with the first-run setup), the admin and the API are encapsulated
 * plugins; assets and media are static files with long-lived caching (their names or
 * URLs change with content).
 */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.config.logLevel === 'silent' ? false : { level: deps.config.logLevel },
    trustProxy: fastifyTrustProxy(deps.config.trustProxy),
    bodyLimit: 256 * 1024,
    // One log line per request costs more than serving a cached page; on at debug level.
    logController: new LogController({
      disableRequestLogging: deps.config.logLevel !== 'debug' && deps.config.logLevel !== 'trace',
    }),
    routerOptions: { maxParamLength: 200 },
  });
  const notice = deps.noticeOutsideWrites;
  if (notice) {
    app.addHook('onRequest', (_request, _reply, done) => {
      notice();
      done();
    });
  }
  await app.register(fastifyFormbody);
  await app.register(fastifyCookie);
  addSecurityHeaders(app);

  // Theme assets, media and the admin's assets: names or URLs change with their content.
  // The text assets are sent compressed, as pages are, from copies compressed at start;
  // the theme's asset URLs are versioned by the bytes copied. Without a writable cache
  // folder the sources are served uncompressed.
  const compressed = path.join(deps.config.dataDir, 'cache', 'static');
  const themeAssets = await precompressedCopy(deps.theme.assetsDir, compressed);
  const adminAssets = await precompressedCopy(adminAssetsDir, compressed);
  // The editor's bundle (built by `npm run build`); without it the editor is a plain form.
  const adminBuild = fs.existsSync(adminBuildDir) ? await precompressedCopy(adminBuildDir, compressed) : undefined;
  deps.theme.useAssetVersions(themeAssets.versions);
  const unwritable = themeAssets.error ?? adminAssets.error ?? adminBuild?.error;
  if (unwritable) {
    app.log.warn({ err: unwritable, folder: compressed }, 'static asset cache not writable: assets sent uncompressed');
  } else {
    await pruneStaticCache(compressed, [themeAssets.root, adminAssets.root, ...(adminBuild ? [adminBuild.root] : [])]);
  }
  await app.register(fastifyStatic, immutableFiles(themeAssets.root, '/assets/', true, themeAssets.compressed));
  if (deps.mediaStore && (deps.mediaStore.root === undefined || deps.mediaPublicUrl)) {
    await app.register(mediaRoutes, {
      store: deps.mediaStore,
      publicUrl: deps.mediaPublicUrl,
      cacheControl: IMMUTABLE,
    });
  } else {
    await app.register(fastifyStatic, immutableFiles(deps.mediaRoot, '/media/', false));
  }
  await app.register(fastifyStatic, immutableFiles(adminAssets.root, '/admin/assets/', false, adminAssets.compressed));
  if (adminBuild) {
    await app.register(fastifyStatic, immutableFiles(adminBuild.root, '/admin/build/', false, adminBuild.compressed));
  }

  const favicon = await sharp(path.join(deps.theme.assetsDir, 'favicon.svg')).resize(48, 48).png().toBuffer();

  const robots = `User-agent: *\nAllow: /\nDisallow: /setup/\nDisallow: /admin/\n\nSitemap: ${deps.config.publicUrl}/sitemap.xml\n`;
  await app.register(async (site) => {
    requireRouteDeclarations(site);
    defaultCacheControl(site);
    registerSiteErrors(site, deps);
    if (deps.config.analytics) countVisits(deps.cache, deps.services);
    site.get('/robots.txt', { config: { access: 'public' }, schema: {} }, async (_request, reply) =>
      reply.type('text/plain; charset=utf-8').header('cache-control', 'public, max-age=3600').send(robots),
    );
    // For a load balancer: the process answers (`/healthz`), and the database answers with
    // every migration of this code run (`/readyz`, 503 otherwise). Never cached.
    site.get('/healthz', { config: { access: 'public' }, schema: {} }, async (_request, reply) =>
      reply.type('text/plain; charset=utf-8').header('cache-control', 'no-store').send('ok\n'),
    );
    site.get('/readyz', { config: { access: 'public' }, schema: {} }, async (request, reply) => {
      reply.header('cache-control', 'no-store');
      let pending: string[];
      let newer: string[];
      try {
        pending = await deps.pendingMigrations();
        newer = (await deps.newerMigrations?.()) ?? [];
      } catch (error) {
        request.log.warn({ err: error }, 'readiness: the database does not answer');
        return reply.code(503).send({ ready: false, database: 'unreachable' });
      }
      // An older instance on a schema a newer Hearth migrated: the load balancer should not send to it.
      if (newer.length > 0) {
        const message = new HearthError('HEARTH_ERR_SCHEMA_NEWER', { migrations: newer.join(', ') }).message;
        return reply.code(503).send({ ready: false, database: 'ok', newerMigrations: newer, message });
      }
      if (pending.length > 0) return reply.code(503).send({ ready: false, database: 'ok', pendingMigrations: pending });
      return reply.send({ ready: true, database: 'ok', migrations: 'current' });
    });
    site.get('/favicon.ico', { config: { access: 'public' }, schema: {} }, async (_request, reply) =>
      reply.type('image/png').header('cache-control', 'public, max-age=86400').send(favicon),
    );
    await site.register(feedRoutes, deps);
    await site.register(sitemapRoutes, deps);
    await site.register(searchRoutes, deps);
    await site.register(shareRoutes, deps);
    await site.register(commentRoutes, deps);
    await site.register(previewRoutes, deps);
    await site.register(unsubscribeRoutes, deps);
    await site.register(subscriptionRoutes, deps);
    await site.register(mailEventRoutes, deps);
    await site.register(siteRoutes, deps);
    await site.register(setupRoutes, deps);
  });
  await app.register(adminRoutes, {
    prefix: '/admin',
    services: deps.services,
    uploadMaxBytes: deps.config.mediaMaxBytes,
    importRunner: deps.importRunner,
    publicUrl: deps.config.publicUrl,
  });
  await app.register(apiRoutes, { prefix: '/api', services: deps.services });
  return app;
}
