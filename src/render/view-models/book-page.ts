import { pictureHtml } from '../../content/markdown/index.js';
import { COVER_HEIGHT, COVER_WIDTH, type ResolvedBook } from '../../domain/books/index.js';
import { formatBytes, type MediaItem } from '../../domain/media/index.js';
import { escapeHtml } from '../../shared/html.js';
import { urls } from '../../shared/urls.js';
import type { Context } from './site.js';

/** A file of the book readers can download (from a build): EPUB or PDF. */
export interface BookDownload {
  format: string;
  url: string;
  bytes: number;
}

export interface BookTocEntryView {
  kind: 'part' | 'chapter';
  title: string;
  /** The post on the blog; null for text written only for the book. */
  url: string | null;
  /** Chapters of a part are listed inside it. */
  chapters: { title: string; url: string | null }[];
}

/** A book's public page: its cover, who wrote it, what it holds, and the files to download. */
export interface BookPageView {
  title: string;
  subtitle: string;
  /** The description's paragraphs (it is plain text; a blank line parts them). */
  description: string[];
  url: string;
  lang: string;
  authors: { name: string; role: string }[];
  coverHtml: string;
  coverUrl: string | null;
  toc: BookTocEntryView[];
  /** Empty: the page has no downloads section. */
  downloads: { format: string; label: string; url: string; size: string }[];
}

const ROLES: Record<string, string> = {
  aut: '',
  edt: 'editor',
  ill: 'illustrator',
  pht: 'photographer',
  trl: 'translator',
  ctb: 'contributor',
  aui: 'introduction',
};

const FORMATS: Record<string, string> = { epub: 'EPUB (e-readers, phones)', pdf: 'PDF (print)' };

/**
 * The view of a book's public page: the chapters in reading order (those that can be
 * built; a missing one is not announced to readers), grouped under their parts, each
 * linking to its post on the blog.
 */
export function bookPageView(
  resolved: ResolvedBook,
  ctx: Context,
  options: { cover?: MediaItem | undefined; drawnCover?: string; downloads?: BookDownload[] } = {},
): BookPageView {
  const { book, parts, chapters } = resolved;
  const toc: BookTocEntryView[] = [];
  const partViews = new Map<number, BookTocEntryView>();
  const placePartsBefore = (position: number) => {
    for (const p of parts) {
      if (partViews.has(p.position) || p.position > position) continue;
      const view: BookTocEntryView = { kind: 'part', title: p.title, url: null, chapters: [] };
      partViews.set(p.position, view);
      toc.push(view);
    }
  };
  for (const c of chapters) {
    placePartsBefore(c.position ?? Number.MAX_SAFE_INTEGER);
    const entry = { title: c.title, url: c.slug === null ? null : urls.post(c.slug) };
    const part = c.partPosition === null ? undefined : partViews.get(c.partPosition);
    if (part) part.chapters.push(entry);
    else toc.push({ kind: 'chapter', ...entry, chapters: [] });
  }
  placePartsBefore(Number.MAX_SAFE_INTEGER);
  const cover = options.cover;
  return {
    title: book.title,
    subtitle: book.subtitle,
    description: book.description
      .split(/\r?\n\s*\r?\n/)
      .map((p) => p.trim())
      .filter((p) => p !== ''),
    url: `${ctx.publicUrl}${urls.book(book.slug)}`,
    lang: book.language,
    authors: book.authors.map((a) => ({ name: a.name, role: ROLES[a.role] ?? '' })),
    coverHtml: options.drawnCover
      ? `<img class="book-cover" src="${escapeHtml(options.drawnCover)}" width="${COVER_WIDTH}" height="${COVER_HEIGHT}" alt="${escapeHtml(`The cover of ${book.title}`)}">`
      : cover
        ? pictureHtml(cover.image, {
            sizes: '(min-width: 40rem) 18rem, 60vw',
            alt: `The cover of ${book.title}`,
            eager: true,
            className: 'book-cover',
          })
        : '',
    coverUrl: options.drawnCover
      ? `${ctx.publicUrl}${options.drawnCover}`
      : cover
        ? `${ctx.publicUrl}${cover.url}`
        : null,
    toc,
    downloads: (options.downloads ?? []).map((d) => ({
      format: d.format,
      label: FORMATS[d.format] ?? d.format.toUpperCase(),
      url: d.url,
      size: formatBytes(d.bytes),
    })),
  };
}
