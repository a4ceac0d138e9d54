import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wordpressToMarkdown } from '../../src/domain/portability/index.js';
import { plainTextMarkdown } from '../../src/domain/portability/wordpress/content.js';

/**
 * Most readers' comments are plain text, and an import converts tens of thousands of them:
 * plain text skips the HTML parser. This checks that the shortcut says exactly what the full
 * conversion says, on text made of the characters it accepts and the ones near them.
 */
const alphabet = [...'abc xyzÉé中文 .,;:?\'"()-%/@’“”…—0123456789\n\n\n\t\u00a0'];
const text = fc.array(fc.constantFrom(...alphabet), { maxLength: 120 }).map((chars) => chars.join(''));

const full = (html: string): string => wordpressToMarkdown(html, { plainShortcut: false }).markdown;

describe('plain text to Markdown', () => {
  it('matches the full conversion wherever it answers', () => {
    fc.assert(
      fc.property(text, (t) => {
        const fast = plainTextMarkdown(t);
        if (fast !== undefined) expect(fast).toBe(full(t));
      }),
      { numRuns: 3000 },
    );
  });

  it('answers for ordinary comments and leaves markup to the converter', () => {
    expect(plainTextMarkdown('Thank you, we’ll try larch.\nIt lasts.\n\nSee you soon!')).toBeUndefined(); // "!" could start an image
    expect(plainTextMarkdown('Thank you, we’ll try larch.\nIt lasts.\n\nSee you soon.')).toBe(
      'Thank you, we’ll try larch.\\\nIt lasts.\n\nSee you soon.',
    );
    for (const markup of [
      '<b>hi</b>',
      'a &amp; b',
      '[gallery]',
      '*stars*',
      '1. first',
      '- item',
      '> quote',
      'x_y',
      '# h',
    ])
      expect(plainTextMarkdown(markup), markup).toBeUndefined();
  });
});
