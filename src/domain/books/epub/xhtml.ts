/*
 * HTML fragments to XHTML for EPUB content documents. The fragment is parsed as a browser
 * would (parse5, the HTML standard's algorithm), so unclosed tags, bare `&` and unquoted
 * attributes come out as a browser shows them; then only elements and attributes an
 * e-reader needs are written back as XML: scripts, forms, frames, navigation and styles go,
 * `<picture>` becomes its `<img>`, unknown elements give up their tags but keep their text.
 */
import { type DefaultTreeAdapterMap, parseFragment } from 'parse5';
import { xmlText } from '../../../shared/xml.js';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

const HTML_NS = 'http://www.w3.org/1999/xhtml';

/** Elements written as they are (with the attributes below). */
const KEPT = new Set(
  (
    'a abbr address article aside b bdi bdo blockquote br caption cite code col colgroup dd del dfn div dl dt ' +
    'em figcaption figure footer h1 h2 h3 h4 h5 h6 header hgroup hr i img ins kbd li mark ol p pre q rp rt ruby ' +
    's samp section small span strong sub sup table tbody td tfoot th thead tr u ul var wbr'
  ).split(' '),
);
/** Elements dropped with everything in them: code, forms, frames, embedded media, web chrome. */
const DROPPED = new Set(
  (
    'script style noscript template iframe frame frameset object embed applet form input button select ' +
    'textarea option optgroup datalist output nav link meta base title head audio video canvas map area ' +
    'svg math dialog slot source track param'
  ).split(' '),
);
const VOID = new Set('br col hr img wbr'.split(' '));
/** Elements that hold only phrasing content: one that would hold a block gives up its tags. */
const PHRASING_ONLY = new Set(
  'a abbr b bdi bdo cite code del dfn em h1 h2 h3 h4 h5 h6 i ins kbd mark p pre q rp rt ruby s samp small span strong sub sup u var'.split(
    ' ',
  ),
);
const PHRASING = new Set([...PHRASING_ONLY].filter((n) => !/^(h\d|p|pre)$/.test(n)).concat(['br', 'img', 'wbr']));
/** Elements that belong only inside certain others; elsewhere they give up their tags. */
const PARENTS: Record<string, string[]> = {
  li: ['ul', 'ol'],
  dt: ['dl'],
  dd: ['dl'],
  figcaption: ['figure'],
  caption: ['table'],
  colgroup: ['table'],
  col: ['colgroup'],
  thead: ['table'],
  tbody: ['table'],
  tfoot: ['table'],
  tr: ['table', 'thead', 'tbody', 'tfoot'],
  td: ['tr'],
  th: ['tr'],
  rt: ['ruby'],
  rp: ['ruby'],
};

const INTEGER = /^\d{1,6}$/;
const LANG = /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/;

/** What an attribute on an element may hold; `null` keeps any text. */
function attributeRule(element: string, name: string): RegExp | null | undefined {
  switch (name) {
    case 'id':
      return /^\S+$/;
    case 'class':
    case 'title':
    case 'aria-label':
      return null;
    case 'aria-labelledby':
    case 'aria-describedby':
      return /^\S+( \S+)*$/;
    case 'aria-hidden':
      return /^(true|false)$/;
    case 'lang':
    case 'xml:lang':
      return LANG;
    case 'dir':
      return /^(ltr|rtl|auto)$/;
    case 'epub:type':
      return /^[\w:-]+( [\w:-]+)*$/;
  }
  const rules: Record<string, Record<string, RegExp | null>> = {
    a: { href: null },
    img: { src: null, alt: null, width: INTEGER, height: INTEGER },
    td: { colspan: INTEGER, rowspan: INTEGER },
    th: { colspan: INTEGER, rowspan: INTEGER, scope: /^(row|col|rowgroup|colgroup)$/ },
    ol: { start: /^-?\d{1,6}$/, type: /^[1aAiI]$/ },
    li: { value: /^-?\d{1,6}$/ },
    col: { span: INTEGER },
    colgroup: { span: INTEGER },
  };
  return rules[element]?.[name];
}

/** A converted fragment and what a book needs to know of it. */
export interface ConvertedHtml {
  xhtml: string;
  /** Every `id` in the fragment. */
  ids: Set<string>;
  /** Every link target (`href`), in order. */
  links: string[];
  /** Every image: its `src` and whether it has a text alternative. */
  images: { src: string; alt: string }[];
}

/**
 * Turns an HTML fragment into well-formed XHTML for an EPUB content document.
 *
 * @example
 *   toXhtml('<p>Tea & cake<br>today') // '<p>Tea &amp; cake<br/>today</p>'
 */
export function toXhtml(html: string): string {
  return convertHtml(html).xhtml;
}

export function convertHtml(html: string): ConvertedHtml {
  const fragment = parseFragment(xmlText(html));
  const out: ConvertedHtml = { xhtml: '', ids: new Set(), links: [], images: [] };
  const parts: string[] = [];
  for (const child of fragment.childNodes) write(child, parts, out, '');
  out.xhtml = parts.join('');
  return out;
}

/** Whether an element holds (through elements that will give up their tags) a block element. */
function holdsBlock(element: Element): boolean {
  return element.childNodes.some((child) => {
    if (!('tagName' in child) || child.namespaceURI !== HTML_NS) return false;
    const name = child.tagName.toLowerCase();
    if (DROPPED.has(name)) return false;
    if (KEPT.has(name) && !PHRASING.has(name)) return true;
    return holdsBlock(child);
  });
}

function write(node: Node, parts: string[], out: ConvertedHtml, parent: string): void {
  if (node.nodeName === '#text') {
    parts.push(escapeText((node as DefaultTreeAdapterMap['textNode']).value));
    return;
  }
  if (!('tagName' in node)) return; // comments, doctypes
  const element = node as Element;
  const name = element.tagName.toLowerCase();
  if (element.namespaceURI !== HTML_NS || DROPPED.has(name)) return;
  if (name === 'picture') {
    const img = element.childNodes.find((c): c is Element => 'tagName' in c && c.tagName === 'img');
    if (img) write(img, parts, out, parent);
    return;
  }
  const misplaced = PARENTS[name] !== undefined && !PARENTS[name].includes(parent);
  if (!KEPT.has(name) || misplaced || (PHRASING_ONLY.has(name) && holdsBlock(element))) {
    for (const child of element.childNodes) write(child, parts, out, parent);
    return;
  }
  parts.push(`<${name}`);
  const attrs = new Map<string, string>();
  for (const { name: attrName, value } of element.attrs) {
    const attr = attrName.toLowerCase();
    const rule = attributeRule(name, attr);
    const text = xmlText(value);
    if (rule === undefined || (rule !== null && !rule.test(text))) continue;
    if ((attr === 'href' || attr === 'src') && /^\s*(javascript|vbscript|data):/i.test(text)) continue;
    if (attr === 'id') {
      if (out.ids.has(text)) continue;
      out.ids.add(text);
    }
    attrs.set(attr, text);
  }
  if (name === 'img') {
    if (!attrs.has('src')) return;
    if (!attrs.has('alt')) attrs.set('alt', '');
    out.images.push({ src: attrs.get('src') as string, alt: attrs.get('alt') as string });
  }
  if (name === 'a' && attrs.has('href')) out.links.push(attrs.get('href') as string);
  for (const [attr, value] of attrs) parts.push(` ${attr}="${escapeAttribute(value)}"`);
  if (VOID.has(name)) {
    parts.push('/>');
    return;
  }
  parts.push('>');
  for (const child of element.childNodes) write(child, parts, out, name);
  parts.push(`</${name}>`);
}

/** Text for XML element content: forbidden characters dropped, `&`, `<` and `>` escaped. */
export function escapeText(text: string): string {
  return xmlText(text).replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/** Text for a double-quoted XML attribute. */
export function escapeAttribute(text: string): string {
  return escapeText(text)
    .replace(/"/g, '&quot;')
    .replace(/[\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}
