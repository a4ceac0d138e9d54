import sharp from 'sharp';
import { HearthError } from '../../errors.js';
import type { MediaService } from '../media/index.js';
import type { BookService } from './book-service.js';
import { coverText, drawCover } from './cover.js';
import { type EpubBook, type EpubImage, type EpubPart, toXhtml, writeEpub } from './epub/index.js';
import type { Book, ResolvedChapter } from './types.js';

export interface BuildDeps {
  books: BookService;
  media: MediaService;
  /** The blog's absolute URL: links to posts outside the book point there. */
  publicUrl: string;
  now?: () => Date;
}

export interface BuildOptions {
  /** Build without chapters whose posts are deleted or unpublished (else: refuse). */
  leaveOutMissing?: boolean;
  /** Told as each chapter is put together. */
  onProgress?: (done: number, total: number, title: string) => void;
}

export interface BuildResult {
  bytes: number;
  chapters: number;
  images: number;
  /** Titles of chapters left out. */
  leftOut: string[];
}

/** The long side of an image in the book, at most. */
export const BOOK_IMAGE_MAX = 1600;

/**
 * A book put together for any format: its chapters as XHTML fragments (links to other
 * chapters are `<id>.xhtml#…`, other links of the blog absolute URLs, photos `images/…`
 * of `images`), the converted cover and front matter.
 */
export interface PreparedBook {
  book: Book;
  parts: EpubPart[];
  images: EpubImage[];
  cover?: { data: Buffer; mediaType: string; alt: string };
  /** XHTML; absent when the book has none. */
  frontMatterHtml?: string;
  chapters: number;
  /** Titles of chapters left out. */
  leftOut: string[];
}

/**
 * Resolves a book and puts it together: stops when a chapter's post is missing (unless
 * `leaveOutMissing`) or there are no chapters; makes every chapter XHTML, keeps links between
 * chapters inside the book and converts every photo (at most 1600 px, no metadata).
 */
export async function prepareBook(
  deps: BuildDeps,
  bookId: number | string,
  options: BuildOptions = {},
): Promise<PreparedBook> {
  const resolved = await deps.books.resolve(bookId);
  const { book } = resolved;
  if (resolved.missing.length > 0 && !options.leaveOutMissing) {
    throw new HearthError('HEARTH_ERR_BOOK_CHAPTERS_MISSING', {
      book: book.slug,
      chapters: resolved.missing.map((m) => `"${m.title}" (${m.reason})`).join(', '),
    });
  }
  if (resolved.chapters.length === 0) throw new HearthError('HEARTH_ERR_BOOK_EMPTY', { book: book.slug });

  const ids = new Map<ResolvedChapter, string>();
  const bySlug = new Map<string, string>();
  resolved.chapters.forEach((chapter, i) => {
    const id = `chapter-${i + 1}`;
    ids.set(chapter, id);
    if (chapter.slug) bySlug.set(chapter.slug, id);
  });

  const images = new ImageCollector(deps.media);
  const base = deps.publicUrl.replace(/\/+$/, '');
  const prepare = async (html: string, where: string) =>
    images.rewrite(rewriteLinks(toXhtml(html), bySlug, base), where);

  const parts: EpubPart[] = [];
  const partTitles = new Map(resolved.parts.map((p) => [p.position, p.title]));
  let current: { key: number | null; part: EpubPart } | undefined;
  let done = 0;
  for (const chapter of resolved.chapters) {
    const key = chapter.partPosition;
    if (!current || current.key !== key) {
      current = { key, part: { title: key === null ? null : (partTitles.get(key) ?? null), chapters: [] } };
      parts.push(current.part);
    }
    const id = ids.get(chapter) as string;
    current.part.chapters.push({ id, title: chapter.title, html: await prepare(chapter.html, chapter.title) });
    options.onProgress?.(++done, resolved.chapters.length, chapter.title);
  }

  // The cover: the chosen photo as it is (`upload`), or drawn by Hearth from the title and
  // authors, over the photo when one is chosen (`drawn`, also a book without a photo).
  let cover: PreparedBook['cover'];
  const item = book.coverMediaId === null ? undefined : await deps.media.get(book.coverMediaId);
  if (item && book.coverMode === 'upload') {
    const image = await images.convert(item.url, 'the cover');
    cover = { data: image.data, mediaType: image.mediaType, alt: item.alt || book.title };
  } else if (book.coverMode === 'drawn') {
    let photo: Buffer | undefined;
    if (item) {
      photo = await deps.media.readFile(item.url);
      if (!photo) {
        throw new HearthError('HEARTH_ERR_BOOK_EPUB_INVALID', {
          item: 'the cover',
          reason: `the photo ${item.url} is not stored`,
        });
      }
    }
    const text = coverText(book);
    const names = text.authors;
    try {
      cover = { data: await drawCover(text, photo), mediaType: 'image/jpeg', alt: coverAlt(book.title, names) };
    } catch (error) {
      throw new HearthError(
        'HEARTH_ERR_BOOK_EPUB_INVALID',
        { item: 'the cover', reason: `the photo ${item?.url ?? ''} cannot be read` },
        { cause: error },
      );
    }
  }
  const frontMatterHtml = book.frontMatterHtml.trim()
    ? await prepare(book.frontMatterHtml, 'the front matter')
    : undefined;
  return {
    book,
    parts,
    images: images.list(),
    ...(cover ? { cover } : {}),
    ...(frontMatterHtml !== undefined ? { frontMatterHtml } : {}),
    chapters: resolved.chapters.length,
    leftOut: resolved.missing.map((m) => m.title),
  };
}

/**
 * Builds a book as an EPUB 3 file: links between its chapters stay inside the book, links to
 * other posts go to the blog, and every photo is a JPEG (PNG when it has transparency) of at
 * most 1600 px with no metadata. The file is written whole or not at all.
 */
export async function buildEpub(
  deps: BuildDeps,
  bookId: number | string,
  file: string,
  options: BuildOptions = {},
): Promise<BuildResult> {
  const prepared = await prepareBook(deps, bookId, options);
  const { book } = prepared;
  const epub: EpubBook = {
    identifier: book.identifier.replace(/^urn:(isbn|uuid):/i, ''),
    title: book.title,
    ...(book.subtitle ? { subtitle: book.subtitle } : {}),
    language: book.language,
    creators: book.authors.map((a) => ({ name: a.name, fileAs: a.fileAs || a.name, role: a.role || 'aut' })),
    ...(book.publisher ? { publisher: book.publisher } : {}),
    ...(book.rights ? { rights: book.rights } : {}),
    ...(book.description ? { description: book.description } : {}),
    subjects: book.subjects,
    modified: (deps.now ?? (() => new Date()))(),
    ...(prepared.cover ? { cover: prepared.cover } : {}),
    ...(prepared.frontMatterHtml !== undefined
      ? { frontMatter: { title: book.title, html: prepared.frontMatterHtml } }
      : {}),
    parts: prepared.parts,
    images: prepared.images,
  };
  const { bytes } = await writeEpub(epub, file);
  return { bytes, chapters: prepared.chapters, images: epub.images.length, leftOut: prepared.leftOut };
}

const decodeEntities = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
const encodeAttribute = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Links to chapters become `<id>.xhtml#…`; other links of the blog (`/…`) its absolute URL. */
function rewriteLinks(xhtml: string, bySlug: Map<string, string>, base: string): string {
  return xhtml.replace(/(<a\b[^>]*?\shref=")([^"]*)(")/g, (whole, head: string, value: string, tail: string) => {
    const href = decodeEntities(value);
    const local = href.startsWith(`${base}/`) ? href.slice(base.length) : href;
    if (!local.startsWith('/') || local.startsWith('//')) return whole;
    const match = /^\/([^/?#]+)\/?(?:[?][^#]*)?(#.*)?$/.exec(local);
    if (match?.[1]) {
      let slug: string;
      try {
        slug = decodeURIComponent(match[1]);
      } catch {
        slug = match[1];
      }
      const id = bySlug.get(slug);
      if (id) return head + encodeAttribute(`${id}.xhtml${match[2] ?? ''}`) + tail;
    }
    return head + encodeAttribute(base + local) + tail;
  });
}

/** Photos of the media library, read once each and converted for the book. */
class ImageCollector {
  #media: MediaService;
  #bySrc = new Map<string, EpubImage>();

  constructor(media: MediaService) {
    this.#media = media;
  }

  list(): EpubImage[] {
    return [...this.#bySrc.values()];
  }

  async rewrite(xhtml: string, where: string): Promise<string> {
    const pattern = /(<img\b[^>]*?\ssrc=")([^"]*)(")/g;
    const found = [...xhtml.matchAll(pattern)].map((m) => decodeEntities(m[2] ?? ''));
    const hrefs = new Map<string, string>();
    for (const src of found) {
      const path = src.startsWith('/media/') ? src : undefined;
      if (path && !hrefs.has(src)) hrefs.set(src, (await this.add(path, where)).href);
    }
    return xhtml.replace(pattern, (whole, head: string, value: string, tail: string) => {
      const href = hrefs.get(decodeEntities(value));
      return href ? head + encodeAttribute(href) + tail : whole;
    });
  }

  async add(src: string, where: string): Promise<EpubImage> {
    const known = this.#bySrc.get(src);
    if (known) return known;
    const image = await this.convert(src, where);
    const ext = image.mediaType === 'image/png' ? 'png' : 'jpg';
    const entry = { href: `images/image-${this.#bySrc.size + 1}.${ext}`, ...image };
    this.#bySrc.set(src, entry);
    return entry;
  }

  /** The photo as a JPEG (PNG with transparency), at most 1600 px long, with no metadata. */
  async convert(src: string, where: string): Promise<{ data: Buffer; mediaType: string }> {
    const data = await this.#media.readFile(src);
    if (!data) {
      throw new HearthError('HEARTH_ERR_BOOK_EPUB_INVALID', { item: where, reason: `the photo ${src} is not stored` });
    }
    try {
      const meta = await sharp(data).metadata();
      // No withMetadata(): sharp writes no EXIF, GPS, XMP or ICC data.
      const pipeline = sharp(data)
        .rotate()
        .resize({ width: BOOK_IMAGE_MAX, height: BOOK_IMAGE_MAX, fit: 'inside', withoutEnlargement: true });
      if (meta.hasAlpha) return { data: await pipeline.png().toBuffer(), mediaType: 'image/png' };
      return { data: await pipeline.jpeg({ quality: 82, mozjpeg: true }).toBuffer(), mediaType: 'image/jpeg' };
    } catch (error) {
      throw new HearthError(
        'HEARTH_ERR_BOOK_EPUB_INVALID',
        { item: where, reason: `the photo ${src} cannot be read` },
        { cause: error },
      );
    }
  }
}

/** What a drawn cover shows, for a reader who cannot see it. */
function coverAlt(title: string, authors: string[]): string {
  return authors.length > 0 ? `The cover: ${title}, by ${authors.join(', ')}.` : `The cover: ${title}.`;
}
