/*
 * Hearth's HTML is ASCII: every character above U+007F is written as a numeric
 * character reference (`’` as `&#8217;`, `é` as `&#233;`). Browsers, feed readers and
 * search engines read the two alike; but an ASCII page is a one-byte string in V8, read
 * from the database, joined and encoded as UTF-8 by plain copying. One curly apostrophe
 * anywhere made the whole uncached post page a two-byte string, twice the memory and
 * several times the work. Stored HTML (posts, notes, comments) is written this way
 * once, when it is rendered; the theme's escaping and JSON for scripts do the same on
 * the way out.
 */

const NON_ASCII = /[\u0080-\uffff]/;
// A surrogate pair is one character (an emoji): one reference for its code point. A lone
// surrogate is no character: U+FFFD, as a browser would show it.
const NON_ASCII_ALL = /[\ud800-\udbff][\udc00-\udfff]|[\u0080-\uffff]/g;
const reference = (c: string) => {
  const code = c.codePointAt(0) as number;
  return code >= 0xd800 && code <= 0xdfff ? '&#65533;' : `&#${code};`;
};

/**
 * A test for whether text holds any of `chars` or a character above U+007F, same as
 * `pattern` (a regular expression for exactly those). Long text is searched with
 * `indexOf` for each character and its UTF-8 length (non-ASCII makes it longer than the
 * text): both run at memory speed, about ten times the regular expression's pace on a
 * kilobyte; short text is faster through the expression.
 */
function containsAny(chars: string[], pattern: RegExp): (text: string) => boolean {
  return (text) => {
    if (text.length < 64) return pattern.test(text);
    for (const c of chars) if (text.includes(c)) return true;
    return Buffer.byteLength(text, 'utf8') !== text.length;
  };
}

/** HTML with every character above U+007F as a numeric reference (markup is left alone). */
export function withReferences(html: string): string {
  return NON_ASCII.test(html) ? html.replace(NON_ASCII_ALL, reference) : html;
}

/**
 * An escaper for text in element content and double-quoted attributes: `&`, `<`, `>`,
 * `"` and `'` as the given entities, and every character above U+007F as a reference.
 */
export function htmlEscaper(entities: Record<'&' | '<' | '>' | '"' | "'", string>): (text: string) => string {
  const test = containsAny(['&', '<', '>', '"', "'"], /[&<>"'\u0080-\uffff]/);
  const all = /[&<>"']|[\ud800-\udbff][\udc00-\udfff]|[\u0080-\uffff]/g;
  const replace = (c: string) => entities[c as keyof typeof entities] ?? reference(c);
  return (text) => (test(text) ? text.replace(all, replace) : text);
}

/** Escapes text for HTML element content and double-quoted attributes. */
export const escapeHtml = htmlEscaper({ '&': '&#38;', '<': '&#60;', '>': '&#62;', '"': '&#34;', "'": '&#39;' });

/**
 * JSON for a `<script type="application/ld+json">` element: nothing in it can close the
 * element, and no character above U+007F (as `\uXXXX`, which JSON reads the same).
 */
export function jsonForScript(value: unknown): string {
  const json = JSON.stringify(value);
  // Tested first (see `containsAny`): most JSON has nothing to replace.
  return scriptUnsafe(json) ? json.replace(SCRIPT_UNSAFE_ALL, scriptEscape) : json;
}

const scriptUnsafe = containsAny(['<', '>', '&'], /[<>&\u0080-\uffff]/);
const SCRIPT_UNSAFE_ALL = /[<>&\u0080-\uffff]/g;
const scriptEscape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
