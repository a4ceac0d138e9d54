/** Portability: moving a blog in from WordPress, Ghost and Markdown folders, and out again. */

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
export { type GhostContent, type GhostContentOptions, ghostToMarkdown } from './ghost/content.js';
export {
  type GhostExport,
  type GhostPost,
  type GhostSite,
  type GhostTag,
  type GhostUser,
  readGhostExport,
} from './ghost/export.js';
export { type GhostImportOptions, ghostImporter } from './ghost/importer.js';
export { type HtmlToMarkdownOptions, htmlToMarkdown, type MarkdownImage } from './html-markdown.js';
export {
  type ImportJob,
  type ImportJobState,
  ImportJobs,
  type ImportJobsDeps,
  type ImportPlatform,
  type RunningImport,
} from './jobs.js';
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
export { zipMediaFiles } from './media-zip.js';
export type * from './model.js';
export {
  createRemoteMedia,
  isPublicAddress,
  REMOTE_MEDIA_USER_AGENT,
  type RemoteMedia,
  type RemoteMediaFailure,
  type RemoteMediaOptions,
} from './remote-media.js';
export {
  type WordpressAttachment,
  type WordpressContent,
  type WordpressContentOptions,
  wordpressToMarkdown,
  wpautop,
} from './wordpress/content.js';
export { type WordpressExportDeps, wordpressExportSource } from './wordpress/export-source.js';
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
  absoluteUrls,
  cdata,
  WXR_NAMESPACE,
  type WxrExportCounts,
  type WxrExportSource,
  writeWxr,
  writeWxrFile,
} from './wordpress/wxr-writer.js';
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
