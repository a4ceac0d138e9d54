/*
 * Hearth's HTML is UTF-8 text: characters are written as themselves, and only what HTML
 * itself requires is escaped (`&`, `<`, `>`, `"` and `'`). The same holds for the JSON
 * Hearth puts in `<script>` elements, where only what could end the element or confuse
 * an old JavaScript parser is escaped.
 */

const HTML_SPECIAL = /[&<>"']/g;

/** An escaper for text in element content and quoted attributes, with the given entities. */
export function htmlEscaper(entities: Record<'&' | '<' | '>' | '"' | "'", string>): (text: string) => string {
  const replace = (c: string) => entities[c as keyof typeof entities];
  return (text) => text.replace(HTML_SPECIAL, replace);
}

/** Escapes text for HTML element content and double-quoted attributes. */
export const escapeHtml = htmlEscaper({ '&': '&#38;', '<': '&#60;', '>': '&#62;', '"': '&#34;', "'": '&#39;' });

// `<` and `>` could close the element or open a comment; `&` is escaped as HTML would
// expect of text; U+2028 and U+2029 end lines in older JavaScript parsers.
const SCRIPT_UNSAFE = /[<>&\u2028\u2029]/g;
const scriptEscape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * JSON for a `<script type="application/ld+json">` element: nothing in it can close the
 * element. `\u003c` and the like read the same to any JSON parser.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(SCRIPT_UNSAFE, scriptEscape);
}
