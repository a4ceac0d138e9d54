import { isSlug, normaliseSlug, SLUG_MAX } from '../../shared/slug.js';
import { hasControlCharacters } from '../../shared/text.js';

/** Longest value of each of a book's text fields, in characters. */
export const BOOK_LIMITS = {
  title: 250,
  subtitle: 250,
  description: 4000,
  publisher: 200,
  rights: 500,
  subject: 100,
  subjects: 30,
  frontMatter: 100_000,
  authorName: 200,
  authors: 20,
  partTitle: 250,
  chapterBody: 500_000,
  entries: 2000,
} as const;

// Characters XML (and so EPUB) cannot carry besides control characters: lone surrogates, U+FFFE, U+FFFF.
const NOT_XML = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|[\uFFFE\uFFFF]/;

/** Checks one line of text (a title, a name): trimmed, within `max`, no line breaks or control characters. */
export function checkLine(
  errors: Record<string, string>,
  field: string,
  value: string,
  max: number,
  what: string,
): string {
  const text = value.trim().normalize('NFC');
  if (text.length > max) errors[field] = `${what} can be at most ${max} characters.`;
  else if (hasControlCharacters(text) || /[\r\n]/.test(text)) errors[field] = `${what} must be one line of text.`;
  else if (NOT_XML.test(text)) errors[field] = `${what} holds characters a book cannot carry.`;
  return text;
}

/** Checks text of several lines (a description, Markdown): within `max`, no control characters. */
export function checkText(
  errors: Record<string, string>,
  field: string,
  value: string,
  max: number,
  what: string,
): string {
  const text = value.normalize('NFC');
  if (text.length > max) errors[field] = `${what} can be at most ${max} characters.`;
  else if (hasControlCharacters(text) || NOT_XML.test(text))
    errors[field] = `${what} holds control characters, which a book cannot carry.`;
  return text;
}

/** A typed slug, normalised; undefined when it is not a slug (with the reason in `errors`). */
export function checkSlug(errors: Record<string, string>, typed: string): string | undefined {
  const slug = normaliseSlug(typed);
  if (!isSlug(slug)) {
    errors.slug = `The slug can hold only letters (lower-case where the language has case), digits and single hyphens, at most ${SLUG_MAX} characters.`;
    return undefined;
  }
  return slug;
}

const LANGUAGE_NAMES = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });

/**
 * A BCP 47 language tag in its canonical form (`EN-gb` -> `en-GB`), or undefined when it
 * is not one (`english`, `en_GB`, `zz`, ``). The language itself must be a 2 or 3 letter
 * ISO 639 code that Node's ICU data knows, or one of the private-use codes qaa-qtz.
 */
export function canonicalLanguage(tag: string): string | undefined {
  const trimmed = tag.trim();
  if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(trimmed)) return undefined;
  let canonical: string | undefined;
  try {
    canonical = Intl.getCanonicalLocales(trimmed)[0];
  } catch {
    return undefined;
  }
  const language = canonical?.split('-')[0] ?? '';
  if (/^q[a-t][a-z]$/.test(language)) return canonical;
  return LANGUAGE_NAMES.of(language) === undefined ? undefined : canonical;
}

/**
 * An ISBN as `urn:isbn:<digits>` when its check digit is right (ISBN-10 or ISBN-13;
 * hyphens and spaces are dropped), or a reason it is not one.
 */
export function parseIsbn(typed: string): { urn: string } | { reason: string } {
  const isbn = typed.replace(/[\s-]/g, '').toUpperCase();
  if (/^\d{9}[\dX]$/.test(isbn)) {
    let sum = 0;
    for (let i = 0; i < 10; i++) sum += (10 - i) * (isbn[i] === 'X' ? 10 : Number(isbn[i]));
    return sum % 11 === 0 ? { urn: `urn:isbn:${isbn}` } : { reason: 'Its check digit is wrong: check the ISBN-10.' };
  }
  if (/^\d{13}$/.test(isbn)) {
    if (!/^97[89]/.test(isbn)) return { reason: 'An ISBN-13 begins with 978 or 979.' };
    let sum = 0;
    for (let i = 0; i < 13; i++) sum += (i % 2 === 0 ? 1 : 3) * Number(isbn[i]);
    return sum % 10 === 0 ? { urn: `urn:isbn:${isbn}` } : { reason: 'Its check digit is wrong: check the ISBN-13.' };
  }
  return { reason: 'An ISBN has 10 or 13 digits (the last of an ISBN-10 may be X).' };
}
