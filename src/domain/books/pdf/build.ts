import { type BuildDeps, type BuildOptions, type BuildResult, prepareBook } from '../build.js';
import type { PageSize } from '../types.js';
import { printDocument } from './document.js';
import { pagedPolyfillUrl, renderPdf } from './render.js';

export interface PdfDeps extends BuildDeps {
  /** The Chromium binary (Debian's `chromium` package: /usr/bin/chromium). */
  chromiumPath: string;
  /** The longest the layout and PDF may take, in ms (default 5 minutes). */
  timeoutMs?: number;
}

export interface PdfOptions extends BuildOptions {
  /** Overrides the book's own page size. */
  pageSize?: PageSize;
}

export interface PdfResult extends BuildResult {
  pages: number;
  pageSize: PageSize;
}

/**
 * Builds a book as a PDF for print, from the same chapters as the EPUB: Paged.js lays it out
 * in Chromium (running heads, page numbers, a table of contents with page numbers, chapters
 * on right-hand pages, figures never split). `onProgress` is told of each chapter, then once
 * more when the PDF is rendered. The file is written whole or not at all.
 */
export async function buildPdf(
  deps: PdfDeps,
  bookId: number | string,
  file: string,
  options: PdfOptions = {},
): Promise<PdfResult> {
  const { onProgress } = options;
  const prepared = await prepareBook(deps, bookId, {
    ...(options.leaveOutMissing !== undefined ? { leaveOutMissing: options.leaveOutMissing } : {}),
    ...(onProgress ? { onProgress: (done, total, title) => onProgress(done, total + 1, title) } : {}),
  });
  const pageSize = options.pageSize ?? prepared.book.pageSize;
  const document = printDocument(prepared, pageSize, pagedPolyfillUrl());
  const { pages, bytes } = await renderPdf(document, file, {
    chromiumPath: deps.chromiumPath,
    timeoutMs: deps.timeoutMs ?? 300_000,
  });
  onProgress?.(prepared.chapters + 1, prepared.chapters + 1, 'PDF');
  return {
    bytes,
    chapters: prepared.chapters,
    images: prepared.images.length,
    leftOut: prepared.leftOut,
    pages,
    pageSize,
  };
}
