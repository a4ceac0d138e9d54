/** Writing posts and pages: the admin's list, the editor's saves, revisions, previews, scheduling. */
export { type EditorialDeps, EditorialService } from './editorial-service.js';
export {
  type ReviewDeps,
  type ReviewNote,
  ReviewService,
  type ReviewState,
  type WaitingPost,
} from './review.js';
export { PublishScheduler, type SchedulerDeps } from './scheduler.js';
export { TRASH_DAYS, Trash, type TrashDeps, type TrashedPost } from './trash.js';
export type {
  DiffPart,
  EditablePost,
  EditorInput,
  PostListItem,
  PostListQuery,
  Revision,
  SaveOptions,
  StatusIntent,
  Writer,
} from './types.js';
export { type RemovedPosts, UserRemoval, type UserRemovalDeps } from './user-removal.js';
