/**
 * View models: the plain objects templates see. No database rows, no services; strings
 * ending in `Html` are already safe markup, everything else is escaped by the theme.
 */

export {
  type BookDownload,
  type BookPageView,
  type BookTocEntryView,
  bookPageView,
} from './book-page.js';
export { type CommentFormView, type CommentView, commentFormView, commentThreads, commentView } from './comments.js';
export { type PostPageView, personLd, postPageView, type ShareView, shareView, websiteLd } from './post-page.js';
export {
  type AuthorView,
  authorView,
  type CardView,
  type Context,
  cardView,
  type DateView,
  dateView,
  type PaginationView,
  paginationView,
  type SiteView,
  siteView,
} from './site.js';
