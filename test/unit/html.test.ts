import { describe, expect, it } from 'vitest';
import { escapeHtml, jsonForScript, withReferences } from '../../src/shared/html.js';

describe('HTML as Hearth writes it', () => {
  it('writes characters above U+00FF as numeric references, and keeps Latin-1 and markup', () => {
    expect(withReferences('<p>I’m “here” — café, 50 €, 🌱</p>')).toBe(
      '<p>I&#8217;m &#8220;here&#8221; &#8212; café, 50 &#8364;, &#127793;</p>',
    );
    expect(withReferences('plain <b>text</b> © 2026')).toBe('plain <b>text</b> © 2026');
  });

  it('escapes text for content and attributes, with the same references', () => {
    expect(escapeHtml(`Tom & "Jerry" <'s> — 🌱`)).toBe('Tom &#38; &#34;Jerry&#34; &#60;&#39;s&#62; &#8212; &#127793;');
    expect(escapeHtml('nothing to do')).toBe('nothing to do');
  });

  it('writes JSON for a script that cannot close it and reads back the same', () => {
    const value = { name: 'Mum’s </script><b>&', emoji: '🌱', line: '\u2028' };
    const json = jsonForScript(value);
    expect(json).toMatch(/^[\u0000-\u00ff]*$/);
    expect(json).not.toContain('</script>');
    expect(json).not.toContain('<');
    expect(JSON.parse(json)).toEqual(value);
  });
});
