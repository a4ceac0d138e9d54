import { ValidationError } from '../../errors.js';
import { isSlug, normaliseSlug, SLUG_MAX, slugify } from '../../shared/slug.js';
import { hasControlCharacters } from '../../shared/text.js';

/** A category's or tag's name and slug as typed in the admin. */
export interface TermInput {
  name?: string;
  slug?: string;
  description?: string;
}

const SLUG_RULE = `The slug can hold only letters (lower-case letters where the language has case), digits and single hyphens, at most ${SLUG_MAX} characters; no spaces, slashes or dots.`;

/** Checks a term's fields; the slug comes from the name when left empty. */
export function checkTerm(input: TermInput): { name: string; slug: string; description: string } {
  const errors: Record<string, string> = {};
  const name = input.name?.trim() ?? '';
  if (name === '') errors.name = 'Please enter a name.';
  else if (name.length > 100) errors.name = 'A name can be at most 100 characters.';
  else if (hasControlCharacters(name) || /[\r\n]/.test(name)) errors.name = 'A name must be one line of text.';
  const typed = normaliseSlug(input.slug ?? '');
  const slug = typed === '' ? slugify(name, '') : typed;
  if (!errors.name && slug === '') errors.slug = 'Please enter a slug: lower-case letters, digits and hyphens.';
  else if (slug !== '' && !isSlug(slug)) errors.slug = SLUG_RULE;
  const description = input.description?.trim() ?? '';
  if (description.length > 1000) errors.description = 'A description can be at most 1000 characters.';
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return { name, slug, description };
}
