import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Config, databaseOptions } from './config.js';
import { type Accounts, createAccounts } from './domain/accounts/index.js';
import { AuditLog } from './domain/audit/index.js';
import { SetupService } from './domain/auth/index.js';
import { ChangeFeed } from './domain/changes.js';
import { CommentFeedService, CommentModeration, CommentNotifier, CommentService } from './domain/comments/index.js';
import { DashboardReads } from './domain/dashboard/index.js';
import { demoContent, installDemo } from './domain/demo/index.js';
import { EditorialService, PublishScheduler } from './domain/editorial/index.js';
import { FeedService } from './domain/feeds/index.js';
import { createMailer, type Mailer, type MailerOptions } from './domain/mail/index.js';
import { MediaService } from './domain/media/index.js';
import { PostService } from './domain/posts/index.js';
import { RelatedService } from './domain/related/index.js';
import { SearchService } from './domain/search/index.js';
import { SettingsEditor, SettingsService } from './domain/settings/index.js';
import { SitemapService } from './domain/sitemap/index.js';
import { TaxonomyAdmin, TaxonomyService } from './domain/taxonomy/index.js';
import { ProfileService, UserService } from './domain/users/index.js';
import { HearthError } from './errors.js';
import { buildServer } from './http/server.js';
import { createMarkdownRenderer } from './render/markdown/index.js';
import { cacheTagsFor, PageCache } from './render/page-cache.js';
import { loadTheme, type Theme } from './render/theme/engine.js';
import { createDiskMediaStore, type Database, openDatabase } from './storage/index.js';

/** Everything the faces (HTTP, CLI) may call: the domain's public doors. */
export interface Services {
  settings: SettingsService;
  users: UserService;
  setup: SetupService;
  taxonomy: TaxonomyService;
  media: MediaService;
  posts: PostService;
  /** Writing posts: the admin's list, saves with publishing rules, revisions, previews. */
  editorial: EditorialService;
  comments: CommentService;
  moderation: CommentModeration;
  commentNotifier: CommentNotifier;
  commentFeeds: CommentFeedService;
  feeds: FeedService;
  search: SearchService;
  related: RelatedService;
  sitemap: SitemapService;
  changes: ChangeFeed;
  accounts: Accounts;
  audit: AuditLog;
  mailer: Mailer;
  /** The admin's settings, taxonomy, profile and dashboard (issue 4). */
  admin: {
    settings: SettingsEditor;
    taxonomy: TaxonomyAdmin;
    profile: ProfileService;
    dashboard: DashboardReads;
  };
}

/** What the services may be given besides the database, the configuration and a clock. */
export interface ServiceOptions {
  /** Told of each message kept in the outbox when no SMTP server is set. */
  mailLog?: MailerOptions['log'];
  /** Told of a comment notification that could not be sent (the comment is kept). */
  mailError?: (error: unknown) => void;
}

export interface App {
  config: Config;
  database: Database;
  services: Services;
  theme: Theme;
  cache: PageCache;
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

/** Builds the services on an open database. */
export function createServices(
  database: Database,
  config: Config,
  now?: () => Date,
  options: ServiceOptions = {},
): Services {
  const db = database.db;
  const changes = new ChangeFeed();
  const search = new SearchService({ database, ...(now ? { now } : {}) });
  // Kept in memory where this process hears of every change: its own writes, and other
  // processes' where the database tells (SQLite); otherwise only with the page cache on.
  const keep = config.pageCache || database.writtenElsewhere !== undefined;
  const settings = new SettingsService(db, changes, { keep });
  const users = new UserService(db);
  const taxonomy = new TaxonomyService(db, changes, { keep });
  const media = new MediaService({
    db,
    store: createDiskMediaStore(path.join(config.dataDir, 'media')),
    changes,
    limits: { maxBytes: config.mediaMaxBytes, maxPixels: config.mediaMaxPixels },
    ...(now ? { now } : {}),
  });
  const related = new RelatedService({ db, changes });
  const posts = new PostService({
    db,
    markdown: createMarkdownRenderer(),
    media,
    taxonomy,
    changes,
    search,
    related,
    ...(now ? { now } : {}),
  });
  // The site secret: made on first use, then read once per process.
  let secretValue: Promise<string> | undefined;
  const secret = () => {
    secretValue ??= settings.getOrCreateInternal('internal.secret', () => randomBytes(32).toString('base64url'));
    return secretValue;
  };
  const mailer = createMailer({
    smtpUrl: config.smtpUrl,
    from: config.mailFrom,
    outboxDir: path.join(config.dataDir, 'outbox'),
    ...(options.mailLog ? { log: options.mailLog } : {}),
  });
  const commentNotifier = new CommentNotifier({
    db,
    mailer,
    secret,
    publicUrl: config.publicUrl,
    siteTitle: async () => (await settings.get()).title,
    onError: options.mailError ?? ((error) => console.error('comment notification failed', error)),
  });
  const comments = new CommentService({
    db,
    secret,
    settings,
    changes,
    publicUrl: config.publicUrl,
    notifier: commentNotifier,
    ...(now ? { now } : {}),
  });
  const moderation = new CommentModeration({
    db,
    changes,
    settings,
    notifier: commentNotifier,
    ...(now ? { now } : {}),
  });
  const setup = new SetupService({ db, users, settings });
  const clock = now ? { now } : {};
  const feeds = new FeedService({ db, settings, taxonomy, users, publicUrl: config.publicUrl, ...clock });
  const sitemap = new SitemapService({ db, publicUrl: config.publicUrl, ...clock });
  const audit = new AuditLog({ db, ...clock });
  const accounts = createAccounts({
    db,
    users,
    mailer,
    audit,
    secret,
    siteTitle: async () => (await settings.get()).title,
    publicUrl: config.publicUrl,
    ...clock,
  });
  const commentFeeds = new CommentFeedService({ db, settings, publicUrl: config.publicUrl, ...clock });
  const editorial = new EditorialService({ db, posts, media, audit, changes, secret, ...clock });
  return {
    settings,
    users,
    setup,
    taxonomy,
    media,
    posts,
    editorial,
    comments,
    moderation,
    commentNotifier,
    commentFeeds,
    feeds,
    sitemap,
    search,
    related,
    changes,
    accounts,
    audit,
    mailer,
    admin: {
      settings: new SettingsEditor({ db, settings, media, audit, changes }),
      taxonomy: new TaxonomyAdmin({ db, changes, audit, search, related, ...clock }),
      profile: new ProfileService({ db, media, audit, changes }),
      dashboard: new DashboardReads({ db, ...clock }),
    },
  };
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
  } = {},
): Promise<App> {
  if (!config.databaseUrl || config.databaseUrl.startsWith('sqlite:')) prepareDataDir(config.dataDir);
  else fs.mkdirSync(config.dataDir, { recursive: true });
  const database = await openDatabase(databaseOptions(config));
  try {
    await database.migrate();
    // Messages are sent while serving requests, once `server` exists.
    let server: FastifyInstance | undefined;
    const services = createServices(database, config, options.now, {
      mailLog: (entry) =>
        server?.log.info(
          { to: entry.to, subject: entry.subject, file: entry.file },
          `mail kept in the outbox:\n${entry.text}`,
        ),
      mailError: (err) => server?.log.error({ err }, 'a comment notification could not be sent'),
    });
    if (config.demo && !(await isInstalled(database))) {
      options.progress?.('Installing the demo blog: posts, comments and photos (a few seconds)...');
      await installDemo({ db: database.db, ...services }, demoContent);
    }
    // A database from before related posts, or filled by other means: compute them once.
    if (await services.related.needsRebuild()) await services.related.rebuild();
    const token = await services.setup.issueToken();
    const theme = loadTheme(config.themeDir);
    const cache = new PageCache({ enabled: config.pageCache });
    services.changes.subscribe((change) => cache.invalidate(cacheTagsFor(change)));
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
      mediaRoot: path.join(config.dataDir, 'media'),
      noticeOutsideWrites,
    });
    const stopForgetting = forgetAddressesHourly(services, server.log);
    const scheduler = new PublishScheduler({
      posts: services.posts,
      audit: services.audit,
      changes: services.changes,
      ...(options.now ? { now: options.now } : {}),
      onError: (error) => server?.log.error({ err: error }, 'scheduled publishing failed'),
    });
    scheduler.start();
    return {
      config,
      database,
      services,
      theme,
      cache,
      server,
      scheduler,
      setupUrl: token ? `${config.publicUrl}/setup/${token}` : undefined,
      async close() {
        stopForgetting();
        await scheduler.stop();
        await server?.close();
        await services.commentNotifier.settled();
        services.mailer.close();
        await database.close();
      },
    };
  } catch (error) {
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

async function isInstalled(database: Database): Promise<boolean> {
  const post = await database.db.selectFrom('posts').select('id').limit(1).executeTakeFirst();
  const marker = await database.db
    .selectFrom('settings')
    .select('key')
    .where('key', '=', 'internal.demo_installed')
    .executeTakeFirst();
  return post !== undefined || marker !== undefined;
}
