import { describe, expect, it } from 'vitest';
import { escapeHtml, jsonForScript, withReferences } from '../../src/shared/html.js';

describe('HTML as Hearth writes it: ASCII', () => {
  it('writes every character above U+007F as a numeric reference, and leaves markup alone', () => {
    expect(withReferences('<p class="x">I’m “here” — café, 50 €, 🌱</p>')).toBe(
      '<p class="x">I&#8217;m &#8220;here&#8221; &#8212; caf&#233;, 50 &#8364;, &#127793;</p>',
    );
    expect(withReferences('plain <b>text</b> & more')).toBe('plain <b>text</b> & more');
    // A lone surrogate is no character: shown as U+FFFD, as a browser would.
    expect(withReferences('a\ud800b')).toBe('a&#65533;b');
  });

  it('escapes text for content and attributes, with the same references', () => {
    expect(escapeHtml(`Tom & "Jerry" <'s> — é 🌱`)).toBe(
      'Tom &#38; &#34;Jerry&#34; &#60;&#39;s&#62; &#8212; &#233; &#127793;',
    );
    expect(escapeHtml('nothing to do')).toBe('nothing to do');
  });

  it('finds what to escape in long text too (searched another way), wherever it is', () => {
    const long = 'a'.repeat(100);
    expect(escapeHtml(long)).toBe(long);
    for (const [c, entity] of [
      ['&', '&#38;'],
      ['<', '&#60;'],
      ['>', '&#62;'],
      ['"', '&#34;'],
      ["'", '&#39;'],
      ['é', '&#233;'],
      ['🌱', '&#127793;'],
      ['\ud800', '&#65533;'],
    ]) {
      expect(escapeHtml(`${long}${c}`), c).toBe(`${long}${entity}`);
      expect(escapeHtml(`${c}${long}`), c).toBe(`${entity}${long}`);
    }
    const json = jsonForScript({ text: `${long}é`, other: `${long}<` });
    expect(json).toMatch(/^[\u0000-\u007f]*$/);
    expect(json).not.toContain('<');
    expect(jsonForScript({ text: long })).toBe(JSON.stringify({ text: long }));
  });

  it('writes JSON for a script that cannot close it, in ASCII, and reads back the same', () => {
    const value = { name: 'Mum’s </script><b>& café', emoji: '🌱', line: '\u2028' };
    const json = jsonForScript(value);
    expect(json).toMatch(/^[\u0000-\u007f]*$/);
    expect(json).not.toContain('<');
    expect(JSON.parse(json)).toEqual(value);
  });
});
