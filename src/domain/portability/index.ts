/** Portability: moving a blog in from WordPress (and, later, Ghost and Markdown) and out again. */

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
