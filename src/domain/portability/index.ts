/** Portability: moving a blog in from WordPress, Ghost and Markdown folders, and out again. */

export { parseFrontMatterDate, splitFrontMatter } from './markdown/front-matter.js';
export {
  type ExportedPost,
  exportedPosts,
  exportMarkdown,
  type MarkdownExportDeps,
  type MarkdownExportOptions,
  type MarkdownExportResult,
} from './markdown/markdown-export.js';
export { type MarkdownImportOptions, markdownImporter } from './markdown/markdown-importer.js';
export { folderMediaFiles } from './media-folder.js';
export type * from './model.js';
export {
  type WordpressAttachment,
  type WordpressContent,
  type WordpressContentOptions,
  wordpressToMarkdown,
  wpautop,
} from './wordpress/content.js';
export { type WxrOpener, wordpressImporter } from './wordpress/importer.js';
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
export {
  IMPORT_KINDS,
  type ImportCount,
  type ImportKind,
  type ImportOptions,
  type ImportProgress,
  type ImportReport,
  ImportWriter,
  type ImportWriterDeps,
} from './writer.js';
