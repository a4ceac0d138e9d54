import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const AMPERSAND = 0x26;
const EQUALS = 0x3d;

/** One part of a form body (a name or a value): bytes to text, `+` and `%XX` decoded. */
function decodePart(bytes: Buffer): string | undefined {
  try {
    return decodeURIComponent(utf8.decode(bytes).replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

/**
 * Reads `application/x-www-form-urlencoded` bodies strictly: bytes that are not UTF-8,
 * raw or percent-encoded, are refused with a 400 that names the field, where the usual
 * parser would quietly turn them into U+FFFD or leave `%FF` in the text.
 */
export function parseFormsStrictly(app: FastifyInstance, fieldLabels: Record<string, string>): void {
  app.removeContentTypeParser('application/x-www-form-urlencoded');
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_request, body, done) => {
    const buffer = body as Buffer;
    const fields: Record<string, string> = Object.create(null);
    let start = 0;
    while (start <= buffer.length) {
      let end = buffer.indexOf(AMPERSAND, start);
      if (end === -1) end = buffer.length;
      const pair = buffer.subarray(start, end);
      start = end + 1;
      if (pair.length === 0) continue;
      const eq = pair.indexOf(EQUALS);
      const name = decodePart(eq === -1 ? pair : pair.subarray(0, eq));
      const value = decodePart(eq === -1 ? Buffer.alloc(0) : pair.subarray(eq + 1));
      if (name === undefined || value === undefined) {
        const label = name !== undefined && fieldLabels[name] ? fieldLabels[name] : 'The form';
        done(
          new ValidationError({ [name ?? 'form']: `${label} holds bytes that are not valid UTF-8 text.` }),
          undefined,
        );
        return;
      }
      // The first value of a repeated name wins, as with a single form field.
      if (!(name in fields)) fields[name] = value;
    }
    done(null, fields);
  });
}
