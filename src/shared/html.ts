/*
 * Hearth writes every character above U+00FF in its HTML as a numeric character
 * reference (`’` as `&#8217;`). Browsers, feed readers and search engines read the two
 * alike; but a page whose text stays within Latin-1 is a one-byte string in V8, half
 * the memory of a two-byte one and much cheaper to read from the database, join and
 * encode. One curly apostrophe anywhere made the whole uncached post page two-byte.
 * Stored HTML (posts, notes, comments) is written this way once, when it is rendered;
 * the theme's escaping and JSON for scripts do the same on the way out.
 */

const ABOVE_LATIN1 = /[\u0100-\uffff]/;
// A surrogate pair is one character (an emoji): one reference for its code point.
const ABOVE_LATIN1_ALL = /[\ud800-\udbff][\udc00-\udfff]|[\u0100-\ud7ff\ue000-\uffff]/g;
const reference = (c: string) => `&#${c.codePointAt(0)};`;

/** HTML with every character above U+00FF as a numeric reference (markup is left alone). */
export function withReferences(html: string): string {
  return ABOVE_LATIN1.test(html) ? html.replace(ABOVE_LATIN1_ALL, reference) : html;
}

const ESCAPABLE = /[&<>"'\u0100-\uffff]/;
const ESCAPABLE_ALL = /[&<>"']|[\ud800-\udbff][\udc00-\udfff]|[\u0100-\ud7ff\ue000-\uffff]/g;

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return ESCAPABLE.test(text) ? text.replace(ESCAPABLE_ALL, reference) : text;
}

/**
 * JSON for a `<script type="application/ld+json">` element: nothing in it can close the
 * element, and no character above U+00FF (as `\uXXXX`, which JSON reads the same).
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u0100-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
