/** EPUB 3 books: `writeEpub` writes a put-together book; `toXhtml` makes HTML fragments XHTML. */

export type { EpubBook, EpubChapter, EpubCreator, EpubImage, EpubPart } from './types.js';
export { EPUB_IMAGE_TYPES } from './types.js';
export { writeEpub } from './write.js';
export { toXhtml } from './xhtml.js';
