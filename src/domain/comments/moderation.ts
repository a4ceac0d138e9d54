import { HearthError, ValidationError } from '../../errors.js';
import type { CommentStatus, Db, Role } from '../../storage/index.js';
import type { ChangeFeed } from '../changes.js';
import { can } from '../roles/index.js';
import type { SettingsService } from '../settings/index.js';
import { renderCommentText } from './comment-text.js';
import type { CommentNotifier } from './notifications.js';
import { bodyHash, LearningFilter } from './spam/index.js';
import { trainComment } from './training.js';
import { MAX_COMMENT_LENGTH } from './validation.js';

/** The person moderating: a signed-in user. */
export interface Moderator {
  id: number;
  name: string;
  email: string;
  role: Role;
}

export const QUEUE_TABS = ['pending', 'spam', 'approved', 'trash'] as const satisfies readonly CommentStatus[];
export type QueueTab = (typeof QUEUE_TABS)[number];

export const MODERATION_ACTIONS = ['approve', 'spam', 'trash', 'restore'] as const;
export type ModerationAction = (typeof MODERATION_ACTIONS)[number];

/** A comment as the queue shows it to a moderator (email included). */
export interface QueueItem {
  id: number;
  postId: number;
  postTitle: string;
  postSlug: string;
  parentId: number | null;
  name: string;
  email: string | null;
  website: string | null;
  body: string;
  bodyHtml: string;
  status: CommentStatus;
  createdAt: string;
  spamReasons: string[];
  spamScore: number | null;
  byStaff: boolean;
}

export type QueueCounts = Record<QueueTab, number>;

const STATUS_AFTER: Record<ModerationAction, CommentStatus> = {
  approve: 'approved',
  spam: 'spam',
  trash: 'trash',
  restore: 'pending',
};

/**
 * The moderation queue: comments by status, and what moderators do to them (approve,
 * spam, trash, restore, edit, reply as staff). Editors and above moderate every comment;
 * authors the comments on their own posts; anyone else nothing. Approve and spam teach
 * the learning filter. Each call is one transaction; pages that showed a changed
 * comment are announced after it commits.
 */
export class CommentModeration {
  #db: Db;
  #changes: ChangeFeed;
  #settings: SettingsService;
  #filter: LearningFilter;
  #notifier: CommentNotifier | undefined;
  #now: () => Date;

  constructor(deps: {
    db: Db;
    changes: ChangeFeed;
    settings: SettingsService;
    notifier?: CommentNotifier;
    now?: () => Date;
  }) {
    this.#db = deps.db;
    this.#changes = deps.changes;
    this.#settings = deps.settings;
    this.#filter = new LearningFilter(deps.db);
    this.#notifier = deps.notifier;
    this.#now = deps.now ?? (() => new Date());
  }

  /** Whether someone may open the queue at all (an author sees their own posts' comments). */
  static mayModerate(role: Role): boolean {
    return can(role, 'moderate_comments') || can(role, 'publish_own');
  }

  /** How many comments each tab holds, for what this moderator may see (everything without one). */
  async counts(moderator?: Moderator): Promise<QueueCounts> {
    let query = this.#db
      .selectFrom('comments')
      .innerJoin('posts', 'posts.id', 'comments.post_id')
      .select(['comments.status as status', (eb) => eb.fn.countAll<number>().as('n')])
      // A post in the trash takes its comments with it, until it is restored.
      .where('posts.trashed_at', 'is', null)
      .groupBy('comments.status');
    if (moderator && !can(moderator.role, 'moderate_comments'))
      query = query.where('posts.author_id', '=', moderator.id);
    const counts: QueueCounts = { pending: 0, spam: 0, approved: 0, trash: 0 };
    for (const row of await query.execute()) counts[row.status] = Number(row.n);
    return counts;
  }

  /** One tab of the queue, newest first (at most `limit`). */
  async list(moderator: Moderator, tab: QueueTab, limit = 100): Promise<QueueItem[]> {
    this.#mustModerate(moderator);
    let query = this.#db
      .selectFrom('comments')
      .innerJoin('posts', 'posts.id', 'comments.post_id')
      .select([
        'comments.id as id',
        'comments.post_id as postId',
        'posts.title as postTitle',
        'posts.slug as postSlug',
        'comments.parent_id as parentId',
        'comments.author_name as name',
        'comments.author_email as email',
        'comments.author_website as website',
        'comments.body as body',
        'comments.body_html as bodyHtml',
        'comments.status as status',
        'comments.created_at as createdAt',
        'comments.spam_reasons as spamReasons',
        'comments.spam_score as spamScore',
        'comments.staff_user_id as staffUserId',
      ])
      .where('comments.status', '=', tab)
      .where('posts.trashed_at', 'is', null)
      .orderBy('comments.created_at', 'desc')
      .orderBy('comments.id', 'desc')
      .limit(limit);
    if (!can(moderator.role, 'moderate_comments')) query = query.where('posts.author_id', '=', moderator.id);
    const rows = await query.execute();
    return rows.map(({ staffUserId, spamReasons, spamScore, bodyHtml, ...r }) => ({
      ...r,
      bodyHtml: bodyHtml ?? renderCommentText(r.body).html,
      spamReasons: spamReasons ? (JSON.parse(spamReasons) as string[]) : [],
      spamScore: spamScore === null ? null : Number(spamScore),
      byStaff: staffUserId !== null,
    }));
  }

  /**
   * Applies one action to one or more comments, all or none. Approve trains the filter
   * with `ham`, spam with `spam`; restore brings a comment back to pending.
   *
   * @throws HearthError `HEARTH_ERR_COMMENT_NOT_FOUND` (404), `HEARTH_ERR_COMMENT_FORBIDDEN` (403)
   */
  async act(moderator: Moderator, ids: number[], action: ModerationAction): Promise<{ changed: number }> {
    this.#mustModerate(moderator);
    const unique = [...new Set(ids)];
    if (unique.length === 0) throw new ValidationError({ ids: 'Choose at least one comment.' });
    const status = STATUS_AFTER[action];
    const touched: { id: number; postId: number; wasApproved: boolean }[] = [];
    await this.#db.transaction().execute(async (tx) => {
      const rows = await this.#allowedRows(tx, moderator, unique);
      for (const row of rows) {
        await tx.updateTable('comments').set({ status }).where('id', '=', row.id).execute();
        if (action === 'approve') await trainComment(tx, this.#filter, row.id, 'ham');
        if (action === 'spam') await trainComment(tx, this.#filter, row.id, 'spam');
        touched.push({ id: row.id, postId: row.postId, wasApproved: row.status === 'approved' });
      }
    });
    for (const postId of new Set(touched.filter((t) => t.wasApproved || status === 'approved').map((t) => t.postId))) {
      this.#changes.publish({ kind: 'comment', postId });
    }
    if (status === 'approved') for (const t of touched) if (!t.wasApproved) this.#notifier?.replyApproved(t.id);
    return { changed: touched.length };
  }

  /**
   * Changes a comment's text; it is rendered again by the same safe renderer.
   * @throws ValidationError naming `body`; HearthError 404 / 403 as for `act`
   */
  async edit(moderator: Moderator, id: number, text: string): Promise<void> {
    this.#mustModerate(moderator);
    const body = checkText(text);
    let postId = 0;
    let visible = false;
    await this.#db.transaction().execute(async (tx) => {
      const [row] = await this.#allowedRows(tx, moderator, [id]);
      if (!row) return;
      postId = row.postId;
      visible = row.status === 'approved';
      await tx
        .updateTable('comments')
        .set({ body, body_html: renderCommentText(body).html, body_hash: bodyHash(body) })
        .where('id', '=', id)
        .execute();
    });
    if (visible) this.#changes.publish({ kind: 'comment', postId });
  }

  /**
   * Replies to a comment as the signed-in staff user: stored approved and marked as the
   * author's. A reply to a comment still waiting approves that comment too. Past the
   * depth limit the reply goes beside the comment instead of under it.
   * @throws ValidationError naming `body`; HearthError 404 / 403 as for `act`
   */
  async reply(moderator: Moderator, id: number, text: string): Promise<{ id: number; postId: number }> {
    this.#mustModerate(moderator);
    const body = checkText(text);
    const { commentsMaxDepth } = await this.#settings.get();
    const now = this.#now().toISOString();
    const result = await this.#db.transaction().execute(async (tx) => {
      const [parent] = await this.#allowedRows(tx, moderator, [id]);
      if (!parent) throw new HearthError('HEARTH_ERR_COMMENT_NOT_FOUND', { id });
      if (parent.status !== 'approved') {
        await tx.updateTable('comments').set({ status: 'approved' }).where('id', '=', parent.id).execute();
        await trainComment(tx, this.#filter, parent.id, 'ham');
      }
      const under = parent.depth < commentsMaxDepth;
      const row = await tx
        .insertInto('comments')
        .values({
          post_id: parent.postId,
          parent_id: under ? parent.id : parent.parentId,
          depth: under ? parent.depth + 1 : parent.depth,
          author_name: moderator.name,
          author_email: moderator.email.toLowerCase(),
          author_website: null,
          body,
          body_html: renderCommentText(body).html,
          body_hash: bodyHash(body),
          status: 'approved',
          created_at: now,
          ip_hash: null,
          user_agent: null,
          spam_reasons: null,
          spam_score: null,
          staff_user_id: moderator.id,
        })
        .returning(['id', 'post_id'])
        .executeTakeFirstOrThrow();
      return { id: row.id, postId: row.post_id, parentWasApproved: parent.status === 'approved' };
    });
    this.#changes.publish({ kind: 'comment', postId: result.postId });
    if (!result.parentWasApproved) this.#notifier?.replyApproved(id);
    this.#notifier?.replyApproved(result.id);
    return { id: result.id, postId: result.postId };
  }

  #mustModerate(moderator: Moderator): void {
    if (!CommentModeration.mayModerate(moderator.role)) throw new HearthError('HEARTH_ERR_FORBIDDEN');
  }

  /** The comments by id, each one this moderator may act on; the first missing or foreign one throws. */
  async #allowedRows(tx: Db, moderator: Moderator, ids: number[]) {
    const rows = await tx
      .selectFrom('comments')
      .innerJoin('posts', 'posts.id', 'comments.post_id')
      .select([
        'comments.id as id',
        'comments.post_id as postId',
        'comments.parent_id as parentId',
        'comments.depth as depth',
        'comments.status as status',
        'posts.author_id as authorId',
      ])
      .where('comments.id', 'in', ids)
      .execute();
    const byId = new Map(rows.map((r) => [r.id, { ...r, depth: Number(r.depth) }]));
    const all = can(moderator.role, 'moderate_comments');
    return ids.map((id) => {
      const row = byId.get(id);
      if (!row) throw new HearthError('HEARTH_ERR_COMMENT_NOT_FOUND', { id });
      if (!all && row.authorId !== moderator.id) throw new HearthError('HEARTH_ERR_COMMENT_FORBIDDEN', { id });
      return row;
    });
  }
}

/** The text of an edit or a staff reply, checked as a reader's comment is. */
function checkText(text: string): string {
  const body = text.trim();
  if (body === '') throw new ValidationError({ body: 'Please write a comment.' });
  if (body.length > MAX_COMMENT_LENGTH) {
    throw new ValidationError({
      body: `A comment can be at most ${MAX_COMMENT_LENGTH.toLocaleString('en')} characters (this one has ${body.length.toLocaleString('en')}).`,
    });
  }
  return body;
}
