import { describe, expect, it } from 'vitest';
import { escapeHtml, htmlEscaper, jsonForScript } from '../../src/shared/html.js';

const WORLD = 'I’m “here” — café, 50 €, 🌱, 中文, العربية, e\u0301, 👩‍👩‍👧, 🇳🇿';

describe('HTML as Hearth writes it: UTF-8, escaping only what HTML requires', () => {
  it('escapes &, <, >, " and \' and leaves every other character as it is', () => {
    expect(escapeHtml(`Tom & "Jerry" <'s> ${WORLD}`)).toBe(`Tom &#38; &#34;Jerry&#34; &#60;&#39;s&#62; ${WORLD}`);
    expect(escapeHtml('nothing to do')).toBe('nothing to do');
    const long = `${'a'.repeat(100)}${WORLD}`;
    expect(escapeHtml(long)).toBe(long);
    expect(escapeHtml(`${long}&`)).toBe(`${long}&#38;`);
  });

  it('writes the entities it is given', () => {
    const liquid = htmlEscaper({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' });
    expect(liquid(`<a & b> é`)).toBe('&lt;a &amp; b&gt; é');
  });

  it('writes JSON for a script that cannot close it, with its characters as they are, and reads back the same', () => {
    const value = { name: 'Mum’s </script><!-- <b>& café', text: WORLD, line: '\u2028\u2029' };
    const json = jsonForScript(value);
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(json).toContain(WORLD);
    expect(json).toContain('\\u003c/script\\u003e');
    expect(JSON.parse(json)).toEqual(value);
    expect(jsonForScript({ text: 'plain' })).toBe('{"text":"plain"}');
  });
});
