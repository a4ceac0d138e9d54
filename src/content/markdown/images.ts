import type { Token } from 'markdown-it';
import MarkdownIt from 'markdown-it';

const parser = new MarkdownIt({ html: false });

/** An image written in Markdown: its URL and its alternative text (empty when none). */
export interface MarkdownImage {
  src: string;
  alt: string;
}

/**
 * Every image in a body of Markdown, as CommonMark reads it (inline and reference
 * images alike), in order.
 *
 * @example
 *   markdownImages('![A duck](/media/duck.jpg)') // [{ src: '/media/duck.jpg', alt: 'A duck' }]
 */
export function markdownImages(markdown: string): MarkdownImage[] {
  const images: MarkdownImage[] = [];
  const visit = (tokens: Token[]) => {
    for (const t of tokens) {
      if (t.type === 'image') {
        images.push({ src: String(t.attrGet('src') ?? ''), alt: plainText(t.children ?? []).trim() });
      }
      if (t.children) visit(t.children);
    }
  };
  visit(parser.parse(markdown, {}));
  return images;
}

function plainText(tokens: Token[]): string {
  return tokens.map((t) => (t.children ? plainText(t.children) : t.type === 'softbreak' ? ' ' : t.content)).join('');
}
