/** The Markdown pipeline, run when a post is saved: CommonMark with figures, responsive images and blocks. */

export { type MarkdownImage, markdownImages } from './images.js';
export { editorNoteBlocks } from './notes.js';
export { CONTENT_SIZES, looksLikeFileName, pictureHtml } from './picture.js';
export { createMarkdownRenderer, type MarkdownRenderer } from './renderer.js';
export type { PictureImage, RenderContext } from './types.js';
