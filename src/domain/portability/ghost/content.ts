/// <reference lib="dom" />
// turndown hands its rules DOM nodes (domino's, in Node), and its types are written against the DOM.
import { escapeHtml } from '../../../shared/html.js';
import { createHtmlToMarkdown, type HtmlToMarkdownState, type MarkdownImage, tidyMarkdown } from '../html-markdown.js';
import { lexicalHtml, mobiledocHtml } from './documents.js';

/** A post's body as the export holds it: one or more of Ghost's copies. */
export interface GhostBody {
  lexical: string | null;
  mobiledoc: string | null;
  html: string | null;
}

export interface GhostContentOptions {
  /** The old site's address, put where Ghost wrote `__GHOST_URL__`; without it those URLs become paths. */
  siteUrl: string | null;
  /** Maps an image or link URL (after `__GHOST_URL__` is replaced) to its Hearth URL; `undefined` keeps it. */
  mediaUrl?: (url: string) => string | undefined;
}

export interface GhostContent {
  /** The body as Hearth Markdown, with no raw HTML. */
  markdown: string;
  /** Every image written into the Markdown: its (mapped) URL, alt text and caption Markdown. */
  images: MarkdownImage[];
  /** Cards Hearth has no meaning for (dropped), once each. */
  unknownCards: string[];
  /** Which copy the Markdown was made from. */
  from: 'lexical' | 'mobiledoc' | 'html' | 'none';
  /** Why the editor's copy could not be used (`its mobiledoc field is not valid JSON`), when it could not. */
  problem: string | null;
}

/**
 * A Ghost post's body as Hearth Markdown: from its lexical (Ghost 5-6) or mobiledoc (Ghost 1-4)
 * document, or from its HTML when neither is there or readable. Markdown cards are rendered the way
 * Ghost rendered them (markdown-it, a newline is a line break) and converted with everything else,
 * so their raw HTML is converted too; a callout becomes a `::: note`.
 *
 * @example
 *   ghostToMarkdown({ lexical: null, mobiledoc: null, html: '<p>Hi</p>' }, { siteUrl: null }).markdown // 'Hi'
 */
export function ghostToMarkdown(body: GhostBody, options: GhostContentOptions): GhostContent {
  let problem: string | null = null;
  let from: GhostContent['from'] = 'none';
  let html = '';
  let unknown: string[] = [];
  let document: { html: string; unknown: string[] } | undefined;
  for (const [kind, source, read] of [
    ['lexical', body.lexical, lexicalHtml],
    ['mobiledoc', body.mobiledoc, mobiledocHtml],
  ] as const) {
    if (!source) continue;
    const result = read(source);
    if (typeof result !== 'string') {
      document = result;
      from = kind;
      break;
    }
    problem ??= `its ${kind} field ${result}`;
  }
  if (document) {
    html = document.html;
    unknown = document.unknown;
  } else if (body.html) {
    from = 'html';
    html = body.html;
  }
  html = html.replace(/__GHOST_URL__/g, options.siteUrl ?? '');

  const state: HtmlToMarkdownState = { options: { mediaUrl: options.mediaUrl }, images: [] };
  const service = createHtmlToMarkdown(state);
  service.addRule('ghostCallout', {
    filter: (node) =>
      node.nodeName === 'DIV' &&
      (node.hasAttribute('data-ghost-callout') || /\bkg-callout-card\b/.test(node.getAttribute('class') ?? '')),
    replacement: (content, node) => {
      // Ghost's own markup keeps the emoji apart from the text; they read as one line here.
      const el = node as HTMLElement;
      const text = el.querySelector('.kg-callout-text');
      const emoji = el.querySelector('.kg-callout-emoji')?.textContent?.trim();
      const inner = text ? `${emoji ? `${emoji} ` : ''}${service.turndown(text.innerHTML)}` : content;
      return inner.trim() ? `\n\n::: note\n${inner.trim()}\n:::\n\n` : '';
    },
  });
  service.addRule('ghostBookmark', {
    filter: (node) =>
      (node.nodeName === 'FIGURE' || node.nodeName === 'DIV') &&
      /\bkg-bookmark-card\b/.test(node.getAttribute('class') ?? ''),
    replacement: (_content, node) => {
      const el = node as HTMLElement;
      const href = el.querySelector('a[href]')?.getAttribute('href') ?? '';
      const title = el.querySelector('.kg-bookmark-title')?.textContent?.trim() || href;
      const caption = el.querySelector('figcaption')?.innerHTML ?? '';
      const link = href ? `<p><a href="${escapeHtml(href)}">${escapeHtml(title)}</a></p>` : '';
      return `\n\n${service.turndown(`${link}${caption ? `<p>${caption}</p>` : ''}`)}\n\n`;
    },
  });
  return {
    markdown: tidyMarkdown(service.turndown(html)),
    images: state.images,
    unknownCards: unknown,
    from,
    problem,
  };
}
