import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * The database schema as Kysely sees it. Times are ISO 8601 strings in UTC on every
 * dialect (PostgreSQL's timestamptz is read back as such a string by its dialect).
 */
export interface Schema {
  settings: SettingsTable;
  users: UsersTable;
  categories: CategoriesTable;
  tags: TagsTable;
  media: MediaTable;
  posts: PostsTable;
  post_tags: PostTagsTable;
  comments: CommentsTable;
  redirects: RedirectsTable;
  related_terms: RelatedTermsTable;
  related_docs: RelatedDocsTable;
  related_index: RelatedIndexTable;
  related_posts: RelatedPostsTable;
  related_overrides: RelatedOverridesTable;
  sessions: SessionsTable;
  account_links: AccountLinksTable;
  login_attempts: LoginAttemptsTable;
  recovery_codes: RecoveryCodesTable;
  audit_log: AuditLogTable;
  spam_tokens: SpamTokensTable;
  spam_corpus: SpamCorpusTable;
  revisions: RevisionsTable;
  import_sources: ImportSourcesTable;
  books: BooksTable;
  book_authors: BookAuthorsTable;
  book_items: BookItemsTable;
  book_sources: BookSourcesTable;
  book_builds: BookBuildsTable;
  change_counter: ChangeCounterTable;
  import_jobs: ImportJobsTable;
  review_notes: ReviewNotesTable;
  analytics_daily: AnalyticsDailyTable;
  analytics_referrers: AnalyticsReferrersTable;
  analytics_feeds: AnalyticsFeedsTable;
  analytics_visitors: AnalyticsVisitorsTable;
  analytics_salts: AnalyticsSaltsTable;
  subscribers: SubscribersTable;
  subscriber_categories: SubscriberCategoriesTable;
  subscribe_throttle: SubscribeThrottleTable;
  newsletters: NewslettersTable;
  newsletter_recipients: NewsletterRecipientsTable;
}

/** Page views and estimated unique visitors per day (YYYY-MM-DD, UTC) and path ('*': the whole site). */
export interface AnalyticsDailyTable {
  day: string;
  path: string;
  views: number;
  visitors: number;
}

/** Views that came from another site, by its host name. */
export interface AnalyticsReferrersTable {
  day: string;
  site: string;
  views: number;
}

/** Feed readers: the most subscribers a reader reported that day, and how often feeds were fetched. */
export interface AnalyticsFeedsTable {
  day: string;
  reader: string;
  subscribers: number;
  fetches: number;
}

/** Today's (and yesterday's) visitor hashes, cut short; deleted with their day's salt. */
export interface AnalyticsVisitorsTable {
  day: string;
  path: string;
  hash: string;
}

export interface AnalyticsSaltsTable {
  day: string;
  salt: string;
}

export interface SettingsTable {
  key: string;
  /** JSON-encoded value. */
  value: string;
}

export type Role = 'owner' | 'administrator' | 'editor' | 'author' | 'contributor';

export interface UsersTable {
  id: Generated<number>;
  slug: string;
  display_name: string;
  email: string;
  bio: string;
  website: string | null;
  avatar_media_id: number | null;
  role: Role;
  /** Null for a profile that cannot sign in (a guest writer's byline). */
  password_hash: string | null;
  created_at: string;
  updated_at: string;
  /** Base32 TOTP secret when two-factor sign-in is on. */
  totp_secret: Generated<string | null>;
  /** The last TOTP time step accepted, so a code works once. */
  totp_last_step: Generated<number | null>;
}

export interface CategoriesTable {
  id: Generated<number>;
  slug: string;
  name: string;
  description: string;
  parent_id: number | null;
}

export interface TagsTable {
  id: Generated<number>;
  slug: string;
  name: string;
}

export interface MediaTable {
  id: Generated<number>;
  /** Path of the stored original below the media root, e.g. `2026/11/bath-time-3fa2c1.jpg`. */
  path: string;
  mime_type: string;
  width: number;
  height: number;
  bytes: number;
  alt: string;
  caption: string;
  credit: string;
  /** JSON array of { width, height, format, path }. */
  variants: string;
  created_at: string;
  /** The file name it was uploaded under, for the library; never shown to readers. */
  original_name: Generated<string>;
  /** The user who uploaded it (null: before migration 0014, or the user is gone). */
  uploaded_by: Generated<number | null>;
  /** Hex SHA-256 of the bytes as uploaded (null: stored before migration 0025). */
  sha256: Generated<string | null>;
  /** Hex SHA-256 of the stored original; filled lazily for older photos ('' when unreadable). */
  file_sha256: Generated<string | null>;
}

export type PostType = 'post' | 'page';
export type PostStatus = 'draft' | 'scheduled' | 'published';

export interface PostsTable {
  id: Generated<number>;
  type: PostType;
  slug: string;
  title: string;
  excerpt: Generated<string>;
  /** Markdown source. */
  body: Generated<string>;
  /** Body rendered to HTML at write time. */
  html: Generated<string>;
  status: PostStatus;
  published_at: string | null;
  created_at: string;
  updated_at: string;
  feature_image_id: number | null;
  feature_image_alt: string | null;
  category_id: number | null;
  author_id: number;
  editor_note: string | null;
  editor_note_html: string | null;
  editor_note_author_id: number | null;
  seo_title: string | null;
  seo_description: string | null;
  comments_enabled: Generated<number>;
  /** A page's parent page (imported page trees); null for none. */
  parent_id: Generated<number | null>;
  /** A page's place among its siblings, lowest first. */
  menu_order: Generated<number>;
  /** 1 for a featured post (WordPress's "sticky"). */
  featured: Generated<number>;
  /** When the draft was submitted for review (migration 0024); null when not waiting. */
  review_submitted_at: Generated<string | null>;
  /** When it was moved to the trash (its status is then `draft`); null outside the trash. */
  trashed_at: Generated<string | null>;
  /** Who moved it to the trash. */
  trashed_by: Generated<number | null>;
  /** The status it had before the trash, given back on restore. */
  trashed_from: Generated<PostStatus | null>;
}

export interface PostTagsTable {
  post_id: number;
  tag_id: number;
  position: number;
}

export type CommentStatus = 'pending' | 'approved' | 'spam' | 'trash';

export interface CommentsTable {
  id: Generated<number>;
  post_id: number;
  parent_id: number | null;
  author_name: string;
  author_email: string | null;
  author_website: string | null;
  body: string;
  status: CommentStatus;
  created_at: string;
  /** HMAC of the commenter's address with the site secret; nulled after the retention time. */
  ip_hash: string | null;
  user_agent: string | null;
  /** The text rendered (Markdown subset, no raw HTML) when the comment was stored. */
  body_html: string | null;
  /** 1 for a comment on the post, 2 for a reply to it, and so on. */
  depth: Generated<number>;
  /** JSON array of the spam checks that flagged or held the comment. */
  spam_reasons: string | null;
  /** The learning filter's spam probability (0..1) when the comment came in; null untrained. */
  spam_score: number | null;
  /** SHA-256 of the normalised text, to find duplicates. */
  body_hash: string | null;
  /** The label the learning filter was trained with for this comment, if any. */
  trained_as: SpamLabel | null;
  /** The staff user who wrote this comment from the moderation queue (shown as the author). */
  staff_user_id: number | null;
  /** 1 when the commenter asked to be told of approved replies. */
  notify_replies: Generated<number>;
  /** 1 once the comment replied to was told of this reply. */
  reply_notified: Generated<number>;
}

export type SpamLabel = 'ham' | 'spam';

/** The learning filter: how many ham and spam comments held each token. */
export interface SpamTokensTable {
  token: string;
  ham: Generated<number>;
  spam: Generated<number>;
}

export interface SpamCorpusTable {
  label: SpamLabel;
  documents: Generated<number>;
}

export interface RedirectsTable {
  id: Generated<number>;
  from_path: string;
  to_path: string;
  status_code: number;
  created_at: string;
}

export type SessionStage = 'two-factor' | 'active';

export interface SessionsTable {
  /** SHA-256 (hex) of the token in the cookie. */
  id: string;
  user_id: number;
  /** `two-factor`: the password was right, the TOTP code is still due. */
  stage: SessionStage;
  created_at: string;
  last_seen_at: string;
  /** The absolute end of the session, however active it is. */
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
  /** Two-factor codes sent by a pending sign-in (counted before each is checked). */
  code_tries: Generated<number>;
}

export type AccountLinkKind = 'invite' | 'password-reset';

export interface AccountLinksTable {
  id: Generated<number>;
  kind: AccountLinkKind;
  /** SHA-256 (hex) of the token in the emailed link. */
  token_hash: string;
  email: string;
  /** The role an invite gives. */
  role: Role | null;
  /** The user a reset is for. */
  user_id: number | null;
  created_by: number | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  /** When someone with manage_users took an invitation back (migration 0022). */
  revoked_at: string | null;
}

/** Two-factor recovery codes: SHA-256 (hex) of each, usable once. */
export interface RecoveryCodesTable {
  user_id: number;
  code_hash: string;
  created_at: string;
  used_at: string | null;
}

export interface LoginAttemptsTable {
  /** What is throttled: `account:<email>` or `ip:<address>`. */
  key: string;
  failures: number;
  first_failure_at: string;
  locked_until: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  action: string;
  actor_id: number | null;
  actor_email: string | null;
  subject: string | null;
  ip: string | null;
  /** JSON object. */
  details: string;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type PostRow = Selectable<PostsTable>;
export type NewPost = Insertable<PostsTable>;
export type PostUpdate = Updateable<PostsTable>;
export type MediaRow = Selectable<MediaTable>;
export type CategoryRow = Selectable<CategoriesTable>;
export type TagRow = Selectable<TagsTable>;
export type CommentRow = Selectable<CommentsTable>;

/** In how many related-indexed posts a term occurs. */
export interface RelatedTermsTable {
  term: string;
  df: number;
}

export interface RelatedDocsTable {
  post_id: number;
  /** JSON array of the post's distinct terms. */
  terms: string;
}

export interface RelatedIndexTable {
  term: string;
  post_id: number;
  /** TF-IDF weight; a post's weights have unit length. */
  weight: number;
}

export interface RelatedPostsTable {
  post_id: number;
  related_id: number;
  score: number;
}

export interface RelatedOverridesTable {
  post_id: number;
  related_id: number;
  kind: 'pin' | 'exclude';
  position: number;
}

/** A saved version of a post, or a writer's autosaved working copy. */
export interface RevisionsTable {
  id: Generated<number>;
  /** Empty for the working copy of a post not saved yet. */
  post_id: number | null;
  user_id: number | null;
  kind: 'save' | 'autosave';
  title: string;
  body: string;
  excerpt: Generated<string>;
  created_at: string;
}

export type ImportSourceKind = 'user' | 'category' | 'tag' | 'media' | 'post' | 'comment';

/** Which row an imported thing became, by the old platform's own id, so a second import adds only what is new. */
export interface ImportSourcesTable {
  /** The export's site, e.g. `wordpress:https://old.example` or `ghost:<site uuid or url>`. */
  source: string;
  kind: ImportSourceKind;
  /** The old platform's id (a WordPress post id, a Ghost object id, a Markdown file's path). */
  external_id: string;
  local_id: number;
  created_at: string;
}

/** A book made from the blog's posts (issue 17). */
export interface BooksTable {
  id: Generated<number>;
  slug: string;
  title: string;
  subtitle: Generated<string>;
  /** A BCP 47 language tag, canonical (`en-GB`). */
  language: string;
  description: Generated<string>;
  publisher: Generated<string>;
  rights: Generated<string>;
  /** `urn:isbn:<digits>` or a generated `urn:uuid:<uuid>`. */
  identifier: string;
  /** JSON array of strings. */
  subjects: Generated<string>;
  /** A photo of the media library for the cover; null for none. */
  cover_media_id: number | null;
  /** `upload`: the photo is the cover; `drawn`: Hearth draws one from the title and the photo. */
  cover_mode: Generated<'upload' | 'drawn'>;
  /** The page size of the printed book (PDF): `a5`, `us-trade` (6 x 9 in), `a4` or `letter`. */
  page_size: Generated<'a5' | 'us-trade' | 'a4' | 'letter'>;
  /** Markdown (dedication, foreword) and its HTML, rendered when saved. */
  front_matter: Generated<string>;
  front_matter_html: Generated<string>;
  /** 1 when the blog offers a public page for the book. */
  public: Generated<number>;
  /** 1 when that page offers the EPUB and PDF as free downloads. */
  offer_downloads: Generated<number>;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

export interface BookAuthorsTable {
  book_id: number;
  position: number;
  user_id: number | null;
  name: string;
  file_as: Generated<string>;
  /** A MARC relator code (aut, edt, ill, pht, trl, ctb, aui). */
  role: Generated<string>;
}

export type BookItemKind = 'part' | 'chapter';

/** A part or a chapter of a book, in reading order. */
export interface BookItemsTable {
  book_id: number;
  position: number;
  kind: BookItemKind;
  /** A part's or a book-only chapter's title; a post chapter's title when it was chosen. */
  title: Generated<string>;
  /** The post or page the chapter is (not a foreign key: a deleted post is reported, not dropped). */
  post_id: number | null;
  /** A book-only chapter's Markdown and its HTML. */
  body: Generated<string>;
  body_html: Generated<string>;
  /** The position of the part the chapter belongs to; null outside parts. */
  part_position: number | null;
}

/** A category or tag whose published posts become chapters, oldest first. */
export interface BookSourcesTable {
  book_id: number;
  position: number;
  kind: 'category' | 'tag';
  term_id: number;
}

export type BookBuildState = 'queued' | 'running' | 'done' | 'failed';

/** An EPUB or PDF build of a book: a job, and then the file it made. */
export interface BookBuildsTable {
  id: Generated<number>;
  book_id: number;
  format: 'epub' | 'pdf';
  /** JSON: the build's options ({ leaveOutMissing, pageSize }). */
  options: Generated<string>;
  /** SHA-256 of everything the file is made from; the file's name. */
  fingerprint: string;
  /** The blog's address and the options, hashed: the newest file of each variant is kept. */
  variant: Generated<string>;
  state: Generated<BookBuildState>;
  done: Generated<number>;
  total: Generated<number>;
  step: Generated<string>;
  error: Generated<string>;
  /** The finished file's name below `<data>/books/`. */
  file: string | null;
  bytes: number | null;
  /** How many chapters and photos the file holds. */
  chapters: Generated<number>;
  images: Generated<number>;
  /** A PDF's pages; null for an EPUB. */
  pages: number | null;
  /** JSON array of the titles of chapters left out. */
  left_out: Generated<string>;
  /** 1 when an unchanged earlier build's file was used. */
  from_cache: Generated<number>;
  /** The running build's last sign of life. */
  heartbeat_at: string | null;
  started_by: number | null;
  created_at: string;
  finished_at: string | null;
}

/** One row: how many changes have been announced to other instances (PostgreSQL NOTIFY). */
export interface ChangeCounterTable {
  id: number;
  version: number;
}

/** An import started from the admin (issue 19): its state and progress, seen by every instance. */
export interface ImportJobsTable {
  id: string;
  platform: 'wordpress' | 'ghost';
  dry_run: Generated<number>;
  state: Generated<'running' | 'done' | 'failed'>;
  done: Generated<number>;
  total: number | null;
  /** The last lines the import printed (newest last). */
  message: Generated<string>;
  error: Generated<string>;
  /** JSON: the report, once done. */
  report: string | null;
  started_by: number | null;
  started_at: string;
  /** The running import's last sign of life, written by the instance running it. */
  heartbeat_at: string;
  finished_at: string | null;
}

/** A step of a post's review, or a note between its writer and the reviewers (migration 0024). */
export type ReviewNoteKind = 'note' | 'submitted' | 'withdrawn' | 'changes' | 'published';

export interface ReviewNotesTable {
  id: Generated<number>;
  post_id: number;
  author_id: number | null;
  kind: ReviewNoteKind;
  body: Generated<string>;
  created_at: string;
}

/** A reader's address and consent (migration 0027). */
export type SubscriberStatus = 'pending' | 'active' | 'unsubscribed' | 'bounced' | 'complained';

export interface SubscribersTable {
  id: Generated<number>;
  /** Lower-cased, trimmed. */
  email: string;
  name: Generated<string>;
  status: Generated<SubscriberStatus>;
  /** Every post as it is sent, or the weekly digest. */
  frequency: Generated<'every' | 'digest'>;
  /** How the address came: the subscribe form, added by hand, or a CSV import. */
  source: Generated<'form' | 'admin' | 'import'>;
  /** The page the form was sent from ('' when unknown): sign-ups per post. */
  source_path: Generated<string>;
  /** Names the preferences page and the unsubscribe link; random, unique. */
  token: string;
  /** SHA-256 of the pending confirmation token (hex), null once confirmed. */
  confirm_hash: string | null;
  confirm_sent_at: string | null;
  /** When consent was given (confirmed, imported with its date, or added by hand). */
  consent_at: string | null;
  /** How consent was given, in words. */
  consent_note: Generated<string>;
  bounces: Generated<number>;
  last_bounce_at: string | null;
  created_at: string;
  updated_at: string;
  unsubscribed_at: string | null;
}

/** The categories a reader chose; none: every category. */
export interface SubscriberCategoriesTable {
  subscriber_id: number;
  category_id: number;
}

/** Sign-ups per visitor (a salted hash, never the address) and hour (YYYY-MM-DDTHH). */
export interface SubscribeThrottleTable {
  key: string;
  hour: string;
  count: Generated<number>;
}

export type NewsletterState = 'scheduled' | 'sending' | 'paused' | 'done' | 'failed' | 'cancelled';

/** One send: a post to its readers, or a weekly digest. */
export interface NewslettersTable {
  id: Generated<number>;
  kind: 'post' | 'digest';
  /** 'post:12' or 'digest:2026-12-07': unique, so a send is made once. */
  key: string;
  post_id: number | null;
  /** The whole post, or its excerpt with a link. */
  content: Generated<'full' | 'excerpt'>;
  subject: Generated<string>;
  state: Generated<NewsletterState>;
  /** Not before this time (a post's newsletter also waits for the post to be published). */
  send_at: string;
  /** The message, fixed when sending starts. */
  html: string | null;
  text: string | null;
  total: Generated<number>;
  sent: Generated<number>;
  failed: Generated<number>;
  error: Generated<string>;
  heartbeat_at: string | null;
  /** The token of the instance sending it (migration 0028); its every write names it. */
  owner: string | null;
  created_by: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export type RecipientState = 'pending' | 'sending' | 'sent' | 'failed' | 'skipped';

/** One address of one send. */
export interface NewsletterRecipientsTable {
  newsletter_id: number;
  subscriber_id: number;
  email: string;
  state: Generated<RecipientState>;
  attempts: Generated<number>;
  message_id: string | null;
  error: Generated<string>;
  sent_at: string | null;
}
