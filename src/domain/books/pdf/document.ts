/*
 * The print document of a book: one HTML page (cover, title page, front matter, contents,
 * parts and chapters) with paged CSS that Paged.js lays out in Chromium: running heads with
 * the book's and the chapter's titles, page numbers, a table of contents whose page numbers
 * are `target-counter()`, chapters opening on a right-hand page, figures kept whole.
 */
import { HearthError } from '../../../errors.js';
import type { PreparedBook } from '../build.js';
import type { PageSize } from '../types.js';

interface Sheet {
  /** CSS `size`. */
  size: string;
  /** Width and height, in millimetres. */
  width: number;
  height: number;
  top: number;
  bottom: number;
  inner: number;
  outer: number;
  fontSize: string;
}

const MM_PER_IN = 25.4;
/** Each page size with its margins (mm): the inner margin, at the spine, is the wider. */
export const SHEETS: Record<PageSize, Sheet> = {
  a5: { size: 'A5', width: 148, height: 210, top: 18, bottom: 20, inner: 20, outer: 14, fontSize: '10.5pt' },
  'us-trade': {
    size: '6in 9in',
    width: 6 * MM_PER_IN,
    height: 9 * MM_PER_IN,
    top: 19,
    bottom: 21,
    inner: 21,
    outer: 15,
    fontSize: '10.5pt',
  },
  a4: { size: 'A4', width: 210, height: 297, top: 25, bottom: 25, inner: 28, outer: 20, fontSize: '11pt' },
  letter: {
    size: 'letter',
    width: 8.5 * MM_PER_IN,
    height: 11 * MM_PER_IN,
    top: 25,
    bottom: 25,
    inner: 28,
    outer: 20,
    fontSize: '11pt',
  },
};

export interface PrintDocument {
  html: string;
  /** The image files the document shows, by their path relative to it. */
  files: { path: string; data: Buffer }[];
  /** The only file outside the document's folder it loads: Paged.js. */
  scriptUrl: string;
}

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttribute = (s: string) => escapeText(s).replace(/"/g, '&quot;');
/**
 * A CSS string inside a `<style>` element: quotes and backslashes escaped, line breaks and
 * control characters gone, and `<` written as a CSS escape, so that no text can close the
 * element (`</style>`) and add markup to the page.
 */
export const cssString = (s: string) =>
  `"${s
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/</g, '\\3c ')}"`;

/**
 * Ids of one chapter made unique in the whole document (`chapter-2--notes`), and its links
 * to chapters (`chapter-3.xhtml#x`) made links inside the document (`#chapter-3--x`).
 */
export function localise(xhtml: string, chapterId: string | null): string {
  const scoped = (id: string) => (chapterId ? `${chapterId}--${id}` : `front--${id}`);
  return xhtml
    .replace(
      /(\s(?:id|aria-labelledby|aria-describedby)=")([^"]*)(")/g,
      (_w, head: string, value: string, tail: string) => {
        const ids = value.split(' ').map((id) => (id ? scoped(id) : id));
        return head + ids.join(' ') + tail;
      },
    )
    .replace(/(<a\b[^>]*?\shref=")([^"]*)(")/g, (whole, head: string, href: string, tail: string) => {
      if (href.startsWith('#')) return href.length > 1 ? `${head}#${scoped(href.slice(1))}${tail}` : whole;
      const other = /^(chapter-\d+)\.xhtml(?:#(.*))?$/.exec(href);
      if (!other?.[1]) return whole;
      return `${head}#${other[2] ? `${other[1]}--${other[2]}` : other[1]}${tail}`;
    });
}

/** Refuses a chapter that shows an image the book does not carry, as the EPUB does. */
function checkImages(xhtml: string, carried: Set<string>, where: string): void {
  for (const match of xhtml.matchAll(/<img\b[^>]*?\ssrc="([^"]*)"/g)) {
    const src = (match[1] ?? '').replace(/&amp;/g, '&');
    if (!carried.has(src)) {
      throw new HearthError('HEARTH_ERR_BOOK_EPUB_INVALID', {
        item: where,
        reason: `it shows the image "${src}", which the book does not carry`,
      });
    }
  }
}

/**
 * The book as one HTML document for Paged.js, with the files it shows. Widows and orphans
 * need no script: Paged.js fills each page as CSS columns, which Chromium breaks honouring them.
 */
export function printDocument(prepared: PreparedBook, pageSize: PageSize, polyfillUrl: string): PrintDocument {
  const { book } = prepared;
  const sheet = SHEETS[pageSize];
  const files: PrintDocument['files'] = prepared.images.map((image) => ({ path: image.href, data: image.data }));
  const carried = new Set(files.map((f) => f.path));
  const body: string[] = [];

  if (prepared.cover) {
    const name = `cover.${prepared.cover.mediaType === 'image/png' ? 'png' : 'jpg'}`;
    files.push({ path: name, data: prepared.cover.data });
    body.push(`<section class="cover"><img src="${name}" alt="${escapeAttribute(prepared.cover.alt)}"/></section>`);
  }

  const authors = book.authors.map((a) => escapeText(a.name)).join(', ');
  body.push(
    '<section class="title-page">' +
      `<h1 class="book-title">${escapeText(book.title)}</h1>` +
      (book.subtitle ? `<p class="book-subtitle">${escapeText(book.subtitle)}</p>` : '') +
      (authors ? `<p class="book-authors">${authors}</p>` : '') +
      (book.publisher ? `<p class="book-publisher">${escapeText(book.publisher)}</p>` : '') +
      (book.rights ? `<p class="book-rights">${escapeText(book.rights)}</p>` : '') +
      '</section>',
  );
  if (prepared.frontMatterHtml !== undefined) {
    checkImages(prepared.frontMatterHtml, carried, 'the front matter');
    body.push(`<section class="front-matter">${localise(prepared.frontMatterHtml, null)}</section>`);
  }

  const toc: string[] = [];
  const main: string[] = [];
  prepared.parts.forEach((part, i) => {
    if (part.title) {
      const id = `part-${i + 1}`;
      toc.push(`<li class="toc-part"><a href="#${id}">${escapeText(part.title)}</a></li>`);
      main.push(`<section class="part" id="${id}"><h1 class="part-title">${escapeText(part.title)}</h1></section>`);
    }
    for (const chapter of part.chapters) {
      checkImages(chapter.html, carried, chapter.title);
      toc.push(
        `<li class="toc-chapter"><a href="#${chapter.id}"><span class="toc-title">${escapeText(chapter.title)}</span></a></li>`,
      );
      main.push(
        `<section class="chapter" id="${chapter.id}"><h1 class="chapter-title">${escapeText(chapter.title)}</h1>\n` +
          `${localise(chapter.html, chapter.id)}\n</section>`,
      );
    }
  });
  body.push(`<nav class="toc"><h1 class="toc-heading">Contents</h1><ol>${toc.join('')}</ol></nav>`);
  body.push(...main);

  const html =
    `<!DOCTYPE html>\n<html lang="${escapeAttribute(book.language)}">\n<head>\n<meta charset="utf-8"/>\n` +
    `<title>${escapeText(book.title)}</title>\n<style>\n${printCss(sheet, book.title)}</style>\n` +
    '<script>window.PagedConfig = { auto: false };</script>\n' +
    `<script src="${escapeAttribute(polyfillUrl)}"></script>\n</head>\n<body>\n${body.join('\n')}\n</body>\n</html>\n`;
  return { html, files, scriptUrl: polyfillUrl };
}

/** The paged style sheet for one page size. */
export function printCss(sheet: Sheet, bookTitle: string): string {
  const mm = (n: number) => `${Math.round(n * 100) / 100}mm`;
  // An image and a two-line caption always fit in the page's text area.
  const imageMax = mm((sheet.height - sheet.top - sheet.bottom) * 0.78);
  return `@page {
  size: ${sheet.size};
  margin: ${mm(sheet.top)} ${mm(sheet.outer)} ${mm(sheet.bottom)} ${mm(sheet.inner)};
  @bottom-center { content: counter(page); font-size: 9pt; }
}
@page :left {
  margin-left: ${mm(sheet.outer)};
  margin-right: ${mm(sheet.inner)};
  @top-left { content: ${cssString(bookTitle)}; font-size: 8.5pt; font-style: italic; }
}
@page :right {
  margin-left: ${mm(sheet.inner)};
  margin-right: ${mm(sheet.outer)};
  @top-right { content: string(chapter); font-size: 8.5pt; font-style: italic; }
}
@page :blank {
  @top-left { content: none; }
  @top-right { content: none; }
  @bottom-center { content: none; }
}
@page front {
  @top-left { content: none; }
  @top-right { content: none; }
  @bottom-center { content: none; }
}
@page part {
  @top-left { content: none; }
  @top-right { content: none; }
  @bottom-center { content: none; }
}
@page chapter:first {
  @top-right { content: none; }
}
@page cover {
  margin: 0;
  @top-left { content: none; }
  @top-right { content: none; }
  @bottom-center { content: none; }
}
html { font-family: "DejaVu Serif", "Liberation Serif", serif; font-size: ${sheet.fontSize}; line-height: 1.45; }
body { margin: 0; color: #000; background: #fff; hyphens: auto; }
p { margin: 0 0 0.6em; text-align: justify; orphans: 2; widows: 2; }
li { orphans: 2; widows: 2; }
a { color: inherit; text-decoration: none; }
h1, h2, h3, h4 { line-height: 1.2; hyphens: none; break-after: avoid; page-break-after: avoid; text-align: left; }
h2 { font-size: 1.25em; margin: 1.2em 0 0.5em; }
h3 { font-size: 1.1em; margin: 1em 0 0.4em; }
.cover { page: cover; break-after: page; margin: 0; text-align: center; }
.cover img { display: block; width: ${mm(sheet.width - 2)}; height: ${mm(sheet.height - 2)}; margin: 1mm; object-fit: contain; max-height: none; }
.title-page, .front-matter, .toc { page: front; break-before: right; }
.title-page { text-align: center; padding-top: 25%; }
.book-title { font-size: 2em; margin: 0 0 0.4em; text-align: center; }
.book-subtitle { font-size: 1.25em; font-style: italic; text-align: center; }
.book-authors { font-size: 1.15em; margin-top: 2.5em; text-align: center; }
.book-publisher, .book-rights { margin-top: 3em; font-size: 0.9em; text-align: center; }
.front-matter { padding-top: 15%; font-style: italic; }
.toc-heading { font-size: 1.5em; margin: 0 0 1.2em; }
.toc ol { list-style: none; margin: 0; padding: 0; }
.toc li { margin: 0 0 0.35em; break-inside: avoid; }
.toc-part { font-weight: bold; margin-top: 0.9em !important; }
.toc-part a::after { content: none; }
.toc-chapter { padding-left: 1em; }
.toc-chapter a { display: flex; }
.toc-chapter .toc-title { flex: 1; }
.toc-chapter a::after { content: target-counter(attr(href url), page); padding-left: 1em; }
.part { page: part; break-before: right; text-align: center; padding-top: 30%; }
.part-title { font-size: 1.8em; text-align: center; }
.chapter { page: chapter; break-before: right; }
.chapter-title { font-size: 1.6em; margin: 2.5em 0 1.2em; string-set: chapter content(text); }
img { max-width: 100%; max-height: ${imageMax}; height: auto; object-fit: contain; }
p > img:only-child { display: block; margin: 0 auto; break-inside: avoid; }
figure { margin: 1em 0; text-align: center; break-inside: avoid; page-break-inside: avoid; }
figure img { display: block; margin: 0 auto; }
figcaption { font-size: 0.88em; font-style: italic; margin-top: 0.4em; text-align: center; }
figcaption .credit { display: block; font-style: normal; font-size: 0.85em; }
blockquote { margin: 1em 1.5em; font-style: italic; }
pre { white-space: pre-wrap; font-size: 0.85em; break-inside: avoid; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 0.9em; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.92em; break-inside: avoid; }
th, td { border: 0.5pt solid #555; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
aside.editor-note, aside.postscript { border-left: 1.5pt solid #555; margin: 1em 0; padding: 0 0 0 0.8em; font-size: 0.95em; break-inside: avoid; }
aside.editor-note[aria-label]::before { content: attr(aria-label); display: block; font-weight: bold; font-size: 0.9em; margin-bottom: 0.3em; }
section.howto { margin: 1.2em 0; padding: 0.6em 0.9em; border: 0.5pt solid #555; }
section.howto ol { padding-left: 1.4em; }
section.howto li { margin-bottom: 0.3em; }
.howto-title { margin-top: 0; }
hr { border: 0; text-align: center; margin: 1.2em 0; }
hr::after { content: "* * *"; }
`;
}
