/** Every control character, line breaks and tabs included (U+2028/9 and NEL break lines too). */
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;
const hasControlCharacters = (text: string) => CONTROL.test(text);

/** Text without line breaks or other control characters (safe in a mail header or a CSV cell). */
export const isOneLine = (text: string) => !CONTROL.test(text);

export const MAX_EMAIL_LENGTH = 254;
export const MAX_NAME_LENGTH = 100;

// The dot-atom of RFC 5322 for the local part (no quoted strings, no comments), and a
// domain of LDH labels (IDNs in their xn-- form) with a top-level label of letters.
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const TOP = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * An address as Hearth keeps it: trimmed and lower-cased. Returns the address, or a
 * message saying what is wrong with it (strict, but every address people really use
 * passes: dots, plus signs, subdomains, new top-level domains).
 *
 * @example
 *   normaliseEmail('  Ida.Berg+blog@Example.ORG ') // { email: 'ida.berg+blog@example.org' }
 *   normaliseEmail('ida@localhost') // { error: '…' }
 */
export function normaliseEmail(raw: string): { email: string } | { error: string } {
  const email = raw.trim().toLowerCase();
  if (email === '') return { error: 'Please enter your email address.' };
  if (email.length > MAX_EMAIL_LENGTH)
    return { error: `The email address must be at most ${MAX_EMAIL_LENGTH} characters.` };
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const labels = domain.split('.');
  const valid =
    at > 0 &&
    local.length <= 64 &&
    LOCAL.test(local) &&
    labels.length >= 2 &&
    labels.every((l) => LABEL.test(l)) &&
    TOP.test(labels[labels.length - 1] as string);
  return valid ? { email } : { error: 'This does not look like an email address, such as ida@example.org.' };
}

/** A reader's name: optional, one line of at most 100 characters, no control characters. */
export function checkName(raw: string): { name: string } | { error: string } {
  const name = raw.trim();
  if (name.length > MAX_NAME_LENGTH) return { error: `The name must be at most ${MAX_NAME_LENGTH} characters.` };
  // CR, LF and the rest: the name goes into the To header of every message.
  if (hasControlCharacters(name)) return { error: 'The name must be one line, without control characters.' };
  return { name };
}

/** The page a sign-up came from: a path on this site, at most 300 characters, else ''. */
export function sourcePath(raw: string | undefined): string {
  const path = (raw ?? '').trim();
  if (!path.startsWith('/') || path.startsWith('//') || path.length > 300) return '';
  if (hasControlCharacters(path) || /[\s\\]/.test(path)) return '';
  return path;
}
