import { describe, expect, it } from 'vitest';
import { MAX_COMMENT_LENGTH, validateComment } from '../../src/domain/comments/index.js';
import { MIN_PASSWORD_LENGTH, validateNewUser } from '../../src/domain/users/index.js';
import { hashPassword, verifyPassword } from '../../src/domain/users/password.js';
import { isSlug, slugify } from '../../src/shared/slug.js';
import { toStoredTime } from '../../src/shared/time.js';
import type { Role } from '../../src/storage/index.js';

describe('validateComment', () => {
  const good = { name: 'Ana', email: 'ana@example.org', website: 'https://ana.example.org', body: 'Lovely post.' };

  it('accepts a good comment, and one with only name and body', () => {
    expect(validateComment(good)).toEqual({});
    expect(validateComment({ name: 'Ana', body: 'Hi' })).toEqual({});
  });

  it('asks for a name and a body', () => {
    expect(Object.keys(validateComment({}))).toEqual(['name', 'body']);
    const errors = validateComment({ ...good, name: '   ', body: ' \n ' });
    expect(Object.keys(errors)).toEqual(['name', 'body']);
    expect(errors.name).toMatch(/name/i);
    expect(errors.body).toMatch(/comment/i);
  });

  it(`takes a body of ${MAX_COMMENT_LENGTH} characters and refuses one more`, () => {
    expect(MAX_COMMENT_LENGTH).toBe(10_000);
    expect(validateComment({ ...good, body: 'x'.repeat(10_000) })).toEqual({});
    const errors = validateComment({ ...good, body: 'x'.repeat(10_001) });
    expect(Object.keys(errors)).toEqual(['body']);
    expect(errors.body).toContain('10,000');
    expect(errors.body).toContain('10,001');
  });

  it.each(['ana', 'ana@', '@example.org', 'ana@example', 'ana example@x.org', 'a<b>@x.org', 'ana@@example.org'])(
    'refuses the malformed email %j',
    (email) => {
      expect(Object.keys(validateComment({ ...good, email }))).toEqual(['email']);
    },
  );

  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(document.cookie)',
    'ftp://ana.example.org',
    'data:text/html,<script>x</script>',
    'ana.example.org',
    'http//ana.example.org',
  ])('refuses the website %j', (website) => {
    expect(Object.keys(validateComment({ ...good, website }))).toEqual(['website']);
  });

  it('accepts http and https websites', () => {
    expect(validateComment({ ...good, website: 'http://ana.example.org/blog?x=1' })).toEqual({});
    expect(validateComment({ ...good, website: 'https://ana.example.org' })).toEqual({});
  });

  it.each(['Ana\nSmith', 'Ana\rSmith', 'Ana\r\nBcc: x@example.org', 'Ana\u0000', 'Ana\u001b[31m', 'Ana\u007f'])(
    'refuses line breaks and control characters in the name %j',
    (name) => {
      expect(Object.keys(validateComment({ ...good, name }))).toEqual(['name']);
    },
  );

  it('refuses control characters in the body but keeps line breaks and tabs', () => {
    expect(validateComment({ ...good, body: 'First line\r\nSecond\tline\n\nThird' })).toEqual({});
    for (const c of ['\u0000', '\u0007', '\u000b', '\u000c', '\u001b', '\u007f']) {
      expect(Object.keys(validateComment({ ...good, body: `Hi${c}there` })), JSON.stringify(c)).toEqual(['body']);
    }
  });

  it('refuses a name over 100 characters', () => {
    expect(validateComment({ ...good, name: 'a'.repeat(100) })).toEqual({});
    expect(Object.keys(validateComment({ ...good, name: 'a'.repeat(101) }))).toEqual(['name']);
  });
});

describe('validateNewUser', () => {
  const good = { name: 'Ana Lima', email: 'ana@example.org', password: 'a'.repeat(12), role: 'author' as Role };

  it('accepts a good user', () => {
    expect(validateNewUser(good, true)).toEqual({});
  });

  it(`refuses a password shorter than ${MIN_PASSWORD_LENGTH} characters`, () => {
    expect(MIN_PASSWORD_LENGTH).toBe(12);
    expect(validateNewUser({ ...good, password: 'a'.repeat(12) }, true)).toEqual({});
    const errors = validateNewUser({ ...good, password: 'a'.repeat(11) }, true);
    expect(Object.keys(errors)).toEqual(['password']);
    expect(errors.password).toContain('12');
  });

  it('asks for a password only when one is required or given', () => {
    const { password: _, ...guest } = good;
    expect(validateNewUser(guest, false)).toEqual({});
    expect(Object.keys(validateNewUser(guest, true))).toEqual(['password']);
    expect(Object.keys(validateNewUser({ ...guest, password: 'short' }, false))).toEqual(['password']);
  });

  it.each(['', 'ana', 'ana@example', 'ana @example.org'])('refuses the email %j', (email) => {
    expect(Object.keys(validateNewUser({ ...good, email }, true))).toEqual(['email']);
  });

  it('refuses a role that does not exist', () => {
    const errors = validateNewUser({ ...good, role: 'superuser' as Role }, true);
    expect(Object.keys(errors)).toEqual(['role']);
    expect(errors.role).toContain('owner, administrator, editor, author, contributor');
  });

  it('accepts every known role', () => {
    for (const role of ['owner', 'administrator', 'editor', 'author', 'contributor'] as Role[]) {
      expect(validateNewUser({ ...good, role }, true), role).toEqual({});
    }
  });
});

describe('hashPassword and verifyPassword', () => {
  it('verify the right password and refuse a wrong one', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[\w-]+\$[\w-]+$/);
    expect(hash).not.toContain('correct horse');
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('salt each hash, so the same password hashes differently', async () => {
    const [a, b] = await Promise.all([hashPassword('same password!'), hashPassword('same password!')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password!', a)).toBe(true);
    expect(await verifyPassword('same password!', b)).toBe(true);
  });

  it('refuse a stored value that is not a Hearth hash', async () => {
    expect(await verifyPassword('password', '')).toBe(false);
    expect(await verifyPassword('password', 'password')).toBe(false);
    expect(await verifyPassword('password', '$P$B12345678901234567890123456789')).toBe(false);
  });
});

describe('slugify', () => {
  it('lower-cases and joins words with hyphens', () => {
    expect(slugify('Green Living')).toBe('green-living');
    expect(slugify('  Hello,   World!  ')).toBe('hello-world');
  });

  it('transliterates accented letters', () => {
    expect(slugify('Crème brûlée à la française')).toBe('creme-brulee-a-la-francaise');
    expect(slugify('Ærøskøbing Straße')).toBe('aeroskobing-strasse');
    expect(slugify('Łódź')).toBe('lodz');
  });

  it('falls back when nothing usable is left', () => {
    expect(slugify('🎉🎉🎉')).toBe('untitled');
    expect(slugify('!!!', 'writer')).toBe('writer');
    expect(slugify('')).toBe('untitled');
  });

  it('is at most 80 characters and never ends in a hyphen', () => {
    const long = slugify('a'.repeat(200));
    expect(long).toBe('a'.repeat(80));
    for (const text of ['word '.repeat(40), 'Ein sehr langer Titel über Äpfel und Birnen '.repeat(5)]) {
      const slug = slugify(text);
      expect(slug.length).toBeLessThanOrEqual(80);
      expect(slug).not.toMatch(/-$/);
      expect(isSlug(slug), slug).toBe(true);
    }
  });
});

describe('toStoredTime', () => {
  it('normalises to UTC with milliseconds', () => {
    expect(toStoredTime('2026-10-20T08:30:00Z')).toBe('2026-10-20T08:30:00.000Z');
    expect(toStoredTime('2026-10-20T10:30:00+02:00')).toBe('2026-10-20T08:30:00.000Z');
    expect(toStoredTime(new Date(Date.UTC(2026, 9, 20, 8, 30)))).toBe('2026-10-20T08:30:00.000Z');
  });

  it('refuses what is not a time', () => {
    expect(toStoredTime('not a date')).toBeUndefined();
    expect(toStoredTime('')).toBeUndefined();
    expect(toStoredTime('2026-13-45T99:00:00Z')).toBeUndefined();
    expect(toStoredTime(new Date(Number.NaN))).toBeUndefined();
  });

  it('refuses times before 1970 and after 9999, which would not sort as text', () => {
    expect(toStoredTime('1969-12-31T23:59:59Z')).toBeUndefined();
    expect(toStoredTime(new Date(253402300800000))).toBeUndefined();
    expect(toStoredTime('9999-12-31T23:59:59.999Z')).toBe('9999-12-31T23:59:59.999Z');
  });
});
