import { describe, expect, it } from 'vitest';
import { checkName, guardCell, normaliseEmail, sourcePath } from '../../src/domain/subscribers/index.js';

describe('subscriber addresses', () => {
  it.each([
    ['  Ida.Berg+blog@Example.ORG ', 'ida.berg+blog@example.org'],
    ['o’neil@example.org', undefined],
    ["o'neil@example.org", "o'neil@example.org"],
    ['bo@mail.example.co.uk', 'bo@mail.example.co.uk'],
    ['bo@xn--bcher-kva.example', 'bo@xn--bcher-kva.example'],
    ['bo@example.photography', 'bo@example.photography'],
    ['bo@example', undefined],
    ['bo@example.123', undefined],
    ['bo@exa_mple.org', undefined],
    ['bo.@example.org', undefined],
    ['bo@example.org.', undefined],
    ['bo\n@example.org', undefined],
    [`${'a'.repeat(65)}@example.org`, undefined],
  ])('normaliseEmail(%j) -> %j', (raw, expected) => {
    const result = normaliseEmail(raw);
    expect('email' in result ? result.email : undefined).toBe(expected);
  });

  it('takes a name of one line of at most 100 characters', () => {
    expect(checkName('  Ida  ')).toEqual({ name: 'Ida' });
    expect(checkName('Zoë 🌻 Ŀ')).toEqual({ name: 'Zoë 🌻 Ŀ' });
    for (const bad of ['a\rb', 'a\nb', 'a\tb', 'a\u2028b', 'a\u0085b', 'x'.repeat(101)])
      expect('error' in checkName(bad), JSON.stringify(bad)).toBe(true);
  });

  it('keeps a path of this site as the source, nothing else', () => {
    expect(sourcePath('/a-post/')).toBe('/a-post/');
    for (const bad of [
      'https://evil.example/',
      '//evil.example/',
      'a-post',
      '/a b',
      '/a\\b',
      `/${'a'.repeat(300)}`,
      undefined,
    ])
      expect(sourcePath(bad)).toBe('');
  });

  it('guards CSV cells a spreadsheet would run as formulas', () => {
    expect(guardCell('=1+1')).toBe("'=1+1");
    expect(guardCell('+1')).toBe("'+1");
    expect(guardCell('-1')).toBe("'-1");
    expect(guardCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(guardCell('\t=1')).toBe("'\t=1");
    expect(guardCell('Ida = Ida')).toBe('Ida = Ida');
  });
});
