import { rm } from 'node:fs/promises';
import path from 'node:path';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../../domain/accounts/index.js';
import { canChangePhoto, formatBytes, type MediaActor, type MediaItem } from '../../domain/media/index.js';
import { HearthError, isHearthError } from '../../errors.js';
import type { Services } from '../../services.js';
import type { Pages } from './pages.js';
import { formBody } from './schemas.js';
import { eachPart, saveFile, tempDir } from './uploads.js';

/** The services this plugin uses. */
export type MediaRoutesServices = Pick<Services, 'media'>;

// Contributors upload too (into their own drafts): they see and change only their own photos.
const uploadMedia = { capability: 'upload_own_media' } as const;
const idParams = {
  type: 'object',
  properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } },
  required: ['id'],
} as const;

/** The signed-in person, as the media library's ownership rule asks. */
const mediaActor = (request: FastifyRequest): MediaActor => {
  const user = request.session?.user;
  if (!user) throw new Error('mediaActor: no signed-in user on an admin route');
  return { id: user.id, role: user.role };
};
/** Whose photos a person may see and use: everyone's with `upload_media`, else their own. */
export const ownPhotosOnly = (actor: MediaActor): { uploadedBy?: number } =>
  can(actor.role, 'upload_media') ? {} : { uploadedBy: actor.id };
const markdownOf = (item: MediaItem) => `![${item.alt.replace(/[[\]]/g, '')}](${item.url})`;
const wantsJson = (request: FastifyRequest) => String(request.headers.accept ?? '').includes('application/json');

/**
 * Photos over HTTP: uploads (a multipart form without script; the editor's script sends
 * the same form for the file picker, drag and drop and paste) and the media library.
 */
export async function mediaRoutes(
  app: FastifyInstance,
  deps: { services: MediaRoutesServices; pages: Pages },
): Promise<void> {
  const { services, pages } = deps;
  const { maxBytes } = services.media.limits;
  // One byte over the limit is enough to know a file is too large, without reading the rest.
  await app.register(fastifyMultipart, { limits: { fileSize: maxBytes + 1, files: 1, fields: 10, fieldSize: 4000 } });

  const libraryPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { notice?: string; error?: string; uploaded?: MediaItem; usage?: { id: number; posts: string[] } },
    status = 200,
  ) => {
    const actor = mediaActor(request);
    const page = await services.media.list({ page: 1, perPage: 100, ...ownPhotosOnly(actor) });
    return pages.page(
      request,
      reply,
      'media',
      {
        title: 'Media library',
        items: page.items.map((i) => ({
          ...i,
          markdown: markdownOf(i),
          size: formatBytes(i.bytes),
          mayChange: canChangePhoto(i, actor),
        })),
        total: page.total,
        notice: extra.notice ?? '',
        uploadError: extra.error ?? '',
        uploaded: extra.uploaded && { ...extra.uploaded, markdown: markdownOf(extra.uploaded) },
        usage: extra.usage,
        maxSize: formatBytes(maxBytes),
      },
      status,
    );
  };

  app.get<{ Querystring: { uploaded?: string; saved?: string; deleted?: string } }>(
    '/media',
    {
      config: { access: uploadMedia },
      schema: {
        querystring: {
          type: 'object',
          properties: {
            uploaded: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' },
            saved: { type: 'string', maxLength: 5 },
            deleted: { type: 'string', maxLength: 5 },
          },
        },
      },
    },
    async (request, reply) => {
      const found = request.query.uploaded ? await services.media.get(Number(request.query.uploaded)) : undefined;
      const own = ownPhotosOnly(mediaActor(request)).uploadedBy;
      const uploaded = found && (own === undefined || found.uploadedBy === own) ? found : undefined;
      const notice = uploaded
        ? 'The photo is uploaded. Copy its Markdown into a post.'
        : request.query.saved
          ? 'Saved.'
          : request.query.deleted
            ? 'The photo is deleted.'
            : '';
      return libraryPage(request, reply, { notice, ...(uploaded ? { uploaded } : {}) });
    },
  );

  app.post(
    '/media/upload',
    {
      config: { access: uploadMedia },
      schema: { querystring: { type: 'object', properties: { _csrf: { type: 'string', maxLength: 200 } } } },
    },
    async (request, reply) => {
      let item: MediaItem;
      try {
        item = await ingestUpload(request, services, maxBytes);
      } catch (error) {
        if (!isHearthError(error) || error.status >= 500) throw error;
        if (wantsJson(request)) {
          return reply.code(error.status).send({ error: { code: error.code, message: error.message, field: 'file' } });
        }
        return libraryPage(request, reply, { error: error.message }, error.status);
      }
      if (wantsJson(request)) {
        return reply.code(201).send({ id: item.id, url: item.url, alt: item.alt, markdown: markdownOf(item) });
      }
      return reply.redirect(`/admin/media?uploaded=${item.id}`, 303);
    },
  );

  app.post<{ Params: { id: string }; Body: { alt?: string; caption?: string; credit?: string } }>(
    '/media/:id',
    {
      config: { access: uploadMedia },
      schema: { params: idParams, body: formBody({ alt: 2000, caption: 2000, credit: 500 }) },
    },
    async (request, reply) => {
      const { alt = '', caption = '', credit = '' } = request.body ?? {};
      await services.media.update(Number(request.params.id), { alt, caption, credit }, mediaActor(request));
      return reply.redirect('/admin/media?saved=1', 303);
    },
  );

  app.post<{ Params: { id: string }; Body: { force?: string } }>(
    '/media/:id/delete',
    { config: { access: uploadMedia }, schema: { params: idParams, body: formBody({ force: 5 }) } },
    async (request, reply) => {
      const id = Number(request.params.id);
      try {
        await services.media.delete(id, { force: request.body?.force === 'yes', by: mediaActor(request) });
      } catch (error) {
        if (!isHearthError(error) || error.code !== 'HEARTH_ERR_MEDIA_IN_USE') throw error;
        const usage = await services.media.usage(id);
        const posts = [...usage.posts.map((p) => p.title), ...usage.profiles.map((p) => `the profile of ${p.name}`)];
        return libraryPage(request, reply, { error: error.message, usage: { id, posts } }, 409);
      }
      return reply.redirect('/admin/media?deleted=1', 303);
    },
  );
}

/**
 * Reads the one file of an upload form (and its alt text) and hands it to the media
 * library. The file goes to a temporary file as it arrives, never whole into memory, and
 * that file is removed whatever happens (stored, refused, the client gone).
 */
async function ingestUpload(
  request: FastifyRequest,
  services: MediaRoutesServices,
  maxBytes: number,
): Promise<MediaItem> {
  if (!request.isMultipart()) throw new HearthError('HEARTH_ERR_UPLOAD_MISSING', { field: 'file' });
  const dir = await tempDir();
  try {
    const file = path.join(dir, 'upload');
    let size = 0;
    let name = '';
    let alt = '';
    await eachPart(request, async (part) => {
      if (part.type === 'file') {
        name = part.filename || 'photo';
        const tooLarge = () =>
          new HearthError('HEARTH_ERR_MEDIA_TOO_LARGE', {
            field: 'file',
            name,
            size: `more than ${formatBytes(maxBytes)}`,
            limit: formatBytes(maxBytes),
          });
        size = await saveFile(part, file, { maxBytes, tooLarge });
        // busboy stops at maxBytes + 1 bytes, which the count above refuses first.
        if (part.file.truncated) throw tooLarge();
      } else if (part.fieldname === 'alt') {
        alt = String(part.value ?? '');
      }
    });
    if (size === 0) throw new HearthError('HEARTH_ERR_UPLOAD_MISSING', { field: 'file' });
    return await services.media.ingest({ file, name, alt, uploadedBy: request.session?.user?.id ?? null });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
