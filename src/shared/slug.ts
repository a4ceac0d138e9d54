import slugifyLib from '@sindresorhus/slugify';

/** Longest slug made from a title or name, in characters (code points). */
export const SLUG_MAX = 80;

// Scripts @sindresorhus/slugify transliterates to ASCII; letters of any other script are
// kept as they are (their slugify output is empty). Script_Extensions, so that a sign
// shared by Hiragana and Katakana (the long vowel mark ー) counts as theirs.
const TRANSLITERATED = /[\p{scx=Latn}\p{scx=Grek}\p{scx=Cyrl}\p{scx=Arab}\p{scx=Armn}\p{scx=Geor}\p{scx=Thaa}]/u;
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]/u;
const ASCII_DIGITS = /^[0-9]+$/;
const KEPT_LETTER = /[\p{L}\p{M}\p{N}]/u;
// Joiners shape letters inside a word (Indic half forms): dropped, so the word stays one.
const JOINERS = /[\u200C\u200D]/g;
const ASCII_SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });

/**
 * A URL slug, words joined by hyphens. Text in scripts with a transliteration (Latin,
 * Greek, Cyrillic, Arabic, ...) becomes lower-case ASCII ("Green Living" -> "green-living",
 * "Борщ" -> "borsch"); letters of other scripts are kept as they are, NFC and lower-cased
 * where the script has case ("中文 标签" -> "中文-标签"), as WordPress does. At most 80
 * characters, never cut inside a character or between a letter and its marks. Falls
 * back to `fallback` when nothing usable is left (a title in emoji only).
 */
export function slugify(text: string, fallback = 'untitled'): string {
  const slug = makeSlug(text, SLUG_MAX);
  return slug === '' ? fallback : slug;
}

/**
 * An ASCII-only slug, for names that end up in file names and storage keys (a photo's
 * file): the transliteration alone, with `fallback` when it leaves nothing.
 */
export function asciiSlug(text: string, fallback: string): string {
  const slug = transliterated(text, SLUG_MAX);
  return slug === '' ? fallback : slug;
}

/**
 * Whether a string is already a well-formed slug: what `slugify` makes of it is itself
 * (so "中文-2" and "green-living" are; "Green", "a b", "a/b", "..", "café" are not), at
 * most `max` characters.
 */
export function isSlug(text: string, max = SLUG_MAX): boolean {
  if (ASCII_SLUG.test(text)) return text.length <= max;
  if (/^[\0-\x7f]*$/.test(text)) return false;
  return [...text].length <= max && text === text.normalize('NFC') && makeSlug(text, Infinity) === text;
}

/**
 * A slug as typed in the admin, made comparable to what `slugify` makes: trimmed, NFC,
 * lower case, and percent-escapes decoded (a slug copied from an address bar). It must
 * still pass `isSlug`.
 */
export function normaliseSlug(typed: string): string {
  let text = typed.trim();
  if (/%[0-9a-f]{2}/i.test(text)) {
    try {
      text = decodeURIComponent(text);
    } catch {
      // Not a valid escape sequence: left as typed, and isSlug refuses the "%".
    }
  }
  return text.normalize('NFC').toLowerCase();
}

/**
 * A slug as a request's path gives it (already percent-decoded), in the form slugs are
 * stored: NFC, so text a client sent decomposed finds its page. ASCII is returned as is.
 */
export const slugOfParam = (param: string): string => (/^[\0-\x7f]*$/.test(param) ? param : param.normalize('NFC'));

/** The slug of `text`, bounded to `max` characters; '' when nothing usable is left. */
function makeSlug(text: string, max: number): string {
  if (!hasUntransliterated(text)) {
    // Exactly as before Unicode slugs, so that no existing address changes.
    return transliterated(text, max);
  }
  const parts: string[] = [];
  for (const run of runs(text.normalize('NFC'))) {
    const part = run.kept ? keptSlug(run.text) : slugifyLib(run.text, { decamelize: false });
    if (part !== '') parts.push(part);
  }
  return bound(parts.join('-'), max);
}

const transliterated = (text: string, max: number) =>
  slugifyLib(text, { decamelize: false }).slice(0, max).replace(/-+$/, '');

function hasUntransliterated(text: string): boolean {
  // Plain ASCII text, the common case, needs no look at its characters.
  if (/^[\0-\x7f]*$/.test(text)) return false;
  for (const { segment } of graphemes.segment(text)) if (isKept(segment)) return true;
  return false;
}

/** A grapheme whose letter or digit belongs to a script slugify cannot transliterate. */
const isKept = (grapheme: string) =>
  LETTER_OR_DIGIT.test(grapheme) && !TRANSLITERATED.test(String.fromCodePoint(grapheme.codePointAt(0) ?? 0));

/**
 * The text cut into runs of kept graphemes and of others (handed to slugify). ASCII
 * digits written against kept letters belong to them ("2024年" stays one word).
 */
function runs(text: string): { kept: boolean; text: string }[] {
  const items = [...graphemes.segment(text)].map(({ segment }) => ({ segment, kept: isKept(segment) }));
  for (let i = 0; i < items.length; ) {
    if (!ASCII_DIGITS.test(items[i]?.segment ?? '')) {
      i++;
      continue;
    }
    let end = i;
    while (end < items.length && ASCII_DIGITS.test(items[end]?.segment ?? '')) end++;
    if (items[i - 1]?.kept || items[end]?.kept)
      for (let k = i; k < end; k++) (items[k] as { kept: boolean }).kept = true;
    i = end;
  }
  const result: { kept: boolean; text: string }[] = [];
  for (const { segment, kept } of items) {
    const last = result.at(-1);
    if (last && last.kept === kept) last.text += segment;
    else result.push({ kept, text: segment });
  }
  return result;
}

/** Kept letters, marks and digits lower-cased; anything else one hyphen, none at the ends. */
function keptSlug(text: string): string {
  let out = '';
  for (const ch of text.replace(JOINERS, '').toLowerCase().normalize('NFC')) out += KEPT_LETTER.test(ch) ? ch : '-';
  return out.replace(/-+/g, '-').replace(/^-|-$/g, '');
}

/** `slug` cut to at most `max` code points at a grapheme boundary, with no hyphen at the end. */
function bound(slug: string, max: number): string {
  if (slug.length <= max) return slug;
  let out = '';
  let count = 0;
  for (const { segment } of graphemes.segment(slug)) {
    const size = [...segment].length;
    if (count + size > max) break;
    out += segment;
    count += size;
  }
  return out.replace(/-+$/, '');
}
