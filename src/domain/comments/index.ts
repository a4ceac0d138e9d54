import { createHash } from 'node:crypto';
import { ValidationError } from '../../errors.js';
import { hasControlCharacters, isEmailAddress } from '../../shared/text.js';
import type { CommentStatus, Db } from '../../storage/index.js';
import type { ChangeFeed } from '../changes.js';

export const MAX_COMMENT_LENGTH = 10_000;

/** An approved comment as readers see it. Commenter emails are never part of it. */
export interface Comment {
  id: number;
  postId: number;
  parentId: number | null;
  name: string;
  website: string | null;
  body: string;
  createdAt: string;
}

/** What the comment form sends. Every field arrives as text, or not at all. */
export interface CommentInput {
  postId?: string | number;
  name?: string;
  email?: string;
  website?: string;
  body?: string;
}

export interface CommentContext {
  ip: string;
  userAgent: string | undefined;
}

/** Checks a comment form; returns the problems by field name (empty when all is well). */
export function validateComment(input: CommentInput): Record<string, string> {
  const errors: Record<string, string> = {};
  const name = input.name?.trim() ?? '';
  if (name === '') errors.name = 'Please enter your name.';
  else if (name.length > 100) errors.name = 'A name can be at most 100 characters.';
  else if (/[\r\n]/.test(name) || hasControlCharacters(name)) errors.name = 'A name must be on one line.';
  const email = input.email?.trim() ?? '';
  if (email !== '' && !isEmailAddress(email)) errors.email = 'This does not look like an email address.';
  const website = input.website?.trim() ?? '';
  if (website !== '') {
    let ok = false;
    try {
      const url = new URL(website);
      ok =
        (url.protocol === 'http:' || url.protocol === 'https:') &&
        website.length <= 500 &&
        !hasControlCharacters(website);
    } catch {}
    if (!ok) errors.website = 'The website must be an address starting with http:// or https://.';
  }
  const body = input.body?.trim() ?? '';
  if (body === '') errors.body = 'Please write a comment.';
  else if (body.length > MAX_COMMENT_LENGTH)
    errors.body = `A comment can be at most ${MAX_COMMENT_LENGTH.toLocaleString('en')} characters (this one has ${body.length.toLocaleString('en')}).`;
  else if (hasControlCharacters(body)) errors.body = 'The comment contains characters that cannot be shown.';
  return errors;
}

/** Reader comments: taking them in for moderation, and listing the approved ones. */
export class CommentService {
  #db: Db;
  #secret: () => Promise<string>;
  #now: () => Date;
  #changes: ChangeFeed;

  constructor(deps: { db: Db; secret: () => Promise<string>; changes: ChangeFeed; now?: () => Date }) {
    this.#db = deps.db;
    this.#changes = deps.changes;
    this.#secret = deps.secret;
    this.#now = deps.now ?? (() => new Date());
  }

  /** Approved comments of a post, oldest first. */
  async approvedFor(postId: number): Promise<Comment[]> {
    const rows = await this.#db
      .selectFrom('comments')
      .select(['id', 'post_id', 'parent_id', 'author_name', 'author_website', 'body', 'created_at'])
      .where('post_id', '=', postId)
      .where('status', '=', 'approved')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      postId: r.post_id,
      parentId: r.parent_id,
      name: r.author_name,
      website: r.author_website,
      body: r.body,
      createdAt: r.created_at,
    }));
  }

  /**
   * Stores a reader's comment for moderation. Refuses, storing nothing, when a field is
   * wrong or the post is not open for comments.
   */
  async submit(
    input: CommentInput,
    context: CommentContext,
    status: CommentStatus = 'pending',
  ): Promise<{ id: number; postId: number }> {
    const errors = validateComment(input);
    const postId = Number(input.postId);
    const post =
      Number.isSafeInteger(postId) && postId > 0
        ? await this.#db
            .selectFrom('posts')
            .select(['id', 'comments_enabled'])
            .where('id', '=', postId)
            .where('status', '=', 'published')
            .where('published_at', '<=', this.#now().toISOString())
            .executeTakeFirst()
        : undefined;
    if (!post) errors.postId = 'This post does not exist or is not published.';
    else if (post.comments_enabled !== 1) errors.postId = 'Comments are closed on this post.';
    if (Object.keys(errors).length > 0 || !post) throw new ValidationError(errors);
    const secret = await this.#secret();
    const row = await this.#db
      .insertInto('comments')
      .values({
        post_id: post.id,
        parent_id: null,
        author_name: (input.name ?? '').trim(),
        author_email: input.email?.trim().toLowerCase() || null,
        author_website: input.website?.trim() || null,
        body: (input.body ?? '').trim(),
        status,
        created_at: this.#now().toISOString(),
        ip_hash: createHash('sha256').update(`${secret}:${context.ip}`).digest('hex'),
        user_agent: context.userAgent?.slice(0, 500) ?? null,
      })
      .returning(['id', 'post_id'])
      .executeTakeFirstOrThrow();
    return { id: row.id, postId: row.post_id };
  }

  /** Moves a comment to a status (approve, spam, trash); readers see the change at once. */
  async setStatus(id: number, status: CommentStatus): Promise<void> {
    const row = await this.#db
      .updateTable('comments')
      .set({ status })
      .where('id', '=', id)
      .returning('post_id')
      .executeTakeFirst();
    if (!row) throw new ValidationError({ id: `There is no comment ${id}.` });
    this.#changes.publish({ kind: 'comment', postId: row.post_id });
  }
}
