import type TurndownService from 'turndown';
import { escapeHtml } from '../../../shared/html.js';
import { createHtmlToMarkdown, type HtmlToMarkdownState, tidyMarkdown } from '../html-markdown.js';

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
  /** False: plain text goes through the full conversion too (a test compares the two). */
  plainShortcut?: boolean;
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
  const plain = options.plainShortcut === false ? undefined : plainTextMarkdown(html);
  if (plain !== undefined)
    return {
      markdown: plain,
      excerptBreak: false,
      excerptMarkdown: '',
      pages: 1,
      unknownShortcodes: [],
      unknownBlocks: [],
      galleryIds: [],
      images: [],
    };
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
  const service = createHtmlToMarkdown(state);

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
        excerptMarkdown = tidyMarkdown(markdown.replace(/(\n\n---\n\n)+$/, ''));
      }
      continue;
    }
    const converted = convert(part, blocks, service, state);
    if (converted) markdown = `${markdown.replace(/\n*$/, markdown ? '\n\n' : '')}${converted}`;
  }

  return {
    markdown: tidyMarkdown(markdown.replace(/\n\n---\n\n$/, '')),
    excerptBreak,
    excerptMarkdown,
    pages,
    unknownShortcodes: [...state.unknownShortcodes],
    unknownBlocks: [...state.unknownBlocks],
    galleryIds: state.galleryIds,
    images: state.images,
  };
}

interface State extends HtmlToMarkdownState {
  options: WordpressContentOptions;
  unknownShortcodes: Set<string>;
  unknownBlocks: Set<string>;
  galleryIds: number[];
  images: { url: string; alt: string; caption: string }[];
}

/** Gutenberg core blocks whose HTML converts as it is (or that this module handles). */
const KNOWN_BLOCKS = new Set([
  'paragraph',
  'table',
  'video',
  'audio',
  'cover',
  'columns',
  'column',
  'group',
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
  return tidyMarkdown(service.turndown(html));
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
    // Photos the import has are shown; one it has not (missing, not an image) is in the report already.
    const found = ids.map((id) => state.options.attachment?.(id)).filter((a): a is WordpressAttachment => !!a);
    if (found.length === 0) return undefined;
    return `<figure>${found
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
/** Text with nothing HTML, a shortcode or Markdown would read as markup (most readers' comments). */
const PLAIN = /^[^<>&[\]\\*_`#~|=+!{}$^]*$/;
const LIST_OR_QUOTE = /^(?:[-:]|\d+[.)]|\w+:\/\/)/m;
/** Space the converter would collapse or keep by rules of its own: left to it. */
const UNEVEN_SPACE = /[^\S\n]\n|\n[^\S\n]|[^\S \n]| {2}|\n\n\n/;

/**
 * The Markdown of plain text, without parsing it as HTML: what the converter makes of it
 * (wpautop's paragraphs and line breaks), only much sooner; undefined for any text with a
 * character or line that markup could use, or with space the converter would rework. A property test checks that it
 * matches the full conversion.
 */
export function plainTextMarkdown(text: string): string | undefined {
  const t = text.replace(/\r\n?/g, '\n').trim();
  if (!PLAIN.test(t) || LIST_OR_QUOTE.test(t) || UNEVEN_SPACE.test(t)) return undefined;
  return t
    .split('\n\n')
    .map((paragraph) => paragraph.split('\n').join('\\\n'))
    .join('\n\n');
}

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
