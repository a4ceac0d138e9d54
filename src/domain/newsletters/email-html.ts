import { type DefaultTreeAdapterMap, parseFragment } from 'parse5';
import { escapeHtml } from '../../shared/html.js';
import { CONTENT_WIDTH, EMAIL_WIDTH, light, MONO_STACK, paint, type Surface } from './email-style.js';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];
type ParentNode = DefaultTreeAdapterMap['parentNode'];

/** Where relative addresses in a post point: the blog, and the post itself for `#fragments`. */
export interface EmailBase {
  /** The blog's public address, no trailing slash. */
  siteUrl: string;
  /** The post's absolute address. */
  postUrl: string;
  /** The blog's writing direction: lists and quotes are indented on the side lines start. */
  dir?: 'ltr' | 'rtl';
}

/** Parses a post's stored HTML (a fragment) with parse5, as a browser would. */
export function parseBody(html: string): DefaultTreeAdapterMap['documentFragment'] {
  return parseFragment(html);
}

/** An element's attribute, or undefined. */
export function attr(el: Element, name: string): string | undefined {
  return el.attrs.find((a) => a.name === name)?.value;
}

export function isElement(node: Node): node is Element {
  return 'tagName' in node;
}

/** Classes of an element, as a set. */
function classes(el: Element): Set<string> {
  return new Set((attr(el, 'class') ?? '').split(/\s+/).filter(Boolean));
}

/**
 * An address made absolute: paths from the blog's root (`/media/…`) on the blog's address,
 * fragments (`#section`) on the post, others resolved as a browser would. Only web, mail
 * and telephone addresses are kept; anything else (`javascript:`) is undefined.
 */
export function absoluteUrl(href: string, base: EmailBase): string | undefined {
  const h = href.trim();
  if (h === '') return undefined;
  let url: URL;
  try {
    url = h.startsWith('/') && !h.startsWith('//') ? new URL(base.siteUrl + h) : new URL(h, base.postUrl);
  } catch {
    return undefined;
  }
  return ['http:', 'https:', 'mailto:', 'tel:'].includes(url.protocol) ? url.href : undefined;
}

const EMAIL_SAFE_IMAGE = /\.(jpe?g|png|gif)(?:[?#]|$)/i;
const ANY_IMAGE_EXTENSION = /\.[a-z0-9]{2,5}(?:[?#]|$)/i;

/**
 * The address of the file an email shows for an `<img>`: from its `srcset`, the smallest
 * JPEG, PNG or GIF at least `EMAIL_WIDTH` pixels wide (else the widest); without one, its
 * `src` (an AVIF or WebP `src` is refused: most mail clients cannot show it).
 */
export function emailImageSrc(src: string, srcset: string | undefined): string | undefined {
  const candidates = (srcset ?? '')
    .split(/,\s+/)
    .map((c) => c.trim().split(/\s+/))
    .map(([url = '', descriptor = '']) => ({
      url,
      width: /^\d+w$/.test(descriptor) ? Number.parseInt(descriptor, 10) : 0,
    }))
    .filter((c) => c.url !== '' && c.width > 0 && EMAIL_SAFE_IMAGE.test(c.url))
    .sort((a, b) => a.width - b.width);
  const pick = candidates.find((c) => c.width >= EMAIL_WIDTH) ?? candidates.at(-1);
  if (pick) return pick.url;
  if (EMAIL_SAFE_IMAGE.test(src) || !ANY_IMAGE_EXTENSION.test(src.split('?')[0] ?? '')) return src || undefined;
  return undefined;
}

/** A width and height scaled down (never up) to at most `max` pixels wide. */
export function fitWidth(width: number, height: number, max: number): { width: number; height: number } {
  if (!(width > 0) || !(height > 0) || width <= max) return { width, height };
  return { width: max, height: Math.max(1, Math.round((height * max) / width)) };
}

/** An email-safe `<img>`: absolute JPEG/PNG/GIF address, size at most `max` wide, alt text as given. */
export function imgTag(image: { url: string; alt: string; width?: number; height?: number }, max: number): string {
  const size = image.width && image.height ? fitWidth(image.width, image.height, max) : undefined;
  const dims = size ? ` width="${size.width}" height="${size.height}"` : '';
  const style = `display:block;width:100%;max-width:${size?.width ?? max}px;height:auto;border:0;outline:none;text-decoration:none;background-color:#ffffff`;
  return `<img src="${escapeHtml(image.url)}" alt="${escapeHtml(image.alt)}"${dims} style="${style}">`;
}

// Never copied into a message: what runs, what loads other pages, forms and what needs the site's CSS.
const DROPPED = new Set([
  'script',
  'noscript',
  'template',
  'style',
  'link',
  'meta',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'form',
  'input',
  'button',
  'select',
  'textarea',
  'option',
  'svg',
  'math',
  'canvas',
  'video',
  'audio',
  'source',
  'track',
  'dialog',
  'slot',
  'base',
]);

const VOID = new Set(['br', 'hr', 'img', 'wbr']);
// Attributes that mean the same in a message; everything else (class, id, style, data-*, aria-*) goes.
const KEPT_ATTRIBUTES = new Set([
  'title',
  'lang',
  'dir',
  'colspan',
  'rowspan',
  'start',
  'reversed',
  'datetime',
  'scope',
]);
// Elements kept as they are (with the attributes above); unknown ones give up their tag and keep their text.
const INLINE = new Set([
  'span',
  'strong',
  'b',
  'em',
  'i',
  'u',
  's',
  'del',
  'ins',
  'mark',
  'small',
  'sub',
  'sup',
  'abbr',
  'cite',
  'q',
  'dfn',
  'time',
  'kbd',
  'samp',
  'var',
  'bdi',
  'bdo',
  'br',
  'wbr',
]);

const block = (surface: Surface, more = '') =>
  paint(surface, 'text', `margin:0 0 16px;font-size:17px;line-height:1.6${more}`);
const HEADING_SIZES: Record<string, number> = { h1: 26, h2: 22, h3: 19, h4: 17, h5: 16, h6: 15 };

interface Context {
  base: EmailBase;
  surface: Surface;
  /** Inside a `<pre>`: whitespace kept. */
  pre: boolean;
}

/**
 * A post's stored HTML made fit for email: `<picture>` becomes one `<img>` (a JPEG or PNG
 * about 600 px wide, absolute, sized to the column, alt kept, no srcset), every link and
 * image absolute, scripts, frames and forms gone, the site's classes and ids dropped, and
 * each of Hearth's blocks (editor's note, P.S., how-to, gallery, embed, code, table) given
 * simple inline styles. Written by walking parse5's tree, so only what is listed here ever
 * reaches the message.
 */
export function emailBodyHtml(html: string, base: EmailBase): string {
  return children(parseBody(html), { base, surface: 'card', pre: false });
}

function children(parent: ParentNode, ctx: Context): string {
  return parent.childNodes.map((n) => node(n, ctx)).join('');
}

function node(n: Node, ctx: Context): string {
  if (n.nodeName === '#text') {
    const value = (n as DefaultTreeAdapterMap['textNode']).value;
    return escapeHtml(value);
  }
  if (!isElement(n)) return '';
  const tag = n.tagName;
  if (DROPPED.has(tag)) return '';
  const cls = classes(n);
  switch (tag) {
    case 'picture':
    case 'img':
      return image(n, ctx);
    case 'a':
      return link(n, ctx);
    case 'p':
      return `<p ${block(ctx.surface)}>${children(n, ctx)}</p>`;
    case 'h1':
    case 'h2':
    case 'h3':
    case 'h4':
    case 'h5':
    case 'h6': {
      const size = HEADING_SIZES[tag] ?? 17;
      return `<${tag} ${paint(ctx.surface, 'text', `margin:28px 0 12px;font-size:${size}px;line-height:1.3;font-weight:700`)}>${children(n, ctx)}</${tag}>`;
    }
    case 'ul':
    case 'ol':
      return `<${tag}${keptAttributes(n)} ${paint(ctx.surface, 'text', `margin:0 0 16px;padding:0;padding-${start(ctx)}:24px`)}>${children(n, ctx)}</${tag}>`;
    case 'li':
      return `<li ${paint(ctx.surface, 'text', 'margin:0 0 8px;font-size:17px;line-height:1.6')}>${children(n, ctx)}</li>`;
    case 'blockquote':
      return `<blockquote class="em-rule" style="margin:0 0 16px;padding:0;padding-${start(ctx)}:16px;border:0;border-${start(ctx)}:3px solid ${light.rule}">${children(n, ctx)}</blockquote>`;
    case 'pre':
      return `<pre ${paint('code', 'text', `margin:0 0 16px;padding:12px 14px;font-family:${MONO_STACK};font-size:14px;line-height:1.5;white-space:pre-wrap;word-wrap:break-word;border-radius:4px`)}>${children(n, { ...ctx, surface: 'code', pre: true })}</pre>`;
    case 'code':
      return ctx.pre
        ? children(n, ctx)
        : `<code ${paint('code', 'text', `font-family:${MONO_STACK};font-size:0.9em;padding:1px 4px;border-radius:3px`)}>${children(n, { ...ctx, surface: 'code' })}</code>`;
    case 'hr':
      return `<hr class="em-rule" style="border:0;border-top:1px solid ${light.rule};margin:24px 0;height:0">`;
    case 'table':
      return `<table role="table" cellpadding="0" cellspacing="0" border="0" width="100%" style="width:100%;margin:0 0 16px;border-collapse:collapse;font-size:15px">${children(n, ctx)}</table>`;
    case 'thead':
    case 'tbody':
    case 'tfoot':
    case 'tr':
    case 'caption':
      return `<${tag}>${children(n, ctx)}</${tag}>`;
    case 'th':
    case 'td': {
      const align = /text-align:\s*(left|right|center)/.exec(attr(n, 'style') ?? '')?.[1];
      return `<${tag}${keptAttributes(n)}${align ? ` align="${align}"` : ''} ${paint(ctx.surface, 'text', `padding:6px 8px;border:1px solid ${light.rule};text-align:${align ?? start(ctx)};vertical-align:top${tag === 'th' ? ';font-weight:700' : ''}`, 'em-rule')}>${children(n, ctx)}</${tag}>`;
    }
    case 'figure':
      return figure(n, ctx, cls);
    case 'span':
      // A photo's credit follows its caption on a line of its own.
      if (cls.has('credit')) {
        const after = n.parentNode?.childNodes
          .slice(0, n.parentNode.childNodes.indexOf(n))
          .some((c) => c.nodeName !== '#text' || (c as DefaultTreeAdapterMap['textNode']).value.trim() !== '');
        return `${after ? '<br>' : ''}<span>${children(n, ctx)}</span>`;
      }
      // An embed's card: the site's name, then its address on a line of its own.
      if (cls.has('embed__site')) return `<strong>${children(n, ctx)}</strong>`;
      if (cls.has('embed__url')) return `<br><span>${children(n, ctx)}</span>`;
      return `<span${keptAttributes(n)}>${children(n, ctx)}</span>`;
    case 'figcaption':
      return `<p ${paint(ctx.surface, 'muted', 'margin:6px 0 0;font-size:14px;line-height:1.5')}>${children(n, ctx)}</p>`;
    case 'aside':
      return aside(n, ctx, cls);
    case 'section':
    case 'div':
    case 'article':
    case 'header':
    case 'footer':
    case 'main':
    case 'nav':
    case 'details':
    case 'summary':
    case 'dl':
      // A gallery's photos are stacked: each is already a figure of its own.
      return `<div style="margin:0">${children(n, ctx)}</div>`;
    case 'dt':
      return `<p ${block(ctx.surface, ';margin-bottom:4px;font-weight:700')}>${children(n, ctx)}</p>`;
    case 'dd':
      return `<p ${block(ctx.surface, `;padding-${start(ctx)}:16px`)}>${children(n, ctx)}</p>`;
    default:
      if (INLINE.has(tag)) {
        return VOID.has(tag) ? `<${tag}>` : `<${tag}${keptAttributes(n)}>${children(n, ctx)}</${tag}>`;
      }
      return children(n, ctx);
  }
}

/** The side lines start on: `left`, or `right` in a right-to-left blog. */
const start = (ctx: Context) => (ctx.base.dir === 'rtl' ? 'right' : 'left');

function keptAttributes(el: Element): string {
  return el.attrs
    .filter((a) => KEPT_ATTRIBUTES.has(a.name))
    .map((a) => ` ${a.name}="${escapeHtml(a.value)}"`)
    .join('');
}

/** A `<picture>` or `<img>` as one email-safe `<img>`, or nothing when no file fits. */
function image(el: Element, ctx: Context): string {
  const img = el.tagName === 'img' ? el : findElement(el, 'img');
  if (!img) return '';
  const src = emailImageSrc(attr(img, 'src') ?? '', attr(img, 'srcset'));
  const url = src && absoluteUrl(src, ctx.base);
  if (!url || !/^https?:/.test(url)) return '';
  const width = Number(attr(img, 'width'));
  const height = Number(attr(img, 'height'));
  return imgTag({ url, alt: attr(img, 'alt') ?? '', width, height }, CONTENT_WIDTH);
}

function findElement(parent: ParentNode, tag: string): Element | undefined {
  for (const c of parent.childNodes) {
    if (!isElement(c)) continue;
    if (c.tagName === tag) return c;
    const inner = findElement(c, tag);
    if (inner) return inner;
  }
  return undefined;
}

function link(el: Element, ctx: Context): string {
  const inner = children(el, ctx);
  // A heading's own anchor (`#section`) means nothing in a message: its text stays.
  if (classes(el).has('heading-anchor')) return inner;
  const href = absoluteUrl(attr(el, 'href') ?? '', ctx.base);
  if (!href) return inner;
  return `<a href="${escapeHtml(href)}" ${paint(ctx.surface, 'link', 'text-decoration:underline')}>${inner}</a>`;
}

function figure(el: Element, ctx: Context, cls: Set<string>): string {
  if (cls.has('embed')) {
    // An embed is a link to the other site, in a box: nothing is loaded from there.
    return `<div ${paint('note', 'text', `margin:0 0 20px;padding:12px 16px;border-${start(ctx)}:3px solid ${light.link};border-radius:4px`)}>${children(el, { ...ctx, surface: 'note' })}</div>`;
  }
  return `<div style="margin:0 0 20px">${children(el, ctx)}</div>`;
}

function aside(el: Element, ctx: Context, cls: Set<string>): string {
  if (cls.has('editor-note')) {
    const label = attr(el, 'aria-label') ?? 'Editor’s note';
    return `<div ${paint('note', 'text', 'margin:0 0 20px;padding:14px 16px 2px;border-radius:4px')}><p ${paint('note', 'text', 'margin:0 0 6px;font-size:13px;line-height:1.4;font-weight:700;text-transform:uppercase;letter-spacing:0.04em')}>${escapeHtml(label)}</p>${children(el, { ...ctx, surface: 'note' })}</div>`;
  }
  if (cls.has('postscript')) {
    return `<div class="em-rule" style="margin:24px 0 16px;padding:12px 0 0;border-top:1px solid ${light.rule}">${children(el, ctx)}</div>`;
  }
  return `<div style="margin:0 0 16px">${children(el, ctx)}</div>`;
}
