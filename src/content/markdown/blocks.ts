import type { MarkdownIt, Token } from 'markdown-it';
import container from 'markdown-it-container';
import { escapeHtml, jsonForScript } from '../../shared/html.js';

/**
 * Hearth's blocks, written as fenced containers:
 *
 *     ::: note           an editor's note inside a post
 *     ::: ps             a P.S. / photo credits
 *     ::: howto Title    numbered steps; also emitted as schema.org HowTo JSON-LD
 *     ::: gallery        photos side by side (each alone in its paragraph, a figure)
 *     ::: embed URL      a link to a video, a song or a post elsewhere, as a card: nothing
 *                        is loaded from the other site (no frame, no script, no request)
 */
export function blocksPlugin(md: MarkdownIt): void {
  md.use(container, 'note', {
    render: (tokens: Token[], idx: number) =>
      tokens[idx]?.nesting === 1 ? '<aside class="editor-note" aria-label="Editor’s note">\n' : '</aside>\n',
  });

  md.use(container, 'ps', {
    render: (tokens: Token[], idx: number) =>
      tokens[idx]?.nesting === 1 ? '<aside class="postscript" aria-label="Postscript">\n' : '</aside>\n',
  });

  md.use(container, 'gallery', {
    render: (tokens: Token[], idx: number) =>
      tokens[idx]?.nesting === 1 ? '<div class="gallery" role="group" aria-label="Gallery">\n' : '</div>\n',
  });

  md.use(container, 'embed', {
    validate: (params: string) => /^embed(\s|$)/.test(params.trim()),
    render: (tokens: Token[], idx: number) => {
      const token = tokens[idx];
      if (token?.nesting !== 1) return '</figure>\n';
      const address = token.info.trim().replace(/^embed\s*/, '');
      const url = webAddress(address);
      // Not a web address: the text is kept, as a plain figure, with no link.
      if (!url) return `<figure class="embed">\n<p class="embed__link">${escapeHtml(address)}</p>\n`;
      const host = url.hostname.replace(/^www\./, '');
      return `<figure class="embed">\n<a class="embed__link" href="${escapeHtml(url.href)}"><span class="embed__site">${escapeHtml(host)}</span> <span class="embed__url">${escapeHtml(url.href)}</span></a>\n`;
    },
  });
  // An embed's text is its caption.
  md.core.ruler.push('hearth_embed_caption', (state) => {
    let inside = 0;
    for (const t of state.tokens) {
      if (t.type === 'container_embed_open') inside++;
      else if (t.type === 'container_embed_close') inside--;
      else if (inside > 0 && t.type === 'paragraph_open') {
        t.tag = 'figcaption';
      } else if (inside > 0 && t.type === 'paragraph_close') t.tag = 'figcaption';
    }
  });

  md.use(container, 'howto', {
    validate: (params: string) => /^howto(\s|$)/.test(params.trim()),
    render: (tokens: Token[], idx: number) => {
      const token = tokens[idx];
      if (token?.nesting !== 1) return '</section>\n';
      const title = howtoTitle(token);
      const id = `howto-${token.map?.[0] ?? idx}`;
      return `<section class="howto" aria-labelledby="${id}">\n<h2 id="${id}" class="howto-title">${md.renderInline(title)}</h2>\n`;
    },
  });

  md.core.ruler.push('hearth_howto_jsonld', (state) => {
    const tokens = state.tokens;
    for (let i = 0; i < tokens.length; i++) {
      if (tokens[i]?.type !== 'container_howto_open') continue;
      const close = findClose(tokens, i);
      const steps = collectSteps(tokens.slice(i + 1, close));
      const description = firstParagraph(tokens.slice(i + 1, close));
      // The list inside a how-to is its steps: mark it for styling.
      for (let j = i + 1; j < close; j++) {
        const t = tokens[j];
        if (t?.type === 'ordered_list_open' || t?.type === 'bullet_list_open') {
          t.attrJoin('class', 'howto-steps');
          break;
        }
      }
      const script = new state.Token('html_block', '', 0);
      script.content = `<script type="application/ld+json">${jsonForScript({
        '@context': 'https://schema.org',
        '@type': 'HowTo',
        name: plain(howtoTitle(tokens[i] as Token)),
        ...(description ? { description } : {}),
        step: steps.map((s, n) => ({
          '@type': 'HowToStep',
          position: n + 1,
          ...(s.name ? { name: s.name } : {}),
          text: s.text,
        })),
      })}</script>\n`;
      tokens.splice(close, 0, script);
      i = close + 1;
    }
  });
}

function howtoTitle(token: Token): string {
  return token.info.trim().replace(/^howto\s*/, '') || 'How to';
}

function findClose(tokens: Token[], open: number): number {
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    const t = tokens[j];
    if (t?.type === 'container_howto_open') depth++;
    if (t?.type === 'container_howto_close' && --depth === 0) return j;
  }
  return tokens.length;
}

/** Each top-level list item is a step: a leading bold phrase is its name, the whole item its text. */
function collectSteps(tokens: Token[]): { name: string; text: string }[] {
  const steps: { name: string; text: string }[] = [];
  let level = 0;
  let current: { name: string; parts: string[] } | undefined;
  for (const t of tokens) {
    if (t.type === 'ordered_list_open' || t.type === 'bullet_list_open') level++;
    if (t.type === 'ordered_list_close' || t.type === 'bullet_list_close') level--;
    if (t.type === 'list_item_open' && level === 1) current = { name: '', parts: [] };
    if (t.type === 'inline' && current) {
      const children = (t.children ?? []).filter((c) => !(c.type === 'text' && c.content === ''));
      if (current.parts.length === 0 && children[0]?.type === 'strong_open') {
        const end = children.findIndex((c) => c.type === 'strong_close');
        current.name = plain(
          children
            .slice(1, end)
            .map((c) => c.content)
            .join(''),
        ).replace(/[.:]\s*$/, '');
      }
      current.parts.push(plain(children.map((c) => (c.type === 'softbreak' ? ' ' : c.content)).join('')));
    }
    if (t.type === 'list_item_close' && level === 1 && current) {
      steps.push({ name: current.name, text: current.parts.join(' ').trim() });
      current = undefined;
    }
  }
  return steps;
}

function firstParagraph(tokens: Token[]): string {
  for (let j = 0; j < tokens.length; j++) {
    const t = tokens[j];
    if (t?.type === 'ordered_list_open' || t?.type === 'bullet_list_open') return '';
    if (t?.type === 'paragraph_open' && tokens[j + 1]?.type === 'inline') return plain(tokens[j + 1]?.content ?? '');
  }
  return '';
}

function plain(text: string): string {
  return text.replace(/[*_`]/g, '').replace(/\s+/g, ' ').trim();
}

/** An http(s) address, or undefined. */
function webAddress(text: string): URL | undefined {
  if (!/^https?:\/\//i.test(text)) return undefined;
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
