import type { Role } from '../../storage/index.js';

/** Who makes or changes a book: a signed-in person (the CLI acts as the owner). */
export interface BookActor {
  id: number;
  role: Role;
}

export type CoverMode = 'upload' | 'drawn';

/** The page sizes a book prints on: A5, US trade (6 x 9 in), A4, US Letter. */
export type PageSize = 'a5' | 'us-trade' | 'a4' | 'letter';
export const PAGE_SIZES: readonly PageSize[] = ['a5', 'us-trade', 'a4', 'letter'];

/** A book's own fields as a writer gives them; on update, only those given change. */
export interface BookInput {
  title?: string;
  subtitle?: string;
  /** Made from the title when left empty on create. */
  slug?: string;
  /** A BCP 47 tag such as `en`, `en-GB`, `pt-BR`. */
  language?: string;
  description?: string;
  publisher?: string;
  rights?: string;
  /** An ISBN-10 or ISBN-13 (hyphens and spaces allowed); empty: a generated `urn:uuid`. */
  isbn?: string;
  subjects?: string[];
  /** A photo of the media library; null for none. */
  coverMediaId?: number | null;
  coverMode?: CoverMode;
  /** The page size of the PDF: a5 (the default), us-trade, a4 or letter. */
  pageSize?: PageSize;
  /** Markdown: dedication, foreword. */
  frontMatter?: string;
  public?: boolean;
  /** Whether the public page offers the EPUB and PDF as free downloads. */
  offerDownloads?: boolean;
}

/** A MARC relator code, as EPUB's `dc:creator` roles use them. */
export type AuthorRole = 'aut' | 'edt' | 'ill' | 'pht' | 'trl' | 'ctb' | 'aui';
export const AUTHOR_ROLES: readonly AuthorRole[] = ['aut', 'edt', 'ill', 'pht', 'trl', 'ctb', 'aui'];

/** An author of a book: a user of the blog (name from the profile unless given) or free text. */
export interface BookAuthorInput {
  userId?: number;
  name?: string;
  /** How the name sorts, e.g. "Ashby, Maren"; empty: the name. */
  fileAs?: string;
  role?: AuthorRole;
}

export interface BookAuthor {
  userId: number | null;
  name: string;
  fileAs: string;
  role: string;
}

/** A chapter as the table of contents names it: a post or page (by id or slug), or text written for the book. */
export type ChapterInput = { post: number | string } | { title: string; body: string };
/** An entry of the table of contents: a chapter, or a part grouping chapters. */
export type TocEntryInput = ChapterInput | { part: string; chapters: ChapterInput[] };

/** A book as stored, with its authors. */
export interface Book {
  id: number;
  slug: string;
  title: string;
  subtitle: string;
  language: string;
  description: string;
  publisher: string;
  rights: string;
  /** `urn:isbn:…` or `urn:uuid:…`. */
  identifier: string;
  subjects: string[];
  coverMediaId: number | null;
  coverMode: CoverMode;
  pageSize: PageSize;
  frontMatter: string;
  frontMatterHtml: string;
  public: boolean;
  offerDownloads: boolean;
  createdBy: number | null;
  createdAt: string;
  updatedAt: string;
  authors: BookAuthor[];
}

/** A line of the book list. */
export interface BookSummary {
  id: number;
  slug: string;
  title: string;
  /** Chapters chosen by hand (a category or tag source adds more at resolve). */
  chapters: number;
  parts: number;
  /** The categories or tags feeding the book, e.g. `category:green-living`. */
  sources: string[];
  updatedAt: string;
}

/** A table of contents as stored: each entry in reading order. */
export type TocEntry =
  | { position: number; kind: 'part'; title: string }
  | {
      position: number;
      kind: 'chapter';
      title: string;
      postId: number | null;
      body: string;
      bodyHtml: string;
      partPosition: number | null;
    };

export interface BookSource {
  kind: 'category' | 'tag';
  termId: number;
}

/** A chapter ready to build: its title and HTML (a post's or the book's own). */
export interface ResolvedChapter {
  /** Its place in the table of contents; null for a chapter a category or tag gave. */
  position: number | null;
  /** The part it belongs to, by position; null outside parts. */
  partPosition: number | null;
  origin: 'post' | 'text' | 'source';
  title: string;
  html: string;
  postId: number | null;
  /** The post's slug (for links between chapters and to the blog); null for book-only text. */
  slug: string | null;
  publishedAt: string | null;
}

export interface ResolvedPart {
  position: number;
  title: string;
}

/**
 * A chapter that cannot be built: its post was deleted or is not published (a draft,
 * scheduled), or a category or tag that feeds the book is gone.
 */
export interface MissingChapter {
  reason: 'deleted' | 'unpublished' | 'source-deleted';
  /** The table of contents entry (null for a source). */
  position: number | null;
  postId: number | null;
  /** The post's title (as last known for a deleted one), or the source's kind and id. */
  title: string;
}

/** A book's chapters in reading order, with what cannot be built: a builder stops, or leaves them out. */
export interface ResolvedBook {
  book: Book;
  parts: ResolvedPart[];
  /** Only the chapters that can be built. */
  chapters: ResolvedChapter[];
  missing: MissingChapter[];
}
