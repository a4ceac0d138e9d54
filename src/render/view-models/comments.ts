import type { Comment } from '../../domain/comments/index.js';
import { urls } from '../../shared/urls.js';
import { formatDateTime } from '../dates.js';
import type { Context, DateView } from './site.js';

/** Comments as the post page shows them: threads, and the form with its spam defences. */

export interface CommentView {
  id: number;
  anchor: string;
  name: string;
  website: string | null;
  date: DateView;
  bodyHtml: string;
  depth: number;
  /** Written by the site's staff: shown with an "Author" badge. */
  byAuthor: boolean;
  /** The reply link (works without script: the page shows the form set to reply); null past the depth limit. */
  replyUrl: string | null;
  replies: CommentView[];
}

export interface CommentFormView {
  action: string;
  postId: number;
  values: { name: string; email: string; website: string; body: string };
  errors: Record<string, string>;
  errorList: { field: string; message: string }[];
  submitted: boolean;
  maxLength: number;
  /** The comment this form replies to, when a reader chose one. */
  replyTo: { id: number; name: string; anchor: string } | null;
  /** Where the theme's script fetches a form token (see `issueFormToken`). */
  tokenUrl: string;
  /** The name of the hidden field only robots fill in. */
  honeypot: string;
  /** The page's address without a reply chosen, to cancel one without script. */
  cancelReplyUrl: string;
}

export function commentView(comment: Comment, ctx: Context, reply: { url: string; canReply: boolean }): CommentView {
  return {
    id: comment.id,
    anchor: `comment-${comment.id}`,
    name: comment.name,
    website: comment.website,
    date: {
      iso: comment.createdAt,
      text: formatDateTime(comment.createdAt, ctx.timezone, 'en-US', ctx.settings.dateFormat),
    },
    bodyHtml: comment.bodyHtml,
    depth: comment.depth,
    byAuthor: comment.byAuthor,
    replyUrl: reply.canReply ? `${reply.url}?replyto=${comment.id}#respond` : null,
    replies: [],
  };
}

/**
 * Approved comments as threads: each reply under the comment it answers, oldest first.
 * A reply whose parent is not shown (no longer approved) stands on its own.
 */
export function commentThreads(
  comments: Comment[],
  ctx: Context,
  options: { postUrl: string; open: boolean; maxDepth: number },
): CommentView[] {
  const views = new Map<number, CommentView>();
  const roots: CommentView[] = [];
  for (const c of comments) {
    views.set(
      c.id,
      commentView(c, ctx, { url: options.postUrl, canReply: options.open && c.depth < options.maxDepth }),
    );
  }
  for (const c of comments) {
    const view = views.get(c.id) as CommentView;
    const parent = c.parentId === null ? undefined : views.get(c.parentId);
    if (parent) parent.replies.push(view);
    else roots.push(view);
  }
  return roots;
}

export function commentFormView(
  post: { id: number; slug: string },
  input: {
    values?: Partial<CommentFormView['values']>;
    errors?: Record<string, string>;
    submitted?: boolean;
    replyTo?: { id: number; name: string } | undefined;
  },
  options: { maxLength: number; honeypot: string },
): CommentFormView {
  const labels: Record<string, string> = {
    name: 'Name',
    email: 'Email',
    website: 'Website',
    body: 'Comment',
    postId: 'Post',
    parent: 'Reply',
  };
  const errors = input.errors ?? {};
  const replyTo = input.replyTo;
  return {
    action: urls.comments(),
    postId: post.id,
    replyTo: replyTo ? { id: replyTo.id, name: replyTo.name, anchor: `comment-${replyTo.id}` } : null,
    tokenUrl: `${urls.comments()}/token?post=${post.id}`,
    honeypot: options.honeypot,
    cancelReplyUrl: `${urls.post(post.slug)}#respond`,
    values: { name: '', email: '', website: '', body: '', ...input.values },
    errors,
    errorList: Object.entries(errors).map(([field, message]) => ({
      field,
      message: `${labels[field] ?? field}: ${message}`,
    })),
    submitted: input.submitted ?? false,
    maxLength: options.maxLength,
  };
}
