import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import { HearthError, ValidationError } from '../../errors.js';
import type { CommentStatus, Db, SpamLabel } from '../../storage/index.js';
import { prepareQuery, type ValueOf } from '../../storage/prepared-query.js';
import type { ChangeFeed } from '../changes.js';
import type { SettingsService, SiteSettings } from '../settings/index.js';
import { renderCommentText } from './comment-text.js';
import type { CommentNotifier } from './notifications.js';
import { type CommenterExport, eraseCommenter, exportCommenter, forgetOldAddresses } from './privacy.js';
import {
  bodyHash,
  type Candidate,
  defaultChecks,
  enforceRateLimit,
  type Finding,
  issueFormToken,
  LearningFilter,
  learningFilterCheck,
  runSpamChecks,
  type SpamCheck,
  spamTokens,
} from './spam/index.js';
import { trainComment } from './training.js';
import type {
  Comment,
  CommentContext,
  CommentInput,
  CommentsOpenness,
  ExportedComment,
  SubmitResult,
} from './types.js';
import { parseId, validateComment } from './validation.js';

export interface CommentServiceDeps {
  db: Db;
  /** The site secret (HMAC key of addresses and form tokens), made on first use. */
  secret: () => Promise<string>;
  settings: SettingsService;
  changes: ChangeFeed;
  now?: () => Date;
  /** The site's public URL, no trailing slash (for exports). */
  publicUrl: string;
  /** The spam checks, in order; the learning filter always runs after them. */
  checks?: SpamCheck[];
  /** Emails about waiting comments and approved replies, sent after the write. */
  notifier?: CommentNotifier;
}

/**
 * Whether a post takes comments at `now`: only posts (not pages) with comments on, and
 * not older than `commentsCloseAfterDays` when that is set.
 */
export function commentsOpenness(
  post: { type: string; commentsEnabled: boolean; publishedAt: string | null },
  settings: SiteSettings,
  now: Date,
): CommentsOpenness {
  if (post.type !== 'post' || !post.commentsEnabled) return { open: false, closesAt: undefined };
  const days = settings.commentsCloseAfterDays;
  if (!(days > 0) || !post.publishedAt) return { open: true, closesAt: undefined };
  const closesAt = new Date(Date.parse(post.publishedAt) + days * 86_400_000);
  return { open: now < closesAt, closesAt };
}

/** The visitor's address in one form: an IPv4 address mapped into IPv6 is the IPv4 address. */
const canonicalIp = (ip: string) => ip.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1').toLowerCase();

/**
 * Reader comments: taking them in (checks, spam defence, moderation policy), listing
 * the approved ones, and what moderation calls (status, training the learning filter).
 */
export class CommentService {
  #db: Db;
  #approved: ReturnType<typeof approvedComments>;
  #counts = new Map<number, ReturnType<typeof commentCounts>>();
  #secret: () => Promise<string>;
  #settings: SettingsService;
  #changes: ChangeFeed;
  #now: () => Date;
  #checks: SpamCheck[];
  #filter: LearningFilter;
  #publicUrl: string;
  #notifier: CommentNotifier | undefined;

  constructor(deps: CommentServiceDeps) {
    this.#db = deps.db;
    this.#approved = approvedComments(deps.db);
    this.#secret = deps.secret;
    this.#settings = deps.settings;
    this.#changes = deps.changes;
    this.#now = deps.now ?? (() => new Date());
    this.#checks = deps.checks ?? defaultChecks;
    this.#filter = new LearningFilter(deps.db);
    this.#publicUrl = deps.publicUrl;
    this.#notifier = deps.notifier;
  }

  /** Approved comments of a post, oldest first, with their depth in the thread. */
  async approvedFor(postId: number): Promise<Comment[]> {
    const rows = await this.#approved({ postId });
    return rows.map((r) => ({
      id: r.id,
      postId: r.post_id,
      parentId: r.parent_id,
      depth: Number(r.depth),
      name: r.author_name,
      website: r.author_website,
      // Comments stored before text was rendered on the way in are rendered now.
      bodyHtml: r.body_html ?? renderCommentText(r.body ?? '').html,
      createdAt: r.created_at,
      byAuthor: r.staff_user_id !== null,
    }));
  }

  /** Every comment of these posts in any status (an export), oldest first, as HTML. */
  async allOfPosts(postIds: number[]): Promise<ExportedComment[]> {
    if (postIds.length === 0) return [];
    const rows = await this.#db
      .selectFrom('comments')
      .select([
        'id',
        'post_id',
        'parent_id',
        'author_name',
        'author_email',
        'author_website',
        'body',
        'body_html',
        'status',
        'created_at',
        'staff_user_id',
      ])
      .where('post_id', 'in', postIds)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      postId: r.post_id,
      parentId: r.parent_id,
      authorName: r.author_name,
      authorEmail: r.author_email,
      authorWebsite: r.author_website,
      html: r.body_html ?? renderCommentText(r.body).html,
      status: r.status,
      createdAt: r.created_at,
      staffUserId: r.staff_user_id,
    }));
  }

  /** How many approved comments each post has (posts without any are left out). */
  async countsFor(postIds: number[]): Promise<Map<number, number>> {
    if (postIds.length === 0) return new Map();
    // Built once for each number of posts (a list shows a page of them).
    let query = this.#counts.get(postIds.length);
    if (!query) {
      query = commentCounts(this.#db, postIds.length);
      this.#counts.set(postIds.length, query);
    }
    const rows = await query(Object.fromEntries(postIds.map((id, i) => [`id${i}`, id])));
    return new Map(rows.map((r) => [r.post_id, Number(r.n)]));
  }

  /** How many comments wait for moderation and how many are held as spam, site-wide. */
  async counts(): Promise<{ pending: number; spam: number }> {
    const rows = await this.#db
      .selectFrom('comments')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('status', 'in', ['pending', 'spam'])
      .groupBy('status')
      .execute();
    const counts = { pending: 0, spam: 0 };
    for (const r of rows) counts[r.status as 'pending' | 'spam'] = Number(r.n);
    return counts;
  }

  /** A fresh form token for a post's comment form (see `issueFormToken`). */
  async formToken(postId: number): Promise<string> {
    return issueFormToken(await this.#secret(), postId, this.#now());
  }

  /**
   * Takes in a reader's comment. Stages: check the fields, find the post open for
   * comments and the comment replied to, apply the rate limits, render the text, run the
   * spam checks and the learning filter, decide the status by the moderation policy,
   * store it in one insert. A comment that a check flags is stored as spam with the
   * reasons; nothing is stored when input is refused.
   *
   * @throws ValidationError (400) naming the fields; HearthError
   *   `HEARTH_ERR_COMMENT_POST_NOT_FOUND` (404), `HEARTH_ERR_COMMENTS_CLOSED` (403),
   *   `HEARTH_ERR_COMMENT_RATE_LIMIT` (429)
   */
  async submit(input: CommentInput, context: CommentContext): Promise<SubmitResult> {
    const now = this.#now();
    const errors = validateComment(input);
    const postId = parseId(input.postId);
    if (postId === undefined) errors.postId = 'The post to comment on is missing or is not a number.';
    if (Object.keys(errors).length > 0 || postId === undefined) throw new ValidationError(errors);
    const settings = await this.#settings.get();
    const post = await this.#openPost(postId, settings, now);
    const parent = await this.#parent(parseId(input.parentId), post.id, settings);

    const secret = await this.#secret();
    const ip = canonicalIp(context.ip);
    const ipHash = createHmac('sha256', secret).update(`ip:${ip}`).digest('hex');
    const email = input.email?.trim().toLowerCase() || null;
    await enforceRateLimit(this.#db, { ipHash, email }, settings, now);

    const body = (input.body ?? '').trim();
    const text = renderCommentText(body);
    const candidate: Candidate = {
      postId: post.id,
      name: (input.name ?? '').trim(),
      email,
      website: input.website?.trim() || null,
      body,
      bodyHash: bodyHash(body),
      links: text.links,
      ip,
      trap: input.trap ?? '',
      token: input.token,
    };
    const score = await this.#filter.score(spamTokens(candidate));
    const findings = await runSpamChecks([...this.#checks, learningFilterCheck(score)], candidate, {
      db: this.#db,
      settings,
      now,
      secret,
    });
    const status = await this.#decide(findings, candidate, settings);

    const row = await this.#db
      .insertInto('comments')
      .values({
        post_id: post.id,
        parent_id: parent?.id ?? null,
        depth: parent ? parent.depth + 1 : 1,
        author_name: candidate.name,
        author_email: email,
        author_website: candidate.website,
        body,
        body_html: text.html,
        status,
        created_at: now.toISOString(),
        ip_hash: ipHash,
        user_agent: context.userAgent?.slice(0, 500) ?? null,
        spam_reasons: findings.length > 0 ? JSON.stringify(findings.map((f) => f.reason)) : null,
        spam_score: score ?? null,
        body_hash: candidate.bodyHash,
        notify_replies: email && input.notifyReplies ? 1 : 0,
      })
      .returning(['id', 'post_id'])
      .executeTakeFirstOrThrow();
    if (status === 'approved') {
      this.#changes.publish({ kind: 'comment', postId: row.post_id });
      if (parent) this.#notifier?.replyApproved(row.id);
    } else if (status === 'pending') this.#notifier?.commentWaiting(row.id);
    return { id: row.id, postId: row.post_id, status };
  }

  /** The post, published and open for comments. */
  async #openPost(id: number, settings: SiteSettings, now: Date) {
    const post = await this.#db
      .selectFrom('posts')
      .select(['id', 'type', 'comments_enabled', 'published_at'])
      .where('id', '=', id)
      .where('status', '=', 'published')
      .where('published_at', '<=', now.toISOString())
      .executeTakeFirst();
    if (!post) throw new HearthError('HEARTH_ERR_COMMENT_POST_NOT_FOUND', { id });
    const openness = commentsOpenness(
      { type: post.type, commentsEnabled: post.comments_enabled === 1, publishedAt: post.published_at },
      settings,
      now,
    );
    if (!openness.open) throw new HearthError('HEARTH_ERR_COMMENTS_CLOSED', { field: 'postId' });
    return post;
  }

  /** The approved comment on the same post that a reply answers, within the depth limit. */
  async #parent(id: number | undefined, postId: number, settings: SiteSettings) {
    if (id === undefined) return undefined;
    const parent = await this.#db
      .selectFrom('comments')
      .select(['id', 'depth'])
      .where('id', '=', id)
      .where('post_id', '=', postId)
      .where('status', '=', 'approved')
      .executeTakeFirst();
    if (!parent) throw new ValidationError({ parent: 'The comment you are replying to does not exist on this post.' });
    const depth = Number(parent.depth);
    if (depth >= settings.commentsMaxDepth) {
      throw new ValidationError({
        parent: `Replies go at most ${settings.commentsMaxDepth} levels deep here; please reply further up the thread.`,
      });
    }
    return { id: parent.id, depth };
  }

  /** Spam if a check says so; held if one asks; else what the moderation policy says. */
  async #decide(findings: Finding[], c: Candidate, settings: SiteSettings): Promise<CommentStatus> {
    if (findings.some((f) => f.verdict === 'spam')) return 'spam';
    if (findings.length > 0) return 'pending';
    switch (settings.commentModeration) {
      case 'approve-passing':
        return 'approved';
      case 'hold-all':
        return 'pending';
      default: {
        if (!c.email) return 'pending';
        const known = await this.#db
          .selectFrom('comments')
          .select('id')
          .where('author_email', '=', c.email)
          .where('status', '=', 'approved')
          .limit(1)
          .executeTakeFirst();
        return known ? 'approved' : 'pending';
      }
    }
  }

  /** Moves a comment to a status (approve, spam, trash); readers see the change at once. */
  async setStatus(id: number, status: CommentStatus): Promise<void> {
    const before = await this.#db.selectFrom('comments').select('status').where('id', '=', id).executeTakeFirst();
    if (!before) throw new HearthError('HEARTH_ERR_COMMENT_NOT_FOUND', { id });
    const row = await this.#db
      .updateTable('comments')
      .set({ status })
      .where('id', '=', id)
      .returning('post_id')
      .executeTakeFirstOrThrow();
    if (before.status === 'approved' || status === 'approved') {
      this.#changes.publish({ kind: 'comment', postId: row.post_id });
    }
  }

  /**
   * Teaches the learning filter a moderator's decision on a comment: `ham` when it was
   * approved, `spam` when it was marked as spam. Training a comment again with the other
   * label takes the first training back; with the same label it changes nothing.
   */
  async train(id: number, label: SpamLabel): Promise<void> {
    await this.#db.transaction().execute((tx) => trainComment(tx, this.#filter, id, label));
  }

  /** The learning filter's spam probability for a text, as a new comment would get it. */
  async spamScore(comment: {
    name: string;
    email?: string;
    website?: string;
    body: string;
  }): Promise<number | undefined> {
    return this.#filter.score(
      spamTokens({
        name: comment.name,
        email: comment.email?.toLowerCase() ?? null,
        website: comment.website ?? null,
        body: comment.body,
        links: renderCommentText(comment.body).links,
      }),
    );
  }

  /** Everything held about the commenter with this email address (data subject access). */
  async exportByEmail(email: string): Promise<CommenterExport> {
    return exportCommenter(this.#db, email, this.#publicUrl, this.#now());
  }

  /** Deletes every comment sent with this email address; pages that showed one change. */
  async eraseByEmail(email: string): Promise<{ erased: number }> {
    const { erased, visibleOn } = await eraseCommenter(this.#db, this.#filter, email);
    for (const postId of visibleOn) this.#changes.publish({ kind: 'comment', postId });
    return { erased };
  }

  /**
   * Forgets hashed addresses and browsers older than `commentIpRetentionDays`; the
   * server runs it every hour. Returns how many comments it touched.
   */
  async forgetOldAddresses(): Promise<number> {
    const settings = await this.#settings.get();
    return forgetOldAddresses(this.#db, settings.commentIpRetentionDays, this.#now());
  }
}

/**
 * A post's approved comments, oldest first: every post page reads them, so the query is
 * built once (see `prepareQuery`). The Markdown is read only for comments stored before
 * their text was rendered on the way in.
 */
function approvedComments(db: Db) {
  return prepareQuery(db, (value: ValueOf<{ postId: number }>) =>
    db
      .selectFrom('comments')
      .select([
        'id',
        'post_id',
        'parent_id',
        'depth',
        'author_name',
        'author_website',
        sql<string | null>`case when body_html is null then body end`.as('body'),
        'body_html',
        'created_at',
        'staff_user_id',
      ])
      .where('post_id', '=', value('postId'))
      .where('status', '=', 'approved')
      .orderBy('created_at')
      .orderBy('id'),
  );
}

/** How many approved comments each of `n` posts has, by post (see `countsFor`). */
function commentCounts(db: Db, n: number) {
  return prepareQuery(db, (value: ValueOf<Record<string, number>>) =>
    db
      .selectFrom('comments')
      .select(['post_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where(
        'post_id',
        'in',
        Array.from({ length: n }, (_, i) => value(`id${i}`)),
      )
      .where('status', '=', 'approved')
      .groupBy('post_id'),
  );
}
