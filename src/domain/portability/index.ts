/** Portability: moving a blog in from WordPress (and, later, Ghost and Markdown) and out again. */

export {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  type ArchiveManifest,
  type ArchiveProgress,
  ArchiveService,
  type ExportOptions,
  type RestoreOptions,
  type RestoreResult,
} from './archive/service.js';
export {
  type WordpressAttachment,
  type WordpressContent,
  type WordpressContentOptions,
  wordpressToMarkdown,
  wpautop,
} from './wordpress/content.js';
export { readWxr } from './wordpress/wxr-reader.js';
export type {
  WxrAuthor,
  WxrCategory,
  WxrComment,
  WxrCommentApproval,
  WxrEntry,
  WxrItem,
  WxrItemTerm,
  WxrMeta,
  WxrPostStatus,
  WxrSite,
  WxrTag,
  WxrTerm,
} from './wordpress/wxr-types.js';
