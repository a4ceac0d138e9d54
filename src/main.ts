import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { type Config, databaseOptions } from './config.js';
import { DEMO_MARKER, demoContent, demoInstalled, installDemo } from './domain/demo/index.js';
import { PublishScheduler } from './domain/editorial/index.js';
import { HearthError } from './errors.js';
import { trustProxyWarning } from './http/plugins/trust-proxy.js';
import { buildServer } from './http/server.js';
import { CdnPurge, PURGED_MAX_AGE } from './render/cdn-purge.js';
import { cacheTagsFor, PageCache } from './render/page-cache.js';
import { loadTheme, type Theme } from './render/theme/engine.js';
import { createServices, type ServiceOptions, type Services } from './services.js';
import { type Database, openDatabase } from './storage/index.js';

/** The built `hearth` command, from src/main.ts and dist/main.js alike (`npm install` builds dist/). */
const CLI_PATH = fileURLToPath(new URL('../dist/cli/bin.js', import.meta.url));
/** How often counted visits are written (each instance adds its own counts). */
const ANALYTICS_FLUSH_MS = 10_000;

export interface App {
  config: Config;
  database: Database;
  services: Services;
  theme: Theme;
  cache: PageCache;
  /** Tells the CDN what each write touched (HEARTH_PURGE_URL); subscribed to the change feed. */
  purge: CdnPurge | undefined;
  server: FastifyInstance;
  /** Publishes scheduled posts at their time; started here, stopped by `close`. */
  scheduler: PublishScheduler;
  /** The one-time owner setup URL, when the site has no owner yet. */
  setupUrl: string | undefined;
  close(): Promise<void>;
}

/** Checks that the data directory exists and can be written, before anything else opens. */
export function prepareDataDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
    const probe = path.join(dir, `.write-test-${process.pid}`);
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'not writable';
    throw new HearthError('HEARTH_ERR_DATA_DIR', { dir, reason }, { cause: error });
  }
}

/**
 * The composition root: config -> storage -> services -> HTTP. Migrates, installs the
 * demo on an empty site, and issues the owner setup link when there is no owner.
 *
 * @example
 *   const app = await createApp(loadConfig(process.env));
 *   await app.server.listen({ port: app.config.port, host: app.config.host });
 */
export async function createApp(
  config: Config,
  options: {
    now?: () => Date;
    /** Told of slow start-up steps (the demo's photos take seconds), for a person waiting. */
    progress?: (message: string) => void;
    pause?: ServiceOptions['pause'];
    /** How often the change counter in the database is checked for missed notifications (ms). */
    changeCheckMs?: number;
  } = {},
): Promise<App> {
  if (!config.databaseUrl || config.databaseUrl.startsWith('sqlite:')) prepareDataDir(config.dataDir);
  else fs.mkdirSync(config.dataDir, { recursive: true });
  const database = await openDatabase(databaseOptions(config));
  let listening: { stop(): Promise<void> } | undefined;
  try {
    await database.migrate();
    // Messages are sent while serving requests, once `server` exists.
    let server: FastifyInstance | undefined;
    const services = createServices(database, config, options.now, {
      ...(options.pause ? { pause: options.pause } : {}),
      mailLog: (entry) =>
        server?.log.info(
          { to: entry.to, subject: entry.subject, file: entry.file },
          `mail kept in the outbox:\n${entry.text}`,
        ),
      mailError: (err) => server?.log.error({ err }, 'a comment notification could not be sent'),
      backgroundError: (err) => server?.log.error({ err }, 'a book build went wrong'),
      relayError: (err, what) => server?.log.error({ err }, `${what} failed`),
    });
    // A missing bucket or refused credentials stop start-up here, not at the first photo.
    await services.mediaStore.check();
    if (config.demo && !(await isInstalled(database))) {
      options.progress?.('Installing the demo blog: posts, comments and photos (a few seconds)...');
      await installDemo({ db: database.db, ...services }, demoContent);
    }
    // A database from before related posts, or filled by other means: compute them once.
    if (await services.related.needsRebuild()) await rebuildRelatedOnce(services);
    const token = await services.setup.issueToken();
    const theme = loadTheme(config.themeDir);
    // A CDN or Varnish told what each write touched (HEARTH_PURGE_URL) may keep pages a day.
    const purge =
      config.purge &&
      new CdnPurge({ ...config.purge, onError: (err, tags) => server?.log.warn({ err, tags }, 'CDN purge failed') });
    const cache = new PageCache({
      enabled: config.pageCache,
      cdnMaxAge: purge ? PURGED_MAX_AGE : undefined,
      // With other instances: a change one made and died before announcing is shown after
      // five minutes at the latest.
      maxAgeMs: services.changeRelay ? 5 * 60_000 : undefined,
    });
    services.changes.subscribe((change) => cache.invalidate(cacheTagsFor(change)));
    // Other instances' changes (PostgreSQL): when one may have been missed, what it changed
    // is not known, so every kept page and setting is dropped.
    listening = services.changeRelay?.listen({
      onMissed: (reason) => {
        server?.log.warn(`dropping every cached page: ${reason}`);
        cache.clear();
        services.changes.receive({ kind: 'site' });
      },
      ...(options.changeCheckMs ? { checkEveryMs: options.changeCheckMs } : {}),
    });
    // The instance where a change was made purges it; a change from a process that does not
    // purge (the CLI) is purged by every instance that heard it.
    if (purge && services.changeRelay) services.changeRelay.purges = true;
    if (purge)
      services.changes.subscribe(
        (change, source, heard) => (source === 'here' || !heard?.purged) && purge.purge(cacheTagsFor(change)),
      );
    // Another process wrote (the CLI, a second server on the same file): what it changed
    // is not known, so every kept page and setting is dropped.
    const writtenElsewhere = database.writtenElsewhere;
    const noticeOutsideWrites =
      writtenElsewhere &&
      (() => {
        if (!writtenElsewhere()) return;
        cache.clear();
        services.changes.publish({ kind: 'site' });
      });
    server = await buildServer({
      config,
      services,
      theme,
      cache,
      mediaRoot: services.mediaStore.root ?? path.join(config.dataDir, 'media'),
      mediaStore: services.mediaStore,
      mediaPublicUrl: config.mediaPublicUrl,
      noticeOutsideWrites,
      pendingMigrations: () => database.pendingMigrations(),
      newerMigrations: () => database.newerMigrations(),
      // The admin's imports run the built CLI in a child process, on the same data folder and database.
      importRunner: {
        cliPath: CLI_PATH,
        dataDir: config.dataDir,
        env: {
          HEARTH_DATA_DIR: config.dataDir,
          ...(config.databaseUrl ? { HEARTH_DATABASE_URL: config.databaseUrl } : {}),
        },
      },
    });
    // With a CDN keeping pages, another process's writes (the CLI) are looked for every few
    // seconds, not only when a request comes through the CDN.
    const outsideWrites = purge && noticeOutsideWrites ? setInterval(noticeOutsideWrites, 5000).unref() : undefined;
    const proxyWarning = trustProxyWarning(config);
    if (proxyWarning) server.log.warn(proxyWarning);
    const stopForgetting = forgetAddressesHourly(services, server.log);
    const scheduler = new PublishScheduler({
      posts: services.posts,
      audit: services.audit,
      changes: services.changes,
      trash: services.trash,
      demo: services.demo,
      ...(options.now ? { now: options.now } : {}),
      onError: (error) => server?.log.error({ err: error }, 'scheduled publishing failed'),
    });
    scheduler.start();
    const flushAnalytics = async () => {
      try {
        await services.analytics.flush((await services.settings.get()).analyticsRetentionDays);
      } catch (error) {
        server?.log.error({ err: error }, 'writing analytics failed');
      }
    };
    const analyticsTimer = setInterval(flushAnalytics, ANALYTICS_FLUSH_MS).unref();
    // Book builds left queued or running when the server last stopped run again.
    await services.bookBuilds.resume();
    // Newsletters due, paused for a while, or left sending by a stopped process are sent.
    services.newsletters.start();
    return {
      config,
      database,
      services,
      theme,
      cache,
      purge,
      server,
      scheduler,
      setupUrl: token ? `${config.publicUrl}/setup/${token}` : undefined,
      async close() {
        stopForgetting();
        clearInterval(outsideWrites);
        await scheduler.stop();
        await services.bookBuilds.close();
        await services.newsletters.close();
        await services.subscribers.idle();
        await server?.close();
        clearInterval(analyticsTimer);
        await flushAnalytics();
        await listening?.stop();
        await services.commentNotifier.settled();
        await services.reviews.settled();
        await purge?.close();
        services.mailer.close();
        await database.close();
      },
    };
  } catch (error) {
    await listening?.stop().catch(() => {});
    await database.close().catch(() => {});
    throw error;
  }
}

/**
 * Commenters' hashed addresses are kept for `commentIpRetentionDays` only: forgotten at
 * start and then every hour. Returns the function that stops it.
 */
function forgetAddressesHourly(services: Services, log: { error(o: object, m: string): void }): () => void {
  const run = () => {
    services.comments
      .forgetOldAddresses()
      .catch((err: unknown) => log.error({ err }, 'forgetting old addresses failed'));
  };
  run();
  const timer = setInterval(run, 60 * 60 * 1000);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Related posts computed on one instance only: several starting together on a database
 * that needs them would each rebuild the same tables. The others start at once; the pages
 * they kept meanwhile are dropped when the rebuild is announced. A claim left by an
 * instance that died half-way is taken over after half an hour.
 */
async function rebuildRelatedOnce(services: Services): Promise<void> {
  const key = 'internal.related_rebuild';
  const claim = new Date().toISOString();
  const stale = (found: string) => Date.now() - Date.parse(found) > 30 * 60_000;
  if (!(await services.settings.claimInternal(key, claim, undefined, stale))) return;
  try {
    await services.related.rebuild();
  } finally {
    await services.settings.releaseInternal(key, claim);
  }
  services.changes.publish({ kind: 'site' });
}

/** Whether the blog has posts, or had the demo (a marker that says only "being installed" does not count). */
async function isInstalled(database: Database): Promise<boolean> {
  const post = await database.db.selectFrom('posts').select('id').limit(1).executeTakeFirst();
  const marker = await database.db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', DEMO_MARKER)
    .executeTakeFirst();
  return post !== undefined || demoInstalled(marker ? (JSON.parse(marker.value) as string) : undefined);
}
