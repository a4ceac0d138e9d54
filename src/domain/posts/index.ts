/** Posts and pages. */
export { PostService, type PostServiceDeps } from './post-service.js';
export { isPublished } from './published-reads.js';
export type { ExportedPost, ListQuery, NewPostInput, Page, Post, PostSummary } from './types.js';
