import type { MarkdownIt, MarkdownItOptions, Renderer, Token } from 'markdown-it';
import { escapeHtml } from '../../shared/html.js';
import { looksLikeFileName, pictureHtml } from './picture.js';
import type { RenderContext } from './types.js';

/**
 * Images: every image gets width, height, lazy loading and async decoding (and responsive
 * sources when it is a stored image); an image alone in its paragraph becomes a
 * `<figure>` whose caption is the image title or the library caption, never a file name.
 */
export function figuresPlugin(md: MarkdownIt): void {
  md.core.ruler.after('inline', 'hearth_figures', (state) => {
    const tokens = state.tokens;
    for (let i = 0; i + 2 < tokens.length; i++) {
      const open = tokens[i];
      const inline = tokens[i + 1];
      const close = tokens[i + 2];
      if (open?.type !== 'paragraph_open' || inline?.type !== 'inline' || close?.type !== 'paragraph_close') continue;
      const children = (inline.children ?? []).filter((t) => !(t.type === 'text' && t.content.trim() === ''));
      const image = children[0];
      if (children.length !== 1 || image?.type !== 'image') continue;
      const figure = new state.Token('hearth_figure', 'figure', 0);
      figure.block = true;
      figure.map = open.map;
      figure.children = [image];
      tokens.splice(i, 3, figure);
    }
  });

  md.renderer.rules.hearth_figure = (tokens, idx, options, env: RenderContext | undefined, self) => {
    const image = tokens[idx]?.children?.[0];
    if (!image) return '';
    const { html, caption } = imageHtml(image, env ?? {}, self, options);
    const credit = image.meta?.credit as string | undefined;
    const captionHtml =
      caption || credit
        ? `<figcaption>${caption ? md.renderInline(caption) : ''}${
            credit ? ` <span class="credit">${escapeHtml(credit)}</span>` : ''
          }</figcaption>`
        : '';
    return `<figure class="figure">${html}${captionHtml}</figure>\n`;
  };

  md.renderer.rules.image = (tokens, idx, options, env: RenderContext | undefined, self) => {
    const token = tokens[idx];
    return token ? imageHtml(token, env ?? {}, self, options).html : '';
  };
}

function imageHtml(
  token: Token,
  env: RenderContext,
  self: Renderer,
  options: Required<MarkdownItOptions>,
): { html: string; caption: string } {
  const src = String(token.attrGet('src') ?? '');
  const title = String(token.attrGet('title') ?? '');
  const alt = self.renderInlineAsText(token.children ?? [], options, {});
  const stored = env.image?.(src);
  const candidate = title || stored?.caption || '';
  const caption = looksLikeFileName(candidate) ? '' : candidate;
  if (stored) {
    token.meta = { ...token.meta, credit: stored.credit };
    return { html: pictureHtml(stored, { alt: alt || stored.alt }), caption };
  }
  return {
    html: `<img src="${escapeHtml(src)}" alt="${escapeHtml(alt)}" loading="lazy" decoding="async">`,
    caption,
  };
}
