import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fastifyMultipart, { type Multipart, type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../domain/audit/index.js';
import { HearthError, isHearthError } from '../../errors.js';

/** A file of a form, written to a temporary file as it arrived (never held in memory). */
export class SavedFile {
  constructor(
    readonly file: string,
    readonly size: number,
    /** The name the browser gave the file ('' when no file was chosen). */
    readonly filename = '',
  ) {}
}

/**
 * Lets the admin's forms send a photo (multipart/form-data). Fields become plain body
 * values and the file a `SavedFile` on disk before the CSRF check reads `_csrf`, so the
 * check is the same as for any form. Register it before that check. The media service
 * checks the photo itself; this only bounds what is read. A body that cannot be parsed is
 * a 400. The temporary files go when the answer is sent or the client goes away.
 */
export async function acceptUploads(app: FastifyInstance, maxBytes: number): Promise<void> {
  await app.register(fastifyMultipart, {
    limits: { fileSize: maxBytes, files: 1, fields: 40, fieldSize: 10_000 },
  });
  app.addHook('preValidation', async (request, reply) => {
    if (request.isMultipart()) request.body = await readForm(request, reply);
  });
}

/**
 * Every part of a multipart form as @fastify/multipart's `keyValues` gives them: a field's
 * text, a file as a `SavedFile`, several values of one name as an array.
 */
async function readForm(request: FastifyRequest, reply: FastifyReply): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = {};
  let dir: string | undefined;
  const removeDir = () => (dir ? rm(dir, { recursive: true, force: true }) : Promise.resolve());
  reply.raw.once('close', () => void removeDir().catch(() => undefined));
  try {
    await eachPart(request, async (part) => {
      let value: unknown = part.type === 'file' ? undefined : part.value;
      if (part.type === 'file') {
        dir ??= await tempDir();
        const file = path.join(dir, `file-${Object.keys(body).length}`);
        const size = await saveFile(part, file);
        if (part.file.truncated) throw new request.server.multipartErrors.RequestFileTooLargeError();
        value = new SavedFile(file, size, part.filename ?? '');
      }
      const earlier = body[part.fieldname];
      if (earlier === undefined) body[part.fieldname] = value;
      else body[part.fieldname] = Array.isArray(earlier) ? [...earlier, value] : [earlier, value];
    });
  } catch (error) {
    await removeDir();
    throw error;
  }
  return body;
}

/** A new, empty folder for the files of one upload; remove it when done. */
export function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'hearth-upload-'));
}

/**
 * Writes a file part to `file` as it arrives, never holding more than a chunk of it, and
 * returns its size. Past `limit.maxBytes` it stops with `limit.tooLarge()`; a file part
 * cut off in the body is HEARTH_ERR_FORM_MALFORMED, as in `eachPart`. On any failure the
 * partial file is removed.
 *
 * @example
 *   const size = await saveFile(part, path.join(await tempDir(), 'upload'), { maxBytes, tooLarge });
 */
export async function saveFile(
  part: MultipartFile,
  file: string,
  limit?: { maxBytes: number; tooLarge: () => Error },
): Promise<number> {
  let size = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      done(limit && size > limit.maxBytes ? limit.tooLarge() : null, chunk);
    },
  });
  try {
    await pipeline(part.file, count, createWriteStream(file));
    return size;
  } catch (error) {
    await rm(file, { force: true });
    // The disk failing (full, no permission) is the server's fault, not the form's.
    throw error instanceof Error && 'syscall' in error ? error : malformedForm(error);
  }
}

/**
 * Reads a multipart body part by part. The parser (busboy) reports a body it cannot
 * parse (no boundary, a part cut off) with plain errors, without a code or status: those
 * become HEARTH_ERR_FORM_MALFORMED (400). @fastify/multipart's own errors (a file too
 * large, too many parts) carry their status and pass as they are, and so does whatever
 * `onPart` throws (write a file part to disk with `saveFile`).
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

function malformedForm(error: unknown): unknown {
  if (!(error instanceof Error) || isHearthError(error) || 'statusCode' in error) return error;
  return new HearthError('HEARTH_ERR_FORM_MALFORMED', { reason: error.message }, { cause: error });
}

/** The file sent in a form field (on disk until the answer is sent), or null when none was chosen. */
export function uploadedFile(body: unknown, field: string, name: string): { file: string; name: string } | null {
  const value = (body as Record<string, unknown> | undefined)?.[field];
  return value instanceof SavedFile && value.size > 0 ? { file: value.file, name } : null;
}

/** Who is making a change, for the audit log. */
export function actorOf(request: FastifyRequest): Actor {
  const user = request.session?.user;
  if (!user) throw new Error('actorOf: no signed-in user on an admin route');
  return { id: user.id, email: user.email, ip: request.ip };
}
