import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../../domain/audit/index.js';
import { HearthError, isHearthError } from '../../errors.js';

/**
 * Lets the admin's forms send a photo (multipart/form-data). Fields become plain body
 * values and the file a Buffer before the CSRF check reads `_csrf`, so the check is the
 * same as for any form. Register it before that check. The media service checks the
 * photo itself; this only bounds what is read.
 */
export async function acceptUploads(app: FastifyInstance, maxBytes: number): Promise<void> {
  await app.register(fastifyMultipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: maxBytes, files: 1, fields: 40, fieldSize: 10_000 },
  });
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

/**
 * A multipart body that cannot be parsed (no boundary, a part cut off) as a 400, or
 * undefined for any other error. busboy, @fastify/multipart's parser, reports these with
 * plain Errors (no code, no status) made in its own files, whether the fields are read
 * before the route (attachFieldsToBody) or by the route itself (`request.parts()`).
 */
export function malformedForm(error: unknown): HearthError | undefined {
  if (!(error instanceof Error) || isHearthError(error) || 'statusCode' in error) return undefined;
  if (!/[\\/]@fastify[\\/]busboy[\\/]/.test(error.stack ?? '')) return undefined;
  return new HearthError('HEARTH_ERR_FORM_MALFORMED', { reason: error.message }, { cause: error });
}
