/*
 * The text files of an EPUB 3 book: container, package document (OPF), navigation document,
 * cover, front matter and chapter pages, and the e-reader style sheet.
 */
import { HearthError } from '../../../errors.js';
import { xmlText } from '../../../shared/xml.js';
import { EPUB_IMAGE_TYPES, type EpubBook } from './types.js';
import { type ConvertedHtml, convertHtml, escapeAttribute, escapeText } from './xhtml.js';

export const CONTAINER_XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">\n' +
  '  <rootfiles>\n    <rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/>\n' +
  '  </rootfiles>\n</container>\n';

/** The style sheet for e-readers: the reader's own font and size, figures kept whole. */
export const EPUB_CSS = `body { margin: 0 1em; line-height: 1.5; }
h1, h2, h3 { line-height: 1.25; page-break-after: avoid; break-after: avoid; hyphens: none; }
h1 { font-size: 1.6em; margin: 1.5em 0 1em; }
p { margin: 0 0 0.8em; }
figure { margin: 1em 0; text-align: center; page-break-inside: avoid; break-inside: avoid; }
img { max-width: 100%; height: auto; }
figcaption { font-size: 0.9em; font-style: italic; margin-top: 0.4em; }
figcaption .credit { display: block; font-style: normal; font-size: 0.85em; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #888; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
pre { white-space: pre-wrap; font-size: 0.85em; margin: 1em 0; }
code { font-family: monospace; }
blockquote { margin: 1em 1.5em; }
aside.editor-note, aside.postscript { border-left: 0.2em solid #888; margin: 1em 0; padding: 0 0 0 0.8em; }
section.howto { margin: 1em 0; }
.cover { margin: 0; padding: 0; text-align: center; }
.cover img { max-height: 100%; }
nav ol { list-style: none; padding-left: 1em; }
`;

const ISBN = /^(97[89])?\d{9}[\dX]$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CHAPTER_ID = /^[A-Za-z][A-Za-z0-9_-]{0,99}$/;
const IMAGE_HREF = /^(?!.*\.\.)[A-Za-z0-9_-][A-Za-z0-9_./-]{0,199}$/;
const RESERVED = new Set(['nav', 'cover', 'front-matter', 'package', 'style']);
const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/svg+xml': 'svg',
};

function invalid(item: string, reason: string): HearthError {
  return new HearthError('HEARTH_ERR_BOOK_EPUB_INVALID', { item, reason });
}

function checkImageType(item: string, mediaType: string): void {
  if (!(EPUB_IMAGE_TYPES as readonly string[]).includes(mediaType)) {
    throw new HearthError('HEARTH_ERR_BOOK_EPUB_IMAGE_TYPE', { item, mediaType: mediaType || 'of no type' });
  }
}

/** The book's identifier as a URN, or a clear error. */
export function identifierUrn(identifier: string): string {
  const isbn = identifier
    .replace(/^urn:isbn:/i, '')
    .replace(/[- ]/g, '')
    .toUpperCase();
  if (ISBN.test(isbn)) return `urn:isbn:${isbn}`;
  const uuid = identifier.replace(/^urn:uuid:/i, '').toLowerCase();
  if (UUID.test(uuid)) return `urn:uuid:${uuid}`;
  throw invalid('identifier', `"${identifier}" is neither an ISBN nor a UUID`);
}

/** A file of the book: its path inside `EPUB/`, and text or bytes. */
export interface BookFile {
  href: string;
  data: string | Buffer;
}

interface Page {
  id: string;
  href: string;
  title: string;
  converted: ConvertedHtml;
}

/** Every file of the book after `mimetype` and the container, in zip order; throws on bad input. */
export function bookFiles(book: EpubBook): BookFile[] {
  const title = plain(book.title);
  if (!title) throw invalid('title', 'the book has no title');
  if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(book.language)) {
    throw invalid('language', `"${book.language}" is not a language tag such as en or pt-BR`);
  }
  if (book.creators.length === 0) throw invalid('creators', 'the book has no author');
  if (Number.isNaN(book.modified.getTime())) throw invalid('modified', 'not a date');
  const urn = identifierUrn(book.identifier);

  const imageHrefs = new Set<string>();
  for (const image of book.images) {
    checkImageType(image.href, image.mediaType);
    if (!IMAGE_HREF.test(image.href) || image.href.endsWith('.xhtml') || imageHrefs.has(image.href)) {
      throw invalid(`image ${image.href}`, 'the path is not a unique relative path such as images/bath.jpg');
    }
    imageHrefs.add(image.href);
  }
  const coverHref = book.cover ? `cover-image.${EXTENSIONS[book.cover.mediaType] ?? 'img'}` : null;
  if (book.cover) checkImageType('cover', book.cover.mediaType);

  const chapters = book.parts.flatMap((part) => part.chapters);
  if (chapters.length === 0) throw invalid('parts', 'the book has no chapters');
  const pages: Page[] = [];
  const pageOf = new Map<string, Page>();
  if (book.frontMatter) {
    const page = { id: 'front-matter', href: 'front-matter.xhtml', title: plain(book.frontMatter.title) };
    pages.push({ ...page, converted: convertHtml(book.frontMatter.html) });
  }
  for (const chapter of chapters) {
    if (!CHAPTER_ID.test(chapter.id) || RESERVED.has(chapter.id) || pageOf.has(`${chapter.id}.xhtml`)) {
      throw invalid(
        `chapter ${chapter.id}`,
        'the id is not a unique file name (a letter, then letters, digits, - or _)',
      );
    }
    const page = { id: `c-${chapter.id}`, href: `${chapter.id}.xhtml`, title: plain(chapter.title) };
    if (!page.title) throw invalid(`chapter ${chapter.id}`, 'the chapter has no title');
    const full = { ...page, converted: convertHtml(chapter.html) };
    pages.push(full);
    pageOf.set(page.href, full);
  }
  if (book.frontMatter) pageOf.set('front-matter.xhtml', pages[0] as Page);

  // Every image and link must land inside the book (or be an absolute link out of it).
  for (const page of pages) {
    const item = page.id === 'front-matter' ? 'front matter' : `chapter ${page.href.replace(/\.xhtml$/, '')}`;
    for (const image of page.converted.images) {
      if (!imageHrefs.has(image.src))
        throw invalid(item, `it shows the image "${image.src}", which the book does not carry`);
    }
    for (const link of page.converted.links) {
      if (/^(https?|mailto):/i.test(link)) continue;
      const [file, fragment] = link.split('#', 2) as [string, string | undefined];
      const target = file === '' ? page : pageOf.get(file);
      const ids = target?.converted.ids;
      const ok = ids
        ? fragment === undefined || ids.has(fragment) || ids.has(decoded(fragment))
        : imageHrefs.has(decoded(file)) && fragment === undefined;
      if (!ok) throw invalid(item, `the link "${link}" points to nothing in the book`);
    }
  }

  const allImages = pages.flatMap((p) => p.converted.images);
  const withAlt = allImages.every((i) => i.alt.trim() !== '') && book.cover?.alt?.trim() !== '';
  const files: BookFile[] = [];
  files.push({
    href: 'package.opf',
    data: packageDocument(book, urn, pages, coverHref, allImages.length > 0, withAlt),
  });
  files.push({ href: 'nav.xhtml', data: navDocument(book, pages) });
  files.push({ href: 'style.css', data: book.css ?? EPUB_CSS });
  if (book.cover && coverHref) {
    const alt = book.cover.alt ?? `Cover of ${title}`;
    const body = `<section epub:type="cover" class="cover"><img src="${coverHref}" alt="${escapeAttribute(alt)}"/></section>`;
    files.push({ href: 'cover.xhtml', data: xhtmlPage(book.language, title, body) });
  }
  for (const page of pages) {
    const type = page.id === 'front-matter' ? 'frontmatter' : 'chapter';
    const body = `<section epub:type="${type}">\n<h1>${escapeText(page.title)}</h1>\n${page.converted.xhtml}\n</section>`;
    files.push({ href: page.href, data: xhtmlPage(book.language, page.title, body) });
  }
  if (book.cover && coverHref) files.push({ href: coverHref, data: book.cover.data });
  for (const image of book.images) files.push({ href: image.href, data: image.data });
  return files;
}

/** A percent-encoded link part as text, or as it is when it is not valid percent-encoding. */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Text with forbidden characters gone and runs of white space made one space. */
function plain(text: string): string {
  return xmlText(text).replace(/\s+/g, ' ').trim();
}

function xhtmlPage(language: string, title: string, body: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n' +
    `<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" xml:lang="${language}" lang="${language}">\n` +
    `<head>\n<meta charset="UTF-8"/>\n<title>${escapeText(title)}</title>\n` +
    '<link rel="stylesheet" type="text/css" href="style.css"/>\n</head>\n' +
    `<body>\n${body}\n</body>\n</html>\n`
  );
}

function meta(property: string, value: string, refines?: string, scheme?: string): string {
  const attrs = `${refines ? ` refines="#${refines}"` : ''} property="${property}"${scheme ? ` scheme="${scheme}"` : ''}`;
  return `    <meta${attrs}>${escapeText(value)}</meta>\n`;
}

function packageDocument(
  book: EpubBook,
  urn: string,
  pages: Page[],
  coverHref: string | null,
  hasImages: boolean,
  withAlt: boolean,
): string {
  const lines: string[] = [];
  const dc = (name: string, value: string, id?: string) =>
    lines.push(`    <dc:${name}${id ? ` id="${id}"` : ''}>${escapeText(plain(value))}</dc:${name}>\n`);
  dc('identifier', urn, 'pub-id');
  dc('title', book.title, 'title');
  lines.push(meta('title-type', 'main', 'title'));
  if (book.subtitle && plain(book.subtitle)) {
    dc('title', book.subtitle, 'subtitle');
    lines.push(meta('title-type', 'subtitle', 'subtitle'));
  }
  dc('language', book.language);
  book.creators.forEach((creator, i) => {
    const id = `creator-${i + 1}`;
    if (!plain(creator.name)) throw invalid(`creator ${i + 1}`, 'the name is empty');
    dc('creator', creator.name, id);
    if (creator.fileAs && plain(creator.fileAs)) lines.push(meta('file-as', plain(creator.fileAs), id));
    const role = creator.role ?? 'aut';
    if (!/^[a-z]{3}$/.test(role))
      throw invalid(`creator ${creator.name}`, `"${role}" is not a MARC relator code such as aut`);
    lines.push(meta('role', role, id, 'marc:relators'));
  });
  if (book.publisher) dc('publisher', book.publisher);
  if (book.rights) dc('rights', book.rights);
  if (book.description) dc('description', book.description);
  for (const subject of book.subjects) if (plain(subject)) dc('subject', subject);
  lines.push(meta('dcterms:modified', book.modified.toISOString().replace(/\.\d{3}Z$/, 'Z')));
  if (coverHref) lines.push('    <meta name="cover" content="cover-image"/>\n');

  // Accessibility (schema.org), as far as this book can honestly claim it.
  const visual = hasImages || coverHref !== null;
  lines.push(meta('schema:accessMode', 'textual'));
  if (visual) lines.push(meta('schema:accessMode', 'visual'));
  lines.push(meta('schema:accessModeSufficient', visual && !withAlt ? 'textual,visual' : 'textual'));
  for (const feature of ['structuralNavigation', 'tableOfContents', 'readingOrder']) {
    lines.push(meta('schema:accessibilityFeature', feature));
  }
  if (visual && withAlt) lines.push(meta('schema:accessibilityFeature', 'alternativeText'));
  lines.push(meta('schema:accessibilityHazard', 'none'));
  const summary =
    'A reflowable book with a table of contents by part and chapter and headings in reading order. ' +
    (!visual
      ? 'It has no images.'
      : withAlt
        ? 'Every image has a text alternative.'
        : 'Some images have no text alternative.');
  lines.push(meta('schema:accessibilitySummary', summary));

  const manifest: string[] = [
    '    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>\n',
    '    <item id="style" href="style.css" media-type="text/css"/>\n',
  ];
  const spine: string[] = [];
  if (coverHref && book.cover) {
    manifest.push('    <item id="cover" href="cover.xhtml" media-type="application/xhtml+xml"/>\n');
    manifest.push(
      `    <item id="cover-image" href="${coverHref}" media-type="${book.cover.mediaType}" properties="cover-image"/>\n`,
    );
    spine.push('    <itemref idref="cover"/>\n');
  }
  const front = pages.find((p) => p.id === 'front-matter');
  if (front) spine.push('    <itemref idref="front-matter"/>\n');
  spine.push('    <itemref idref="nav"/>\n');
  for (const page of pages) {
    manifest.push(`    <item id="${page.id}" href="${page.href}" media-type="application/xhtml+xml"/>\n`);
    if (page !== front) spine.push(`    <itemref idref="${page.id}"/>\n`);
  }
  book.images.forEach((image, i) => {
    manifest.push(
      `    <item id="image-${i + 1}" href="${escapeAttribute(image.href)}" media-type="${image.mediaType}"/>\n`,
    );
  });

  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="pub-id" xml:lang="${book.language}">\n` +
    '  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n' +
    lines.join('') +
    '  </metadata>\n  <manifest>\n' +
    manifest.join('') +
    '  </manifest>\n  <spine>\n' +
    spine.join('') +
    '  </spine>\n</package>\n'
  );
}

function navDocument(book: EpubBook, pages: Page[]): string {
  const titleOf = new Map(pages.map((p) => [p.href, p.title]));
  const li = (href: string) => `<li><a href="${href}">${escapeText(titleOf.get(href) ?? '')}</a></li>`;
  const toc: string[] = [];
  if (book.frontMatter) toc.push(li('front-matter.xhtml'));
  for (const part of book.parts) {
    if (part.chapters.length === 0) continue;
    const items = part.chapters.map((c) => li(`${c.id}.xhtml`));
    const partTitle = part.title === null ? '' : plain(part.title);
    if (!partTitle) {
      toc.push(...items);
      continue;
    }
    // A part has no page of its own: its entry leads to its first chapter.
    const first = `${part.chapters[0]?.id}.xhtml`;
    toc.push(`<li><a href="${first}">${escapeText(partTitle)}</a>\n<ol>\n${items.join('\n')}\n</ol>\n</li>`);
  }
  const firstChapter = pages.find((p) => p.id !== 'front-matter') as Page;
  const label = (key: keyof NonNullable<EpubBook['labels']>, fallback: string) =>
    escapeText(plain(book.labels?.[key] ?? '') || fallback);
  const landmarks = [
    book.cover ? `<li><a epub:type="cover" href="cover.xhtml">${label('cover', 'Cover')}</a></li>` : '',
    `<li><a epub:type="toc" href="nav.xhtml#toc">${label('contents', 'Contents')}</a></li>`,
    `<li><a epub:type="bodymatter" href="${firstChapter.href}">${label('start', 'Start of the book')}</a></li>`,
  ].filter(Boolean);
  const body =
    `<nav epub:type="toc" id="toc">\n<h1>${label('contents', 'Contents')}</h1>\n<ol>\n${toc.join('\n')}\n</ol>\n</nav>\n` +
    `<nav epub:type="landmarks" id="landmarks" hidden="hidden">\n<h2>${label('landmarks', 'Landmarks')}</h2>\n<ol>\n${landmarks.join('\n')}\n</ol>\n</nav>`;
  return xhtmlPage(book.language, plain(book.title), body);
}
