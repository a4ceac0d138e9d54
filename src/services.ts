import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';
import { createMarkdownRenderer } from './content/markdown/index.js';
import { type Accounts, createAccounts } from './domain/accounts/index.js';
import { Analytics, AnalyticsReads } from './domain/analytics/index.js';
import { AuditLog } from './domain/audit/index.js';
import { SetupService } from './domain/auth/index.js';
import { type BookBuilder, BookBuilds, BookService, buildEpub, buildPdf, type PageSize } from './domain/books/index.js';
import { ChangeFeed, ChangeRelay } from './domain/changes.js';
import { CommentFeedService, CommentModeration, CommentNotifier, CommentService } from './domain/comments/index.js';
import { DashboardReads } from './domain/dashboard/index.js';
import { DemoRemoval, demoContent } from './domain/demo/index.js';
import { EditorialService, ReviewService, Trash, UserRemoval } from './domain/editorial/index.js';
import { FeedService } from './domain/feeds/index.js';
import { createMailer, type Mailer, type MailerOptions } from './domain/mail/index.js';
import { MediaService } from './domain/media/index.js';
import { NewsletterService } from './domain/newsletters/index.js';
import { ArchiveService, ImportJobs, ImportWriter } from './domain/portability/index.js';
import { PostService } from './domain/posts/index.js';
import { RelatedService } from './domain/related/index.js';
import { SearchService } from './domain/search/index.js';
import { SettingsEditor, SettingsService } from './domain/settings/index.js';
import { SitemapService } from './domain/sitemap/index.js';
import { SubscriberService } from './domain/subscribers/index.js';
import { TaxonomyAdmin, TaxonomyService } from './domain/taxonomy/index.js';
import { ProfileService, UserService } from './domain/users/index.js';
import { hearthVersion } from './shared/version.js';
import { createDiskMediaStore, createS3MediaStore, type Database, type MediaStore } from './storage/index.js';

/** Everything the faces (HTTP, CLI) may call: the domain's public doors. */
export interface Services {
  settings: SettingsService;
  users: UserService;
  setup: SetupService;
  taxonomy: TaxonomyService;
  media: MediaService;
  /**
   * Where media files are kept (disk or an S3-compatible bucket): served at /media/; also
   * keeps files drawn once for every instance (sharing cards, book covers).
   */
  mediaStore: MediaStore;
  posts: PostService;
  /** Books made from posts: their fields, authors, parts and chapters (issue 17). */
  books: BookService;
  bookBuilds: BookBuilds;
  /** Writing posts: the admin's list, saves with publishing rules, revisions, previews. */
  editorial: EditorialService;
  /** The guest writer's review: submissions, review notes and their email (issue 18). */
  reviews: ReviewService;
  /** Posts and pages in the trash: restore, delete forever, the purge after 30 days (issue 18). */
  trash: Trash;
  /** Removing a user, their posts given to someone or trashed (issue 18). */
  userRemoval: UserRemoval;
  /** Removing the demo blog, from the dashboard or the setup page (issue 18). */
  demo: DemoRemoval;
  comments: CommentService;
  moderation: CommentModeration;
  commentNotifier: CommentNotifier;
  commentFeeds: CommentFeedService;
  feeds: FeedService;
  search: SearchService;
  related: RelatedService;
  /** Imports from WordPress, Ghost and Markdown folders: one transaction per run, idempotent. */
  imports: ImportWriter;
  /** The admin's import jobs, in the database so that every instance sees them (issue 19). */
  importJobs: ImportJobs;
  sitemap: SitemapService;
  changes: ChangeFeed;
  /** Carries `changes` to the other instances on the same database (PostgreSQL); undefined on SQLite. */
  changeRelay: ChangeRelay | undefined;
  accounts: Accounts;
  audit: AuditLog;
  /** Visits counted without cookies or personal data (issue 20), written every few seconds. */
  analytics: Analytics;
  analyticsReads: AnalyticsReads;
  subscribers: SubscriberService;
  mailer: Mailer;
  /** Newsletters: a post's send and the weekly digest, a rate-limited resumable job (issue 20). */
  newsletters: NewsletterService;
  /** The full export (and the restore the CLI runs). */
  archive: ArchiveService;
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
  /** Told of what went wrong in background work (book builds), to log it. */
  backgroundError?: (error: unknown) => void;
  /** Told when a change could not be announced to other instances, or their changes not heard. */
  relayError?: (error: unknown, what: string) => void;
  /** How a failed sign-in waits before its answer (a timer unless given; tests record). */
  pause?: (ms: number) => Promise<void>;
}

/** The media store the configuration names: `<dataDir>/media` or an S3-compatible bucket. */
export function mediaStoreFor(config: Pick<Config, 'dataDir' | 'media'>): MediaStore {
  const { media } = config;
  if (media.kind === 'disk') return createDiskMediaStore(path.join(config.dataDir, 'media'));
  return createS3MediaStore(media);
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
  // On PostgreSQL every process that writes (servers and the CLI) announces its changes.
  const changeRelay = database.notifications
    ? new ChangeRelay({
        feed: changes,
        channel: database.notifications,
        onError: options.relayError ?? ((error, what) => console.error(`${what} failed`, error)),
      })
    : undefined;
  changeRelay?.sendOwn();
  const search = new SearchService({ database, ...(now ? { now } : {}) });
  // Kept in memory where this process hears of every change: its own writes, and other
  // processes' where the database tells (SQLite); otherwise only with the page cache on.
  const keep = config.pageCache || database.writtenElsewhere !== undefined;
  const settings = new SettingsService(db, changes, { keep });
  const users = new UserService(db);
  const taxonomy = new TaxonomyService(db, changes, { keep });
  const store = mediaStoreFor(config);
  const media = new MediaService({
    db,
    store,
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
  // A photo's new alt text or caption reaches the stored HTML of the posts that show it.
  media.useRerender((ids, tx) => posts.rerender(ids, tx));
  const books = new BookService({ db, markdown: createMarkdownRenderer(), media, changes, ...(now ? { now } : {}) });
  const buildDeps = { books, media, publicUrl: config.publicUrl, ...(now ? { now } : {}) };
  const epub: BookBuilder = (id, file, o) => buildEpub(buildDeps, id, file, o);
  const pdf: BookBuilder = (id, file, { pageSize, ...o }) =>
    buildPdf({ ...buildDeps, chromiumPath: config.chromiumPath }, id, file, {
      ...o,
      ...(pageSize ? { pageSize: pageSize as PageSize } : {}),
    });
  const bookBuilds = new BookBuilds({
    db,
    books,
    dir: path.join(config.dataDir, 'books'),
    // Media in a bucket: built books go there too, for every instance to offer.
    shared: store.root === undefined ? store : undefined,
    // The PDF needs Chromium: without it the admin says so, a PDF build fails saying so, and
    // the EPUB still builds.
    builders: { epub, pdf },
    available: { pdf: () => fs.existsSync(config.chromiumPath) },
    ...(options.backgroundError ? { onError: options.backgroundError } : {}),
    context: config.publicUrl,
    onBuilt: (bookId) => changes.publish({ kind: 'book', bookId }),
    ...(now ? { now } : {}),
  });
  // Built books follow their posts: after a change, a book whose file no longer matches is built again.
  // Only the instance where the change was made starts the rebuild.
  changes.subscribe((change, source) => source === 'here' && bookBuilds.changed(change));
  const imports = new ImportWriter({ db, posts, media, related, changes, ...(now ? { now } : {}) });
  // SQLite takes no other write while an import's transaction holds the file.
  const importJobs = new ImportJobs({ db, liveWrites: database.dialect !== 'sqlite', ...(now ? { now } : {}) });
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
    ...(options.pause ? { pause: options.pause } : {}),
  });
  const commentFeeds = new CommentFeedService({ db, settings, publicUrl: config.publicUrl, ...clock });
  const reviews = new ReviewService({
    db,
    audit,
    mailer,
    publicUrl: config.publicUrl,
    siteTitle: async () => (await settings.get()).title,
    onError: options.mailError ?? ((error) => console.error('review notification failed', error)),
    ...clock,
  });
  const editorial = new EditorialService({ db, posts, media, audit, changes, secret, reviews, ...clock });
  const trash = new Trash({ db, audit, changes, search, related, ...clock });
  const newsletters = new NewsletterService({
    db,
    settings,
    publicUrl: config.publicUrl,
    from: config.mailFrom,
    smtpUrl: config.smtpUrl,
    mailer,
    posts,
    ratePerMinute: config.newsletterRate,
    timezone: config.timezone,
    staleAfterMs: config.jobStaleMs,
    ...(options.backgroundError ? { onError: options.backgroundError } : {}),
    ...clock,
  });
  return {
    settings,
    users,
    setup,
    taxonomy,
    media,
    mediaStore: store,
    posts,
    books,
    bookBuilds,
    editorial,
    reviews,
    trash,
    userRemoval: new UserRemoval({ db, trash, audit, changes }),
    demo: new DemoRemoval({ db, settings, media, trash, audit, changes, ...clock }, demoContent),
    comments,
    moderation,
    commentNotifier,
    commentFeeds,
    feeds,
    sitemap,
    search,
    related,
    imports,
    importJobs,
    changes,
    changeRelay,
    accounts,
    audit,
    mailer,
    newsletters,
    archive: new ArchiveService({ database, store, hearthVersion }),
    analytics: new Analytics({ db, ...clock }),
    analyticsReads: new AnalyticsReads({ db, ...clock }),
    subscribers: new SubscriberService({
      db,
      mailer,
      settings,
      secret,
      publicUrl: config.publicUrl,
      onError: options.mailError ?? ((error) => console.error('subscription email failed', error)),
      ...clock,
    }),
    admin: {
      settings: new SettingsEditor({ db, settings, media, audit, changes }),
      taxonomy: new TaxonomyAdmin({ db, changes, audit, search, related, ...clock }),
      profile: new ProfileService({ db, media, audit, changes }),
      dashboard: new DashboardReads({ db, ...clock }),
    },
  };
}
