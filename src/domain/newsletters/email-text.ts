import type { DefaultTreeAdapterMap } from 'parse5';
import { attr, isElement, parseBody } from './email-html.js';

type Node = DefaultTreeAdapterMap['node'];
type ParentNode = DefaultTreeAdapterMap['parentNode'];

/** Lines of the text part are wrapped here (at spaces; a long address stays whole). */
export const TEXT_WIDTH = 72;

const BLOCKS = new Set([
  'p',
  'div',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'ul',
  'ol',
  'li',
  'blockquote',
  'pre',
  'table',
  'thead',
  'tbody',
  'tfoot',
  'tr',
  'figure',
  'figcaption',
  'aside',
  'section',
  'hr',
  'dl',
  'dt',
  'dd',
  'caption',
]);
const SKIPPED = new Set(['script', 'style', 'template', 'noscript', 'head', 'title']);

/**
 * HTML as the plain-text part of a message: headings underlined, paragraphs wrapped,
 * links as "text (address)", images as their alt text in brackets (nothing when it is
 * empty, as it is for a decorative image), lists with "-" or numbers, quotes with "> ",
 * code as written, table rows with " | " between cells. Characters are kept as they are.
 */
export function htmlToText(html: string): string {
  return tidy(blocks(parseBody(html)));
}

/** Wraps `text` at spaces to `width` columns (counted in characters). */
export function wrap(text: string, width = TEXT_WIDTH): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    let current = '';
    for (const word of line.split(/ +/)) {
      if (word === '') continue;
      if (current !== '' && [...current].length + 1 + [...word].length > width) {
        out.push(current);
        current = word;
      } else current = current === '' ? word : `${current} ${word}`;
    }
    out.push(current);
  }
  return out.join('\n');
}

function tidy(text: string): string {
  return `${text
    .split('\n')
    .map((l) => l.replace(/[ \t]+$/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

const isBlock = (n: Node) => isElement(n) && BLOCKS.has(n.tagName);

/** The children of `parent` as blocks separated by blank lines: runs of inline content become wrapped paragraphs. */
function blocks(parent: ParentNode): string {
  const parts: string[] = [];
  let run: Node[] = [];
  const flush = () => {
    const text = inline(run)
      .replace(/[ \t]*\n[ \t]*/g, '\n')
      .trim();
    if (text !== '') parts.push(wrap(text));
    run = [];
  };
  for (const child of parent.childNodes) {
    if (isElement(child) && SKIPPED.has(child.tagName)) continue;
    if (isBlock(child)) {
      flush();
      const text = block(child as DefaultTreeAdapterMap['element']);
      if (text.trim() !== '') parts.push(text);
    } else run.push(child);
  }
  flush();
  return parts.join('\n\n');
}

function block(el: DefaultTreeAdapterMap['element']): string {
  switch (el.tagName) {
    case 'h1':
    case 'h2': {
      const text = inline(el.childNodes).trim();
      return `${text}\n${(el.tagName === 'h1' ? '=' : '-').repeat(Math.min([...text].length, TEXT_WIDTH))}`;
    }
    case 'h3':
    case 'h4':
    case 'h5':
    case 'h6':
      return wrap(inline(el.childNodes).trim());
    case 'ul':
    case 'ol': {
      let n = Number(attr(el, 'start') ?? 1) || 1;
      const items = el.childNodes.filter((c) => isElement(c) && c.tagName === 'li');
      return items
        .map((li) => {
          const marker = el.tagName === 'ol' ? `${n++}. ` : '- ';
          const body = blocks(li as ParentNode).replace(/\n\n+/g, '\n');
          return indent(body, marker);
        })
        .join('\n');
    }
    case 'blockquote':
      return blocks(el)
        .split('\n')
        .map((l) => (l === '' ? '>' : `> ${l}`))
        .join('\n');
    case 'pre':
      return textOf(el).replace(/\n$/, '');
    case 'hr':
      return '----';
    case 'table':
    case 'thead':
    case 'tbody':
    case 'tfoot':
      return el.childNodes
        .filter(isBlock)
        .map((c) => block(c as DefaultTreeAdapterMap['element']))
        .filter((t) => t !== '')
        .join('\n');
    case 'tr':
      return el.childNodes
        .filter((c) => isElement(c) && (c.tagName === 'td' || c.tagName === 'th'))
        .map((c) =>
          inline((c as ParentNode).childNodes)
            .replace(/\s+/g, ' ')
            .trim(),
        )
        .join(' | ');
    default:
      return blocks(el);
  }
}

/** `text` with `marker` before its first line and the others indented to match. */
function indent(text: string, marker: string): string {
  const pad = ' '.repeat(marker.length);
  return text
    .split('\n')
    .map((l, i) => (i === 0 ? marker + l : l === '' ? '' : pad + l))
    .join('\n');
}

function inline(nodes: Node[]): string {
  let out = '';
  for (const n of nodes) {
    if (n.nodeName === '#text') out += (n as DefaultTreeAdapterMap['textNode']).value.replace(/\s+/g, ' ');
    else if (!isElement(n) || SKIPPED.has(n.tagName)) continue;
    else if (n.tagName === 'br') out += '\n';
    else if (n.tagName === 'img') {
      const alt = (attr(n, 'alt') ?? '').trim();
      if (alt) out += `[${alt}]`;
    } else if (n.tagName === 'a') {
      const text = inline(n.childNodes).trim();
      const href = attr(n, 'href') ?? '';
      const bare = href.replace(/^mailto:/, '');
      // Written once: a link whose text already shows its address (an embed's card) adds nothing.
      out += !href || text.includes(href) || text === bare ? text || href : text ? `${text} (${href})` : href;
    } else if (isBlock(n)) out += ` ${inline(n.childNodes)} `;
    else out += inline(n.childNodes);
  }
  return out.replace(/ {2,}/g, ' ');
}

function textOf(parent: ParentNode): string {
  return parent.childNodes
    .map((n) =>
      n.nodeName === '#text' ? (n as DefaultTreeAdapterMap['textNode']).value : isElement(n) ? textOf(n) : '',
    )
    .join('');
}
