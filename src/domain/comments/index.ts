/**
 * Reader comments: taking them in with spam defence and a moderation policy, threads,
 * safe text, comment feeds, and a commenter's data (export, erase, forgetting addresses).
 */

export { COMMENT_FEED_LENGTH, type CommentFeed, CommentFeedService, commentFeedPath } from './comment-feed.js';
export { CommentService, type CommentServiceDeps, commentsOpenness } from './comment-service.js';
export { COMMENT_LINK_REL, type CommentText, renderCommentText } from './comment-text.js';
export {
  CommentModeration,
  MODERATION_ACTIONS,
  type ModerationAction,
  type Moderator,
  QUEUE_TABS,
  type QueueCounts,
  type QueueItem,
  type QueueTab,
} from './moderation.js';
export { CommentNotifier, type CommentNotifierDeps } from './notifications.js';
export type { CommenterExport } from './privacy.js';
export {
  blocklistCheck,
  bodyHash,
  type Candidate,
  type CheckEnv,
  duplicateCheck,
  type Finding,
  formTokenCheck,
  HONEYPOT_FIELD,
  honeypotCheck,
  issueFormToken,
  LearningFilter,
  linksCheck,
  MIN_TRAINING,
  type SpamCheck,
  spamTokens,
  verifyFormToken,
} from './spam/index.js';
export type {
  Comment,
  CommentContext,
  CommentInput,
  CommentsOpenness,
  ExportedComment,
  SubmitResult,
} from './types.js';
export { MAX_COMMENT_LENGTH, parseId, validateComment } from './validation.js';
