import { createHmac, timingSafeEqual } from 'node:crypto';
import { HearthError } from '../../errors.js';
import { urls } from '../../shared/urls.js';
import type { Db } from '../../storage/index.js';
import type { Mailer } from '../mail/index.js';

export interface CommentNotifierDeps {
  db: Db;
  mailer: Mailer;
  secret: () => Promise<string>;
  /** The site's public URL, no trailing slash. */
  publicUrl: string;
  siteTitle: () => Promise<string>;
  /** Told of a message that could not be sent; the comment stays as it is. */
  onError: (error: unknown) => void;
}

/** Roles that moderate every comment, and so hear of every comment that waits. */
const MODERATOR_ROLES = ['owner', 'administrator', 'editor'] as const;
const EXCERPT = 500;

/**
 * Email about comments: to the post's author and the moderators when a comment waits,
 * and to a commenter who asked for it when a reply to their comment is approved. Every
 * message is sent after the write committed, in the background: a mail server that is
 * slow or down never delays or fails a comment (the error is logged).
 */
export class CommentNotifier {
  #deps: CommentNotifierDeps;
  #pending = new Set<Promise<void>>();

  constructor(deps: CommentNotifierDeps) {
    this.#deps = deps;
  }

  /** A comment is waiting for moderation: tell the post's author and the moderators, each once. */
  commentWaiting(commentId: number): void {
    this.#background(() => this.#sendWaiting(commentId));
  }

  /** A reply was approved (or written by staff): tell the commenter it answers, if they asked. */
  replyApproved(replyId: number): void {
    this.#background(() => this.#sendReply(replyId));
  }

  /** Resolves when every message started so far has been sent or has failed. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** The one-click unsubscribe link for a comment's reply notifications. */
  async unsubscribeUrl(commentId: number): Promise<string> {
    return `${this.#deps.publicUrl}/comments/unsubscribe/${await this.#token(commentId)}`;
  }

  /**
   * Whether an unsubscribe link is good and not yet used. Forged, unknown or used: 404.
   * @throws HearthError `HEARTH_ERR_UNSUBSCRIBE_LINK`
   */
  async checkUnsubscribe(token: string): Promise<{ email: string }> {
    const id = await this.#verify(token);
    const row = id
      ? await this.#deps.db
          .selectFrom('comments')
          .select(['author_email', 'notify_replies'])
          .where('id', '=', id)
          .executeTakeFirst()
      : undefined;
    if (!row?.author_email || Number(row.notify_replies) !== 1) throw new HearthError('HEARTH_ERR_UNSUBSCRIBE_LINK');
    return { email: row.author_email };
  }

  /**
   * Stops reply notifications to the address the link was sent to, on every comment it
   * sent. The link then stops working.
   * @throws HearthError `HEARTH_ERR_UNSUBSCRIBE_LINK`
   */
  async unsubscribe(token: string): Promise<void> {
    const { email } = await this.checkUnsubscribe(token);
    await this.#deps.db
      .updateTable('comments')
      .set({ notify_replies: 0 })
      .where('author_email', '=', email)
      .where('notify_replies', '=', 1)
      .execute();
  }

  async #token(commentId: number): Promise<string> {
    const mac = createHmac('sha256', await this.#deps.secret())
      .update(`unsubscribe:${commentId}`)
      .digest('base64url')
      .slice(0, 32);
    return `${commentId}-${mac}`;
  }

  async #verify(token: string): Promise<number | undefined> {
    const match = /^([1-9][0-9]{0,11})-([A-Za-z0-9_-]{32})$/.exec(token);
    if (!match) return undefined;
    const id = Number(match[1]);
    const expected = Buffer.from(await this.#token(id));
    const given = Buffer.from(token);
    return expected.length === given.length && timingSafeEqual(expected, given) ? id : undefined;
  }

  #background(work: () => Promise<void>): void {
    const run = work().catch((error: unknown) => this.#deps.onError(error));
    this.#pending.add(run);
    void run.finally(() => this.#pending.delete(run));
  }

  async #sendWaiting(commentId: number): Promise<void> {
    const { db, publicUrl } = this.#deps;
    const comment = await db
      .selectFrom('comments')
      .innerJoin('posts', 'posts.id', 'comments.post_id')
      .select([
        'comments.author_name as name',
        'comments.body as body',
        'comments.status as status',
        'posts.title as title',
        'posts.author_id as authorId',
      ])
      .where('comments.id', '=', commentId)
      .executeTakeFirst();
    if (comment?.status !== 'pending') return;
    const people = await db
      .selectFrom('users')
      .select(['email'])
      .where((eb) => eb.or([eb('id', '=', comment.authorId), eb('role', 'in', [...MODERATOR_ROLES])]))
      .where('password_hash', 'is not', null)
      .orderBy('id')
      .execute();
    const recipients = [...new Set(people.map((p) => p.email.toLowerCase()))];
    const site = await this.#deps.siteTitle();
    const text = [
      `${comment.name} commented on “${comment.title}”, and the comment is waiting for moderation:`,
      '',
      excerpt(comment.body),
      '',
      `Approve it, or mark it as spam, in the queue: ${publicUrl}/admin/comments?status=pending#comment-${commentId}`,
      '',
      `— ${site}`,
    ].join('\n');
    for (const to of recipients) {
      await this.#deps.mailer.send({ to, subject: `A comment is waiting on “${comment.title}”`, text });
    }
  }

  async #sendReply(replyId: number): Promise<void> {
    const { db, publicUrl } = this.#deps;
    const reply = await db
      .selectFrom('comments as reply')
      .innerJoin('comments as parent', 'parent.id', 'reply.parent_id')
      .innerJoin('posts', 'posts.id', 'reply.post_id')
      .select([
        'reply.author_name as name',
        'reply.author_email as replyEmail',
        'reply.body as body',
        'reply.status as status',
        'parent.id as parentId',
        'parent.author_email as to',
        'parent.notify_replies as wanted',
        'posts.title as title',
        'posts.slug as slug',
      ])
      .where('reply.id', '=', replyId)
      .executeTakeFirst();
    if (!reply?.to || reply.status !== 'approved' || Number(reply.wanted) !== 1) return;
    if (reply.replyEmail?.toLowerCase() === reply.to.toLowerCase()) return;
    // Claimed before sending: approving the reply again does not send it twice.
    const claimed = await db
      .updateTable('comments')
      .set({ reply_notified: 1 })
      .where('id', '=', replyId)
      .where('reply_notified', '=', 0)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 0) return;
    const unsubscribe = await this.unsubscribeUrl(reply.parentId);
    const site = await this.#deps.siteTitle();
    const text = [
      `${reply.name} replied to your comment on “${reply.title}”:`,
      '',
      excerpt(reply.body),
      '',
      `Read it: ${publicUrl}${urls.post(reply.slug)}#comment-${replyId}`,
      '',
      `You asked to be told of replies. To stop these emails: ${unsubscribe}`,
      '',
      `— ${site}`,
    ].join('\n');
    await this.#deps.mailer.send({
      to: reply.to,
      subject: `${reply.name} replied to your comment on “${reply.title}”`,
      text,
      headers: { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    });
  }
}

const excerpt = (body: string) => (body.length > EXCERPT ? `${body.slice(0, EXCERPT)}…` : body);
