import slugifyLib from '@sindresorhus/slugify';

/**
 * A URL slug: lower case, ASCII, words joined by hyphens ("Green Living" -> "green-living").
 * Falls back to `fallback` when nothing usable is left (a title in emoji only).
 */
export function slugify(text: string, fallback = 'untitled'): string {
  const slug = slugifyLib(text, { decamelize: false }).slice(0, 80).replace(/-+$/, '');
  return slug === '' ? fallback : slug;
}

/** Whether a string is already a well-formed slug. */
export function isSlug(text: string): boolean {
  return /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(text) && text.length <= 80;
}
