/** Portability: moving a blog in from WordPress and Ghost (and, later, Markdown) and out again. */

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
