/** Books made from the blog's posts (issue 17): the model and its service; the EPUB writer is epub/. */
export { BOOK_LIMITS, canonicalLanguage, parseIsbn } from './book-input.js';
export {
  type BookChoices,
  type BookDraft,
  type BookRef,
  BookService,
  type BookServiceDeps,
} from './book-service.js';
export {
  BOOK_IMAGE_MAX,
  type BuildDeps,
  type BuildOptions,
  type BuildResult,
  buildEpub,
  type PreparedBook,
  prepareBook,
} from './build.js';
export {
  BOOK_BUILDER_VERSION,
  BOOK_FORMATS,
  type BookBuild,
  type BookBuilder,
  type BookBuildOptions,
  BookBuilds,
  type BookBuildsDeps,
  type BookFile,
  type BookFormat,
  type StartOptions,
} from './builds.js';
export { COVER_HEIGHT, COVER_WIDTH, type CoverText, coverHash, coverText, drawCover } from './cover.js';
export { buildPdf, type PdfDeps, type PdfOptions, type PdfResult } from './pdf/index.js';
export {
  AUTHOR_ROLES,
  type AuthorRole,
  type Book,
  type BookActor,
  type BookAuthor,
  type BookAuthorInput,
  type BookInput,
  type BookSource,
  type BookSummary,
  type ChapterInput,
  type CoverMode,
  type MissingChapter,
  PAGE_SIZES,
  type PageSize,
  type ResolvedBook,
  type ResolvedChapter,
  type ResolvedPart,
  type TocEntry,
  type TocEntryInput,
} from './types.js';
