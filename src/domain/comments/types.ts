import type { CommentStatus } from '../../storage/index.js';

/** A comment in any status as an export carries it (emails included: the site's owner exports). */
export interface ExportedComment {
  id: number;
  postId: number;
  parentId: number | null;
  authorName: string;
  authorEmail: string | null;
  authorWebsite: string | null;
  html: string;
  status: CommentStatus;
  createdAt: string;
  /** The staff member who wrote it, if one did. */
  staffUserId: number | null;
}

/** An approved comment as readers see it. Commenter emails are never part of it. */
export interface Comment {
  id: number;
  postId: number;
  parentId: number | null;
  /** 1 for a comment on the post, 2 for a reply to one, and so on. */
  depth: number;
  name: string;
  website: string | null;
  /** Safe HTML, rendered from the text when the comment was stored. */
  bodyHtml: string;
  createdAt: string;
  /** Written by the site's staff from the moderation queue: the theme shows an "Author" badge. */
  byAuthor: boolean;
}

/** What the comment form sends. Every field arrives as text, or not at all. */
export interface CommentInput {
  postId?: string | number;
  /** The comment this one replies to. */
  parentId?: string | number;
  name?: string;
  email?: string;
  website?: string;
  body?: string;
  /** The form token that the theme's script fills in (see `issueFormToken`). */
  token?: string;
  /** The honeypot field. */
  trap?: string;
  /** "Tell me about replies": email the commenter when a reply is approved (needs an email). */
  notifyReplies?: boolean;
}

export interface CommentContext {
  ip: string;
  userAgent: string | undefined;
}

/** What became of a comment that was taken in. */
export interface SubmitResult {
  id: number;
  postId: number;
  status: CommentStatus;
}

/** Whether a post takes comments now, and until when. */
export interface CommentsOpenness {
  open: boolean;
  /** When the comments close by age, if they will. */
  closesAt: Date | undefined;
}
