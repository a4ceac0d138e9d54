/// <reference lib="dom" />
// turndown hands its rules DOM nodes (domino's, in Node), and its types are written against the DOM.
import TurndownService from 'turndown';

/** An image written into the Markdown: its (mapped) URL, alt text and caption Markdown. */
export interface MarkdownImage {
  url: string;
  alt: string;
  caption: string;
}

export interface HtmlToMarkdownOptions {
  /** Maps an old URL (images and links) to its Hearth URL; `undefined` keeps the old URL. */
  mediaUrl?: (url: string) => string | undefined;
}

/** What a converter reads (its options) and gathers (every image it writes). */
export interface HtmlToMarkdownState {
  options: HtmlToMarkdownOptions;
  images: MarkdownImage[];
}

/**
 * HTML as Hearth Markdown, with no raw HTML left: scripts and styles go with their text, iframes,
 * video and audio become links to their http(s) source, unsafe link schemes lose their link (the
 * text stays), figures become `![alt](url "caption")`, simple tables GFM tables, and text that would
 * read as a tag or an entity is escaped. Importers share it (WordPress, Ghost).
 *
 * @example
 *   htmlToMarkdown('<p>Hi <b>there</b></p>').markdown // 'Hi **there**'
 */
export function htmlToMarkdown(
  html: string,
  options: HtmlToMarkdownOptions = {},
): { markdown: string; images: MarkdownImage[] } {
  const state: HtmlToMarkdownState = { options, images: [] };
  return { markdown: tidyMarkdown(createHtmlToMarkdown(state).turndown(html)), images: state.images };
}

/** The turndown service behind `htmlToMarkdown`, for an importer that adds rules of its own. */
export function createHtmlToMarkdown(state: HtmlToMarkdownState): TurndownService {
  const service = new TurndownService({
    headingStyle: 'atx',
    hr: '---',
    bulletListMarker: '-',
    codeBlockStyle: 'fenced',
    emDelimiter: '_',
    strongDelimiter: '**',
    br: '\\',
  });
  const baseEscape = service.escape.bind(service);
  // Text that would read as a tag, a comment or an entity stays text in any Markdown renderer.
  service.escape = (text: string) =>
    baseEscape(text)
      .replace(/<(?=[A-Za-z/!?])/g, '\\<')
      .replace(/&(?=#?\w+;)/g, '\\&');

  service.remove(['script', 'style', 'template', 'head', 'title', 'noscript', 'object', 'form']);

  service.addRule('listItem', {
    filter: 'li',
    replacement: (content, node, options) => {
      const parent = node.parentNode as HTMLElement | null;
      let prefix = `${options.bulletListMarker} `;
      if (parent?.nodeName === 'OL') {
        const start = Number(parent.getAttribute('start') ?? 1) || 1;
        prefix = `${start + Array.from(parent.children).indexOf(node as HTMLElement)}. `;
      }
      const body = content
        .replace(/^\n+/, '')
        .replace(/\n+$/, '\n')
        .replace(/\n/g, `\n${' '.repeat(prefix.length)}`);
      return `${prefix}${body}${node.nextSibling && !body.endsWith('\n') ? '\n' : ''}`;
    },
  });

  service.addRule('media', {
    filter: ['iframe', 'video', 'audio', 'embed'],
    replacement: (_content, node) => {
      const el = node as HTMLElement;
      const src = el.getAttribute('src') ?? el.querySelector('source[src]')?.getAttribute('src') ?? '';
      return /^https?:\/\//i.test(src) ? `\n\n${autolink(src)}\n\n` : '';
    },
  });

  service.addRule('figure', {
    // domino's querySelector answers undefined (not null) when nothing matches.
    filter: (node) => node.nodeName === 'FIGURE' && Boolean(node.querySelector('img')),
    replacement: (_content, node) => {
      const el = node as HTMLElement;
      // An inner figure (a gallery's item) is written by the outermost one.
      if (closest(el, 'FIGURE')) return '';
      const out: string[] = [];
      for (const img of Array.from(el.querySelectorAll('img'))) {
        const holder = closest(img, 'FIGURE', el);
        const single = holder && holder.querySelectorAll('img').length === 1;
        const caption = single ? directFigcaption(holder) : undefined;
        const md = imageMarkdown(img, caption ? inlineMarkdown(service, caption.innerHTML) : '', state);
        if (md) out.push(md);
      }
      const own = directFigcaption(el);
      if (own && el.querySelectorAll('img').length > 1) out.push(service.turndown(own.innerHTML));
      return `\n\n${out.join('\n\n')}\n\n`;
    },
  });

  service.addRule('image', {
    filter: 'img',
    replacement: (_content, node) =>
      closest(node as HTMLElement, 'FIGURE') ? '' : imageMarkdown(node as HTMLElement, '', state),
  });

  service.addRule('link', {
    filter: (node) => node.nodeName === 'A',
    replacement: (content, node) => {
      const el = node as HTMLElement;
      const raw = (el.getAttribute('href') ?? '').trim();
      // A heading's link to itself (a permalink anchor, as Hearth and many themes write them) is
      // not part of the text: the heading keeps its words, an anchor sign alone goes.
      if (raw.startsWith('#') && inHeading(el)) return /^[#¶§🔗]?$/u.test(content.trim()) ? '' : content;
      const href = safeUrl(state.options.mediaUrl?.(raw) ?? raw);
      const onlyImage = el.querySelector('img') && el.textContent?.trim() === '' && el.children.length === 1;
      if (onlyImage && /\.(?:jpe?g|png|gif|webp|avif|bmp|tiff?)(?:[?#].*)?$/i.test(raw)) return content;
      if (!href || !content.trim()) return content;
      if (el.textContent?.trim() === raw && /^https?:\/\//i.test(href)) return autolink(href);
      return `[${content}](${encodeUrl(href)})`;
    },
  });

  service.addRule('bareUrl', {
    filter: (node) =>
      node.nodeName === 'P' &&
      node.childNodes.length === 1 &&
      node.firstChild?.nodeType === 3 &&
      /^\s*https?:\/\/\S+\s*$/.test(node.textContent ?? ''),
    replacement: (_content, node) => `\n\n${autolink((node.textContent ?? '').trim())}\n\n`,
  });

  service.addRule('cite', {
    filter: (node) => node.nodeName === 'CITE' && closest(node as HTMLElement, 'BLOCKQUOTE') !== undefined,
    replacement: (content) => (content.trim() ? `\n\n— ${content.trim()}\n\n` : ''),
  });

  // `<i><em>` (as Ghost writes italics) would read as `__bold__`: an emphasis inside its own kind is plain.
  service.addRule('nestedEmphasis', {
    filter: (node) => {
      const kind = EMPHASIS[node.nodeName];
      if (!kind) return false;
      for (let n = node.parentElement; n; n = n.parentElement) if (EMPHASIS[n.nodeName] === kind) return true;
      return false;
    },
    replacement: (content) => content,
  });

  service.addRule('strike', {
    filter: (node) => ['DEL', 'S', 'STRIKE'].includes(node.nodeName),
    replacement: (content) => (content.trim() ? `~~${content}~~` : content),
  });

  service.addRule('preformatted', {
    filter: (node) => node.nodeName === 'PRE' && node.firstChild?.nodeName !== 'CODE',
    replacement: (_content, node) => fence(node.textContent ?? '', ''),
  });

  service.addRule('codeBlock', {
    filter: (node) => node.nodeName === 'PRE' && node.firstChild?.nodeName === 'CODE',
    replacement: (_content, node) => {
      const code = node.firstChild as HTMLElement;
      const language = (code.getAttribute('class') ?? '').match(/language-(\S+)/)?.[1] ?? '';
      return fence(code.textContent ?? '', language);
    },
  });

  service.addRule('table', {
    filter: 'table',
    replacement: (content, node) => tableMarkdown(node as HTMLElement, service) ?? `\n\n${content}\n\n`,
  });

  return service;
}

const EMPHASIS: Record<string, string> = { EM: 'em', I: 'em', STRONG: 'strong', B: 'strong' };

function fence(code: string, language: string): string {
  const longest = Math.max(2, ...[...code.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `\n\n${ticks}${language}\n${code.replace(/\n$/, '')}\n${ticks}\n\n`;
}

/** A simple table (no merged cells) as a GFM pipe table, which Hearth's markdown-it renders. */
function tableMarkdown(table: HTMLElement, service: TurndownService): string | undefined {
  const rows = Array.from(table.querySelectorAll('tr'));
  if (rows.length === 0) return undefined;
  const cells = rows.map((row) => Array.from(row.children).filter((c) => c.nodeName === 'TD' || c.nodeName === 'TH'));
  if (
    cells.some((r) =>
      r.some((c) => Number(c.getAttribute('colspan') ?? 1) > 1 || Number(c.getAttribute('rowspan') ?? 1) > 1),
    )
  )
    return undefined;
  const width = Math.max(...cells.map((r) => r.length));
  const text = cells.map((r) => {
    const row = r.map((c) => inlineMarkdown(service, c.innerHTML).replace(/\|/g, '\\|'));
    while (row.length < width) row.push('');
    return `| ${row.join(' | ')} |`;
  });
  const separator = `|${' --- |'.repeat(width)}`;
  return `\n\n${[text[0], separator, ...text.slice(1)].join('\n')}\n\n`;
}

function imageMarkdown(img: HTMLElement, caption: string, state: HtmlToMarkdownState): string {
  const raw = (img.getAttribute('src') ?? '').trim();
  const alt = (img.getAttribute('alt') ?? '').replace(/\s+/g, ' ').trim();
  const url = safeUrl(state.options.mediaUrl?.(raw) ?? raw);
  if (!url || url.startsWith('mailto:')) return alt ? escapeBrackets(alt) : '';
  state.images.push({ url, alt, caption });
  const title = caption ? ` "${caption.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : '';
  return `![${escapeBrackets(alt)}](${encodeUrl(url)}${title})`;
}

/** HTML as one line of Markdown (a caption, a table cell). */
export function inlineMarkdown(service: TurndownService, html: string): string {
  return service
    .turndown(html)
    .replace(/\\\n/g, ' ')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

/**
 * Alt text inside `![...]`. Balanced brackets need no escape (and Hearth's renderer reads alt
 * text without its escaped characters), so only unbalanced ones are escaped.
 */
function escapeBrackets(text: string): string {
  let depth = 0;
  for (const c of text) {
    if (c === '[') depth++;
    if (c === ']' && --depth < 0) break;
  }
  return depth === 0 && !text.includes('\\') ? text : text.replace(/[\\[\]]/g, '\\$&');
}

/** http(s), mailto and relative URLs; anything else (javascript:, data:, vbscript:) is refused. */
export function safeUrl(url: string): string | undefined {
  if (!url) return undefined;
  const scheme = url
    .replace(/[\u0000-\u0020]/g, '')
    .match(/^([A-Za-z][\w+.-]*):/)?.[1]
    ?.toLowerCase();
  if (scheme === undefined) return url;
  return scheme === 'http' || scheme === 'https' || scheme === 'mailto' ? url : undefined;
}

/** A URL as a Markdown link destination: spaces, brackets and parentheses percent-encoded. */
export function encodeUrl(url: string): string {
  return url.replace(/[\s()<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

export function autolink(url: string): string {
  return `<${encodeUrl(url)}>`;
}

function closest(node: HTMLElement, name: string, within?: HTMLElement): HTMLElement | undefined {
  for (let n: HTMLElement | null = node.parentElement; n; n = n.parentElement) {
    if (n.nodeName === name) return n;
    if (n === within) return undefined;
  }
  return undefined;
}

function inHeading(node: HTMLElement): boolean {
  for (let n: HTMLElement | null = node.parentElement; n; n = n.parentElement)
    if (/^H[1-6]$/.test(n.nodeName)) return true;
  return false;
}

function directFigcaption(figure: HTMLElement): HTMLElement | undefined {
  return Array.from(figure.children).find((c) => c.nodeName === 'FIGCAPTION') as HTMLElement | undefined;
}

/** Markdown with no-break spaces, trailing blanks and runs of blank lines tidied. */
export function tidyMarkdown(markdown: string): string {
  return markdown
    .replace(/(\S)[ \u00a0]*\u00a0[ \u00a0]*/g, '$1 ')
    .replace(/\u00a0/g, ' ')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
