/// <reference lib="dom" />
// turndown hands its rules DOM nodes (domino's, in Node), and its types are written against the DOM.
import TurndownService from 'turndown';
import { escapeHtml } from '../../../shared/html.js';

/** An attachment the importer knows, as a `[gallery ids=".."]` needs it. */
export interface WordpressAttachment {
  url: string;
  alt: string;
  caption: string;
}

export interface WordpressContentOptions {
  /** Maps an old upload URL (images and links) to its Hearth URL; `undefined` keeps the old URL. */
  mediaUrl?: (url: string) => string | undefined;
  /** Resolves a `[gallery ids=".."]` attachment id; without it (or with an id unknown) the shortcode stays as text. */
  attachment?: (id: number) => WordpressAttachment | undefined;
}

export interface WordpressContent {
  /** The whole post as Hearth Markdown (pages joined by `---`). */
  markdown: string;
  /** True when the post had `<!--more-->`. */
  excerptBreak: boolean;
  /** The Markdown before `<!--more-->` ('' without one). */
  excerptMarkdown: string;
  /** How many `<!--nextpage-->` pages the post had (1 without a break). */
  pages: number;
  /** Shortcode names kept as visible text because Hearth has no meaning for them, once each. */
  unknownShortcodes: string[];
  /** Gutenberg block names Hearth has no rule for: their inner HTML was converted as ordinary HTML. */
  unknownBlocks: string[];
  /** Every attachment id named by a `[gallery ids=".."]`, in order, for the importer to resolve. */
  galleryIds: number[];
  /** Every image written into the Markdown: its (mapped) URL, alt text and caption Markdown. */
  images: { url: string; alt: string; caption: string }[];
}

/**
 * A WordPress post's `content:encoded` (classic-editor HTML or Gutenberg block markup) as
 * Hearth Markdown. No raw HTML is ever emitted: scripts and styles are dropped with their
 * text, iframes, video and audio become links to their http(s) source, `javascript:` and
 * other schemes lose their link (the text stays), a `wp:html` block is shown as an HTML code
 * block, and text that would read as a tag or an entity is escaped.
 *
 * - Classic content (no `<!-- wp:` comment) first goes through WordPress's `wpautop` rule:
 *   a blank line ends a paragraph, a single newline is a line break.
 * - Images become `![alt](url "caption")`; alone in their paragraph Hearth renders them as a
 *   `<figure>` with that caption. A link around an image that points at an image file (the
 *   "link to full size") is dropped. Hearth has no gallery: a gallery (`wp:gallery`, or
 *   `[gallery ids]` resolved through `options.attachment`) becomes one figure per image.
 * - Shortcodes: `[caption]` is a figure, `[embed]`, `[video]`, `[audio]`, `[youtube]` a link;
 *   any other `[name ...]...[/name]`, `[name attr=..]` or `[name /]` is kept as visible text and
 *   listed in `unknownShortcodes`. A bare `[word]` (no attributes, no closing tag) is ordinary
 *   text. `[[name]]` is WordPress's escape for a literal `[name]`.
 * - `<!--more-->` splits the excerpt (`excerptMarkdown`); `<!--nextpage-->` pages are joined
 *   into one post with a horizontal rule (`---`) between them, their count in `pages`.
 * - Bare URLs alone in a paragraph (WordPress's oEmbed lines) become links.
 *
 * @example
 *   wordpressToMarkdown('Hello&#8217;s\nworld').markdown // 'Hello’s\\\nworld'
 */
export function wordpressToMarkdown(html: string, options: WordpressContentOptions = {}): WordpressContent {
  const state: State = {
    options,
    unknownShortcodes: new Set(),
    unknownBlocks: new Set(),
    galleryIds: [],
    images: [],
  };
  const source = html.replace(/\r\n?/g, '\n');
  const blocks = /<!--\s*wp:/.test(source);
  const parts = source.split(/(<!--\s*more\b[\s\S]*?-->|<!--\s*nextpage\s*-->)/);
  const service = createService(state);

  let markdown = '';
  let excerptMarkdown = '';
  let excerptBreak = false;
  let pages = 1;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    if (i % 2 === 1) {
      if (/^<!--\s*nextpage/.test(part)) {
        pages++;
        markdown = `${markdown.trimEnd()}\n\n---\n\n`;
      } else if (!excerptBreak) {
        excerptBreak = true;
        excerptMarkdown = tidy(markdown.replace(/(\n\n---\n\n)+$/, ''));
      }
      continue;
    }
    const converted = convert(part, blocks, service, state);
    if (converted) markdown = `${markdown.replace(/\n*$/, markdown ? '\n\n' : '')}${converted}`;
  }

  return {
    markdown: tidy(markdown.replace(/\n\n---\n\n$/, '')),
    excerptBreak,
    excerptMarkdown,
    pages,
    unknownShortcodes: [...state.unknownShortcodes],
    unknownBlocks: [...state.unknownBlocks],
    galleryIds: state.galleryIds,
    images: state.images,
  };
}

interface State {
  options: WordpressContentOptions;
  unknownShortcodes: Set<string>;
  unknownBlocks: Set<string>;
  galleryIds: number[];
  images: { url: string; alt: string; caption: string }[];
}

/** Gutenberg core blocks whose HTML converts as it is (or that this module handles). */
const KNOWN_BLOCKS = new Set([
  'paragraph',
  'image',
  'heading',
  'list',
  'list-item',
  'quote',
  'pullquote',
  'gallery',
  'embed',
  'separator',
  'html',
  'more',
  'nextpage',
  'code',
  'preformatted',
  'verse',
  'table',
  'shortcode',
  'freeform',
  'group',
  'columns',
  'column',
  'spacer',
]);

function convert(part: string, blocks: boolean, service: TurndownService, state: State): string {
  const held: string[] = [];
  const hold = (html: string) => `\u0000${held.push(html) - 1}\u0000`;
  let html = part;
  if (blocks) {
    // A raw HTML block is shown as code, never run, and not read for shortcodes.
    html = html.replace(/<!--\s*wp:html\b[^>]*?-->([\s\S]*?)<!--\s*\/wp:html\s*-->/g, (_, inner: string) =>
      hold(`<pre><code class="language-html">${escapeHtml(inner.trim())}</code></pre>`),
    );
    html = html.replace(
      /<!--\s*wp:(?:core-)?embed(?:\/[\w-]+)?\s*(\{[\s\S]*?\})?\s*-->([\s\S]*?)<!--\s*\/wp:(?:core-)?embed(?:\/[\w-]+)?\s*-->/g,
      (_, json: string | undefined, inner: string) => {
        const url = embedUrl(json) ?? inner.replace(/<[^>]*>/g, ' ').match(/https?:\/\/\S+/)?.[0];
        return url ? hold(`<p><a href="${escapeHtml(url)}">${escapeHtml(url)}</a></p>`) : inner;
      },
    );
    for (const m of html.matchAll(/<!--\s*wp:([a-z][\w-]*(?:\/[\w-]+)?)/g)) {
      const name = (m[1] ?? '').replace(/^core\//, '');
      if (!KNOWN_BLOCKS.has(name)) state.unknownBlocks.add(name);
    }
  }
  html = shortcodes(html, state);
  // Dropped anyway by the converter; gone first so wpautop does not split a paragraph around them.
  html = html.replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, '');
  if (!blocks) html = wpautop(html);
  html = html.replace(/\u0000(\d+)\u0000/g, (_, n: string) => held[Number(n)] ?? '');
  return tidy(service.turndown(html));
}

function embedUrl(json: string | undefined): string | undefined {
  if (!json) return undefined;
  try {
    const url = (JSON.parse(json) as { url?: unknown }).url;
    return typeof url === 'string' ? url : undefined;
  } catch {
    return undefined;
  }
}

function tidy(markdown: string): string {
  return markdown
    .replace(/(\S)[ \u00a0]*\u00a0[ \u00a0]*/g, '$1 ')
    .replace(/\u00a0/g, ' ')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

// ---------------------------------------------------------------------------------------------
// Shortcodes

const MEDIA_ATTRS = ['src', 'url', 'mp4', 'm4v', 'webm', 'ogv', 'mp3', 'ogg', 'oga', 'm4a', 'wav', 'flv', 'wmv'];

function shortcodes(html: string, state: State): string {
  let out = '';
  let i = 0;
  const open = /\[(\[?)([A-Za-z][\w-]*)((?:\s|=)[^\]]*?)?(\/?)\](\]?)/g;
  while (i < html.length) {
    open.lastIndex = i;
    const m = open.exec(html);
    if (!m) break;
    out += html.slice(i, m.index);
    const [whole, escOpen, rawName, rawAttrs = '', selfClose, escClose] = m;
    const name = rawName as string;
    const end = m.index + whole.length;
    if (escOpen && escClose) {
      // [[name]]: WordPress shows `[name]` literally.
      out += whole.slice(1, -1);
      i = end;
      continue;
    }
    let inner: string | undefined;
    let after = end;
    if (!selfClose) {
      const close = html.indexOf(`[/${name}]`, end);
      if (close !== -1) {
        inner = html.slice(end, close);
        after = close + name.length + 3;
      }
    }
    const attrs = parseAttrs(rawAttrs.replace(/^=/, 'url='));
    const isShortcode = inner !== undefined || selfClose || rawAttrs.trim() !== '';
    const replaced = isShortcode ? knownShortcode(name.toLowerCase(), attrs, inner, state) : undefined;
    if (replaced !== undefined) {
      out += replaced;
      i = after;
    } else {
      if (isShortcode && name.toLowerCase() !== 'gallery') state.unknownShortcodes.add(name);
      // Kept as text; only the opening tag is consumed so shortcodes inside are read too.
      out += whole;
      i = end;
    }
  }
  return out + html.slice(i);
}

function knownShortcode(
  name: string,
  attrs: Record<string, string>,
  inner: string | undefined,
  state: State,
): string | undefined {
  if (name === 'caption' || name === 'wp_caption') {
    const body = inner ?? '';
    const image = body.match(/^\s*(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*<\/a>)?/i);
    if (!image) return undefined;
    const caption = attrs.caption ?? body.slice(image[0].length).trim();
    return `<figure>${image[0]}<figcaption>${caption.replace(/</g, (c, at: number) => (isTagAt(caption, at) ? c : '&lt;'))}</figcaption></figure>`;
  }
  if (name === 'gallery') {
    const ids = (attrs.ids ?? attrs.include ?? '')
      .split(',')
      .map((s) => Number(s.trim()))
      .filter((n) => Number.isInteger(n) && n > 0);
    state.galleryIds.push(...ids);
    const found = ids.map((id) => state.options.attachment?.(id));
    if (ids.length === 0 || found.some((a) => !a)) return undefined;
    return `<figure>${(found as WordpressAttachment[])
      .map(
        (a) =>
          `<figure><img src="${escapeHtml(a.url)}" alt="${escapeHtml(a.alt)}"><figcaption>${escapeHtml(a.caption)}</figcaption></figure>`,
      )
      .join('')}</figure>`;
  }
  if (name === 'embed' || name === 'video' || name === 'audio' || name === 'youtube') {
    const url =
      (inner ?? '').trim().match(/^https?:\/\/\S+$/)?.[0] ??
      MEDIA_ATTRS.map((a) => attrs[a]).find((v) => v && /^https?:\/\//.test(v)) ??
      Object.values(attrs).find((v) => /^https?:\/\//.test(v));
    return url ? `<p><a href="${escapeHtml(url)}">${escapeHtml(url)}</a></p>` : undefined;
  }
  return undefined;
}

function isTagAt(text: string, at: number): boolean {
  return /^<\/?[A-Za-z]/.test(text.slice(at, at + 3));
}

function parseAttrs(text: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  const re = /([\w-]+)\s*=\s*"([^"]*)"|([\w-]+)\s*=\s*'([^']*)'|([\w-]+)\s*=\s*([^\s'"]+)|"([^"]*)"|(\S+)/g;
  let positional = 0;
  for (const m of text.matchAll(re)) {
    const key = (m[1] ?? m[3] ?? m[5])?.toLowerCase();
    const value = m[2] ?? m[4] ?? m[6] ?? m[7] ?? m[8] ?? '';
    attrs[key ?? String(positional++)] = value;
  }
  return attrs;
}

// ---------------------------------------------------------------------------------------------
// wpautop

const ALL_BLOCKS =
  '(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|blockquote|address|math|style|script|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary|iframe)';

/**
 * WordPress's paragraph rule for classic content, as `wpautop` applies it: a blank line
 * separates paragraphs, a single newline inside one is a `<br>`, block tags stay blocks and
 * `<pre>` is left as written.
 */
export function wpautop(text: string): string {
  if (text.trim() === '') return '';
  const pres: string[] = [];
  let html = `${text}\n`.replace(/<pre\b[\s\S]*?<\/pre>/gi, (pre) => `<pre data-hold="${pres.push(pre) - 1}"></pre>`);
  // Newlines inside a tag are not line breaks.
  html = html.replace(/<[^>]*>/g, (tag) => tag.replace(/\s*\n\s*/g, ' '));
  html = html.replace(/<br\s*\/?>\s*<br\s*\/?>/gi, '\n\n');
  html = html.replace(new RegExp(`(<${ALL_BLOCKS}[\\s/>])`, 'gi'), '\n\n$1');
  html = html.replace(new RegExp(`(</${ALL_BLOCKS}>)`, 'gi'), '$1\n\n');
  html = html.replace(/\n\n+/g, '\n\n');
  html = html
    .split(/\n\s*\n/)
    .filter((p) => p.trim() !== '')
    .map((p) => `<p>${p.trim()}</p>\n`)
    .join('');
  html = html.replace(/<p>\s*<\/p>/g, '');
  html = html.replace(new RegExp(`<p>\\s*(</?${ALL_BLOCKS}[^>]*>)`, 'gi'), '$1');
  html = html.replace(new RegExp(`(</?${ALL_BLOCKS}[^>]*>)\\s*</p>`, 'gi'), '$1');
  html = html.replace(/(<br\s*\/?>)?\s*\n(?!$)/gi, (nl, br: string | undefined) => (br ? nl : '<br>\n'));
  html = html.replace(new RegExp(`(</?${ALL_BLOCKS}[^>]*>)\\s*<br>`, 'gi'), '$1');
  html = html.replace(/<br>(\s*<\/?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)/gi, '$1');
  return html.replace(/<pre data-hold="(\d+)"><\/pre>/g, (_, n: string) => pres[Number(n)] ?? '');
}

// ---------------------------------------------------------------------------------------------
// HTML to Markdown

function createService(state: State): TurndownService {
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
    filter: (node) => node.nodeName === 'FIGURE' && node.querySelector('img') !== null,
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

function imageMarkdown(img: HTMLElement, caption: string, state: State): string {
  const raw = (img.getAttribute('src') ?? '').trim();
  const alt = (img.getAttribute('alt') ?? '').replace(/\s+/g, ' ').trim();
  const url = safeUrl(state.options.mediaUrl?.(raw) ?? raw);
  if (!url || url.startsWith('mailto:')) return alt ? escapeBrackets(alt) : '';
  state.images.push({ url, alt, caption });
  const title = caption ? ` "${caption.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : '';
  return `![${escapeBrackets(alt)}](${encodeUrl(url)}${title})`;
}

function inlineMarkdown(service: TurndownService, html: string): string {
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
function safeUrl(url: string): string | undefined {
  if (!url) return undefined;
  const scheme = url
    .replace(/[\u0000-\u0020]/g, '')
    .match(/^([A-Za-z][\w+.-]*):/)?.[1]
    ?.toLowerCase();
  if (scheme === undefined) return url;
  return scheme === 'http' || scheme === 'https' || scheme === 'mailto' ? url : undefined;
}

function encodeUrl(url: string): string {
  return url.replace(/[\s()<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

function autolink(url: string): string {
  return `<${encodeUrl(url)}>`;
}

function closest(node: HTMLElement, name: string, within?: HTMLElement): HTMLElement | undefined {
  for (let n: HTMLElement | null = node.parentElement; n; n = n.parentElement) {
    if (n.nodeName === name) return n;
    if (n === within) return undefined;
  }
  return undefined;
}

function directFigcaption(figure: HTMLElement): HTMLElement | undefined {
  return Array.from(figure.children).find((c) => c.nodeName === 'FIGCAPTION') as HTMLElement | undefined;
}
