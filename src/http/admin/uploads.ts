import fastifyMultipart, { type Multipart, type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../../domain/audit/index.js';
import { HearthError, isHearthError } from '../../errors.js';

/**
 * Lets the admin's forms send a photo (multipart/form-data). Fields become plain body
 * values and the file a Buffer before the CSRF check reads `_csrf`, so the check is the
 * same as for any form. Register it before that check. The media service checks the
 * photo itself; this only bounds what is read. A body that cannot be parsed is a 400.
 */
export async function acceptUploads(app: FastifyInstance, maxBytes: number): Promise<void> {
  await app.register(fastifyMultipart, {
    limits: { fileSize: maxBytes, files: 1, fields: 40, fieldSize: 10_000 },
  });
  app.addHook('preValidation', async (request) => {
    if (request.isMultipart()) request.body = await readForm(request);
  });
}

/**
 * Every part of a multipart form as @fastify/multipart's `keyValues` gives them: a field's
 * text, a file's bytes, several values of one name as an array.
 */
async function readForm(request: FastifyRequest): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = {};
  await eachPart(request, async (part) => {
    const value = part.type === 'file' ? await fileBytes(part) : part.value;
    const earlier = body[part.fieldname];
    if (earlier === undefined) body[part.fieldname] = value;
    else body[part.fieldname] = Array.isArray(earlier) ? [...earlier, value] : [earlier, value];
  });
  return body;
}

/**
 * Reads a multipart body part by part. The parser (busboy) reports a body it cannot
 * parse (no boundary, a part cut off) with plain errors, without a code or status: those
 * become HEARTH_ERR_FORM_MALFORMED (400). @fastify/multipart's own errors (a file too
 * large, too many parts) carry their status and pass as they are, and so does whatever
 * `onPart` throws (read a file part with `fileBytes`).
 */
export async function eachPart(request: FastifyRequest, onPart: (part: Multipart) => Promise<void>): Promise<void> {
  const parts = request.parts()[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<Multipart>;
    try {
      next = await parts.next();
    } catch (error) {
      throw malformedForm(error);
    }
    if (next.done) return;
    await onPart(next.value);
  }
}

/** A file part's bytes; a file cut off in the body is HEARTH_ERR_FORM_MALFORMED, as in `eachPart`. */
export async function fileBytes(part: MultipartFile): Promise<Buffer> {
  try {
    return await part.toBuffer();
  } catch (error) {
    throw malformedForm(error);
  }
}

function malformedForm(error: unknown): unknown {
  if (!(error instanceof Error) || isHearthError(error) || 'statusCode' in error) return error;
  return new HearthError('HEARTH_ERR_FORM_MALFORMED', { reason: error.message }, { cause: error });
}

/** The file sent in a form field, or null when none was chosen. */
export function uploadedFile(body: unknown, field: string, name: string): { data: Buffer; name: string } | null {
  const value = (body as Record<string, unknown> | undefined)?.[field];
  return Buffer.isBuffer(value) && value.length > 0 ? { data: value, name } : null;
}

/** Who is making a change, for the audit log. */
export function actorOf(request: FastifyRequest): Actor {
  const user = request.session?.user;
  if (!user) throw new Error('actorOf: no signed-in user on an admin route');
  return { id: user.id, email: user.email, ip: request.ip };
}
