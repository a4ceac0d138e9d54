/**
 * What `writeEpub` takes: a book already put together (chapters as HTML fragments, images
 * already converted to a type EPUB holds). Chapter `id`s become file names (`<id>.xhtml`,
 * beside `images/…`), so a link from one chapter to another is `<id>.xhtml#anchor`, and an
 * image in a chapter is `src="<href>"` of one of `images`.
 */
export interface EpubBook {
  /** An ISBN (10 or 13 digits, hyphens allowed) or a UUID; written as `urn:isbn:` or `urn:uuid:`. */
  identifier: string;
  title: string;
  subtitle?: string;
  /** A BCP 47 language tag, e.g. `en` or `pt-BR`. */
  language: string;
  /** At least one; `role` is a MARC relator code (`aut` if not given, `edt`, `ill`, `trl`…). */
  creators: EpubCreator[];
  publisher?: string;
  rights?: string;
  description?: string;
  subjects: string[];
  /** Written as `dcterms:modified`, to the second. */
  modified: Date;
  cover?: { data: Buffer; mediaType: string; alt?: string };
  frontMatter?: { title: string; html: string };
  /** At least one chapter in all; a part with a `null` title has no heading of its own in the contents. */
  parts: EpubPart[];
  /** Every image the chapters show; `href` is a relative path such as `images/bath.jpg`. */
  images: EpubImage[];
  /** Words of the navigation document in the book's language (English if not given). */
  labels?: { contents?: string; cover?: string; start?: string; landmarks?: string };
  /** Replaces the built-in e-reader style sheet. */
  css?: string;
}

export interface EpubCreator {
  name: string;
  fileAs?: string;
  role?: string;
}

export interface EpubPart {
  title: string | null;
  chapters: EpubChapter[];
}

export interface EpubChapter {
  /** A file name stem: a letter, then letters, digits, `-` or `_`. Unique in the book. */
  id: string;
  title: string;
  /** An HTML fragment (what Hearth's Markdown renderer writes); made into XHTML by `toXhtml`. */
  html: string;
}

export interface EpubImage {
  href: string;
  data: Buffer;
  /** Checked when written: one of `EPUB_IMAGE_TYPES`. */
  mediaType: string;
}

/** EPUB 3's core media types for images. */
export const EPUB_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/svg+xml'] as const;
export type EpubImageType = (typeof EPUB_IMAGE_TYPES)[number];
