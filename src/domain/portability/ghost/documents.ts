import { escapeHtml } from '../../../shared/html.js';
import { cardHtml, type Payload } from './cards.js';

/**
 * Ghost's two editor formats as HTML: mobiledoc (Ghost 1.x to 4.x, the `mobiledoc` column) and
 * Koenig's lexical (Ghost 5.x and 6.x, the `lexical` column). Each returns why, as a phrase
 * (`is not valid JSON`), when the text is not a document of its kind, so the caller can fall back
 * to the post's HTML. Cards Hearth has no meaning for are named in `unknown`.
 */
export interface DocumentHtml {
  html: string;
  unknown: string[];
}

// ---------------------------------------------------------------------------------------------
// Mobiledoc

type Marker = [number, number[], number, string | number] | [number[], number, string];

interface Mobiledoc {
  atoms?: [string, string, Payload][];
  cards?: [string, Payload][];
  markups?: [string, string[]?][];
  sections: unknown[][];
}

export function mobiledocHtml(source: string): DocumentHtml | string {
  const doc = parseJson(source) as Mobiledoc | undefined;
  if (doc === undefined) return 'is not valid JSON';
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.sections)) return 'is not a mobiledoc document';
  return guarded(() => mobiledocSections(doc));
}

function mobiledocSections(doc: Mobiledoc): DocumentHtml {
  const unknown = new Set<string>();
  const out: string[] = [];
  for (const section of doc.sections) {
    if (!Array.isArray(section)) continue;
    const [type, tagOrIndex, content] = section;
    if (type === 1) {
      const tag = String(tagOrIndex).toLowerCase();
      const name = /^h[1-6]$|^p$|^blockquote$/.test(tag)
        ? tag
        : tag === 'aside' || tag === 'pull-quote'
          ? 'blockquote'
          : 'p';
      out.push(`<${name}>${markersHtml(doc, content as Marker[])}</${name}>`);
    } else if (type === 2) {
      out.push(`<figure><img src="${escapeHtml(String(tagOrIndex ?? ''))}" alt=""></figure>`);
    } else if (type === 3) {
      const tag = String(tagOrIndex).toLowerCase() === 'ol' ? 'ol' : 'ul';
      const items = (Array.isArray(content) ? content : []) as Marker[][];
      out.push(`<${tag}>${items.map((markers) => `<li>${markersHtml(doc, markers)}</li>`).join('')}</${tag}>`);
    } else if (type === 10) {
      const card = doc.cards?.[Number(tagOrIndex)];
      if (!card) continue;
      const [name, payload] = card;
      const html = cardHtml(String(name), payload && typeof payload === 'object' ? payload : {});
      if (html === undefined) unknown.add(String(name));
      else out.push(html);
    }
  }
  return { html: out.join('\n'), unknown: [...unknown] };
}

function markersHtml(doc: Mobiledoc, markers: Marker[]): string {
  if (!Array.isArray(markers)) return '';
  let html = '';
  const open: string[] = [];
  for (const marker of markers) {
    // Mobiledoc 0.2 markers have no type: [openMarkups, closeCount, text].
    const [type, opens, closes, value] = (Array.isArray(marker[0]) ? [0, ...marker] : marker) as [
      number,
      number[],
      number,
      string | number,
    ];
    for (const index of opens ?? []) {
      const [tag = 'span', attrs = []] = doc.markups?.[index] ?? [];
      const name = tag.toLowerCase();
      const href = name === 'a' ? attrs[attrs.indexOf('href') + 1] : undefined;
      html += name === 'a' ? `<a href="${escapeHtml(href ?? '')}">` : `<${safeTag(name)}>`;
      open.push(name === 'a' ? 'a' : safeTag(name));
    }
    if (type === 1) {
      const atom = doc.atoms?.[Number(value)];
      html += atom?.[0] === 'soft-return' ? '<br>' : escapeHtml(String(atom?.[1] ?? ''));
    } else {
      html += escapeHtml(String(value ?? ''));
    }
    for (let i = 0; i < closes && open.length; i++) html += `</${open.pop()}>`;
  }
  while (open.length) html += `</${open.pop()}>`;
  return html;
}

const INLINE = new Set(['a', 'b', 'strong', 'i', 'em', 's', 'del', 'strike', 'u', 'code', 'sup', 'sub', 'mark']);

function safeTag(name: string): string {
  return INLINE.has(name) ? name : 'span';
}

// ---------------------------------------------------------------------------------------------
// Lexical

interface LexicalNode {
  type?: string;
  children?: LexicalNode[];
  [key: string]: unknown;
}

// Lexical's text format bits.
const BOLD = 1;
const ITALIC = 2;
const STRIKE = 4;
const CODE = 16;
const SUBSCRIPT = 32;
const SUPERSCRIPT = 64;

export function lexicalHtml(source: string): DocumentHtml | string {
  const doc = parseJson(source) as { root?: LexicalNode } | undefined;
  if (doc === undefined) return 'is not valid JSON';
  const root = doc && typeof doc === 'object' ? doc.root : undefined;
  if (!root || typeof root !== 'object' || !Array.isArray(root.children)) return 'is not a lexical document';
  const children = root.children;
  return guarded(() => {
    const unknown = new Set<string>();
    return { html: children.map((n) => nodeHtml(n, unknown)).join('\n'), unknown: [...unknown] };
  });
}

function nodeHtml(node: LexicalNode, unknown: Set<string>): string {
  if (!node || typeof node !== 'object') return '';
  const type = String(node.type ?? '').replace(/^extended-/, '');
  const inner = () => (Array.isArray(node.children) ? node.children.map((c) => nodeHtml(c, unknown)).join('') : '');
  switch (type) {
    case 'text':
      return textHtml(String(node.text ?? ''), Number(node.format ?? 0));
    case 'linebreak':
      return '<br>';
    case 'tab':
      return '\t';
    case 'paragraph':
      return `<p>${inner()}</p>`;
    case 'heading': {
      const tag = /^h[1-6]$/.test(String(node.tag)) ? String(node.tag) : 'h2';
      return `<${tag}>${inner()}</${tag}>`;
    }
    case 'quote':
    case 'aside':
      return `<blockquote><p>${inner()}</p></blockquote>`;
    case 'link':
    case 'autolink':
      return `<a href="${escapeHtml(String(node.url ?? ''))}">${inner()}</a>`;
    case 'list':
      return listHtml(node, unknown);
    case 'listitem':
      return `<li>${inner()}</li>`;
    case 'root':
      return inner();
    default: {
      if (Array.isArray(node.children)) return inner();
      const html = cardHtml(type, node);
      if (html === undefined) unknown.add(type);
      return html ?? '';
    }
  }
}

/** A list; lexical keeps a nested list in a list item of its own, which joins the item before it. */
function listHtml(node: LexicalNode, unknown: Set<string>): string {
  const tag = node.listType === 'number' ? 'ol' : 'ul';
  const start = tag === 'ol' && Number(node.start) > 1 ? ` start="${Number(node.start)}"` : '';
  const items: string[] = [];
  for (const item of node.children ?? []) {
    const children = item.children ?? [];
    const nested = children.length > 0 && children.every((c) => c.type === 'list');
    const check = node.listType === 'check' ? (item.checked ? '☑ ' : '☐ ') : '';
    const html = children.map((c) => nodeHtml(c, unknown)).join('');
    if (nested && items.length > 0) items[items.length - 1] += html;
    else items.push(`${check}${html}`);
  }
  return `<${tag}${start}>${items.map((i) => `<li>${i}</li>`).join('')}</${tag}>`;
}

function textHtml(text: string, format: number): string {
  let html = escapeHtml(text);
  if (format & CODE) html = `<code>${html}</code>`;
  if (format & SUBSCRIPT) html = `<sub>${html}</sub>`;
  if (format & SUPERSCRIPT) html = `<sup>${html}</sup>`;
  if (format & STRIKE) html = `<s>${html}</s>`;
  if (format & ITALIC) html = `<em>${html}</em>`;
  if (format & BOLD) html = `<strong>${html}</strong>`;
  return html;
}

/** A document whose parts are not of the shapes they should be (or nested past the stack) cannot be read. */
function guarded(render: () => DocumentHtml): DocumentHtml | string {
  try {
    return render();
  } catch {
    return 'cannot be read (its parts are not of the shapes Ghost writes)';
  }
}

function parseJson(source: string): unknown {
  try {
    return JSON.parse(source);
  } catch {
    return undefined;
  }
}
