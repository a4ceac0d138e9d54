import MarkdownIt from 'markdown-it';
import anchor from 'markdown-it-anchor';
import { slugify } from '../../shared/slug.js';
import { blocksPlugin } from './blocks.js';
import { figuresPlugin } from './figures.js';
import type { RenderContext } from './types.js';

/** Turns a post's Markdown into HTML. Raw HTML in the source is shown as text, never run. */
export interface MarkdownRenderer {
  render(markdown: string, context?: RenderContext): string;
}

/**
 * The Markdown pipeline: CommonMark (markdown-it) with figures, responsive images,
 * heading anchors, editor's notes, P.S. blocks and how-to steps with JSON-LD.
 *
 * @example
 *   createMarkdownRenderer().render('## Hello\n\n::: ps\nPhotos by Ana.\n:::')
 */
export function createMarkdownRenderer(): MarkdownRenderer {
  const md = new MarkdownIt({ html: false, linkify: true, typographer: true });
  md.use(anchor, {
    level: [2, 3, 4],
    slugify: (s: string) => slugify(s, 'section'),
    tabIndex: false,
    permalink: anchor.permalink.headerLink({ safariReaderFix: true, class: 'heading-anchor' }),
  });
  md.use(figuresPlugin);
  md.use(blocksPlugin);

  const defaultLink =
    md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  md.renderer.rules.link_open = (tokens, idx, options, env: RenderContext | undefined, self) => {
    const token = tokens[idx];
    const href = token?.attrGet('href');
    if (token && typeof href === 'string') {
      const resolved = env?.link?.(href);
      if (resolved !== undefined) token.attrSet('href', resolved);
      if (/^https?:\/\//.test(String(token.attrGet('href') ?? ''))) token.attrSet('rel', 'noopener');
    }
    return defaultLink(tokens, idx, options, env, self);
  };
  // markdown-it refuses unknown schemes; `post:` is ours and resolved above.
  const validateLink = md.validateLink.bind(md);
  md.validateLink = (url) => url.startsWith('post:') || validateLink(url);

  return {
    render: (markdown, context = {}) => md.render(markdown, { image: context.image, link: context.link }),
  };
}
