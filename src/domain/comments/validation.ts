import { hasControlCharacters, isEmailAddress } from '../../shared/text.js';

export const MAX_COMMENT_LENGTH = 10_000;
const MAX_NAME_LENGTH = 100;
const MAX_WEBSITE_LENGTH = 500;

/** A well-formed id: a positive whole number. */
export function parseId(value: string | number | undefined): number | undefined {
  const text = String(value ?? '').trim();
  if (!/^[1-9][0-9]{0,11}$/.test(text)) return undefined;
  return Number(text);
}

/**
 * Checks a comment form; returns the problems by field name (empty when all is well).
 * The length limit is checked here, on the text as sent, before anything is stored or
 * rendered: nothing is ever cut short to fit.
 */
export function validateComment(input: {
  name?: string;
  email?: string;
  website?: string;
  body?: string;
  parentId?: string | number;
}): Record<string, string> {
  const errors: Record<string, string> = {};
  const name = input.name?.trim() ?? '';
  if (name === '') errors.name = 'Please enter your name.';
  else if (/[\r\n]/.test(name)) errors.name = 'A name must be on one line.';
  else if (hasControlCharacters(name)) errors.name = 'The name contains characters that cannot be shown.';
  else if (name.length > MAX_NAME_LENGTH) errors.name = `A name can be at most ${MAX_NAME_LENGTH} characters.`;
  const email = input.email?.trim() ?? '';
  if (/[\r\n]/.test(email)) errors.email = 'An email address must be on one line.';
  else if (email !== '' && !isEmailAddress(email)) errors.email = 'This does not look like an email address.';
  const website = input.website?.trim() ?? '';
  if (website !== '') {
    let ok = false;
    try {
      const url = new URL(website);
      ok =
        (url.protocol === 'http:' || url.protocol === 'https:') &&
        website.length <= MAX_WEBSITE_LENGTH &&
        !/\s/.test(website) &&
        !hasControlCharacters(website);
    } catch {}
    if (!ok) errors.website = 'The website must be an address starting with http:// or https://.';
  }
  const body = input.body?.trim() ?? '';
  if (body === '') errors.body = 'Please write a comment.';
  else if (body.length > MAX_COMMENT_LENGTH)
    errors.body = `A comment can be at most ${MAX_COMMENT_LENGTH.toLocaleString('en')} characters (this one has ${body.length.toLocaleString('en')}).`;
  else if (hasControlCharacters(body)) errors.body = 'The comment contains characters that cannot be shown.';
  if (input.parentId !== undefined && String(input.parentId).trim() !== '' && parseId(input.parentId) === undefined)
    errors.parent = 'The comment you are replying to does not exist.';
  return errors;
}
