import { rm } from 'node:fs/promises';
import path from 'node:path';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../../domain/accounts/index.js';
import {
  canChangePhoto,
  fileOfWidth,
  formatBytes,
  type MediaActor,
  type MediaItem,
  type UploadResult,
} from '../../domain/media/index.js';
import { HearthError, isHearthError, ValidationError } from '../../errors.js';
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

  const PER_PAGE = 24;

  /** A photo as the grid and the pickers show it: a small variant, its texts, what it weighs. */
  const card = (i: MediaItem, actor: MediaActor) => ({
    id: i.id,
    url: i.url,
    thumb: thumbOf(i),
    alt: i.alt,
    caption: i.caption,
    name: i.originalName || i.path.split('/').pop(),
    width: i.width,
    height: i.height,
    size: formatBytes(i.bytes),
    markdown: markdownOf(i),
    mayChange: canChangePhoto(i, actor),
  });

  const libraryPage = async (
    request: FastifyRequest<{ Querystring: LibraryQuery }>,
    reply: FastifyReply,
    extra: { notice?: string; error?: string; uploaded?: MediaItem },
    status = 200,
  ) => {
    const q = (request.query.q ?? '').trim();
    const filter = request.query.filter === 'unused' || request.query.filter === 'noalt' ? request.query.filter : '';
    const page = Number(request.query.page ?? '1');
    const actor = mediaActor(request);
    const result = await services.media.list({
      page,
      perPage: PER_PAGE,
      search: q,
      ...(filter ? { filter } : {}),
      ...ownPhotosOnly(actor),
    });
    const link = (n: number) => {
      const params = new URLSearchParams({
        ...(q ? { q } : {}),
        ...(filter ? { filter } : {}),
        ...(n > 1 ? { page: String(n) } : {}),
      });
      const text = params.toString();
      return `/admin/media${text ? `?${text}` : ''}`;
    };
    return pages.page(
      request,
      reply,
      'media',
      {
        title: 'Media library',
        items: result.items.map((i) => card(i, actor)),
        total: result.total,
        pageNumber: result.page,
        pageCount: result.pages,
        previous: result.page > 1 ? link(result.page - 1) : '',
        next: result.page < result.pages ? link(result.page + 1) : '',
        filters: { q, filter },
        filtering: q !== '' || filter !== '',
        notice: extra.notice ?? '',
        uploadError: extra.error ?? '',
        uploaded: extra.uploaded && { ...extra.uploaded, markdown: markdownOf(extra.uploaded) },
        maxSize: formatBytes(maxBytes),
      },
      status,
    );
  };

  /** One photo: bigger, its texts to edit, the posts that use it, and deleting it. */
  const photoPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: number,
    extra: {
      notice?: string;
      errors?: Record<string, string>;
      values?: { alt: string; caption: string; credit: string };
      confirmDelete?: boolean;
    } = {},
    status = 200,
  ) => {
    const item = await services.media.get(id);
    const own = ownPhotosOnly(mediaActor(request)).uploadedBy;
    // A contributor sees only their own photos: any other is as if it did not exist.
    if (!item || (own !== undefined && item.uploadedBy !== own))
      throw new HearthError('HEARTH_ERR_MEDIA_NOT_FOUND', { id });
    const usage = await services.media.usage(id);
    const errors = extra.errors ?? {};
    const labels: Record<string, string> = {
      feature: 'feature image',
      body: 'in the text',
      note: 'in the editor’s note',
    };
    return pages.page(
      request,
      reply,
      'media-photo',
      {
        title: `Photo: ${item.originalName || item.path.split('/').pop()}`,
        photo: { ...card(item, mediaActor(request)), credit: item.credit, created: item.createdAt.slice(0, 10) },
        preview: previewOf(item),
        values: extra.values ?? { alt: item.alt, caption: item.caption, credit: item.credit },
        form: {
          errors,
          errorList: Object.entries(errors).map(([field, message]) => ({ field, message })),
        },
        notice: extra.notice ?? '',
        posts: usage.posts.map((p) => ({
          id: p.id,
          title: p.title,
          status: p.status,
          type: p.type,
          as: p.as.map((a) => labels[a] ?? a).join(', '),
        })),
        profiles: usage.profiles,
        used: usage.posts.length > 0 || usage.profiles.length > 0,
        confirmDelete: extra.confirmDelete ?? false,
      },
      status,
    );
  };

  app.get<{ Querystring: LibraryQuery & { uploaded?: string; deleted?: string } }>(
    '/media',
    {
      config: { access: uploadMedia },
      schema: {
        querystring: {
          type: 'object',
          properties: {
            q: { type: 'string', maxLength: 200 },
            filter: { type: 'string', enum: ['', 'unused', 'noalt'] },
            page: { type: 'string', pattern: '^[1-9][0-9]{0,5}$' },
            uploaded: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' },
            saved: { type: 'string', maxLength: 5 },
            deleted: { type: 'string', maxLength: 5 },
          },
        },
      },
    },
    async (request, reply) => {
      // The feature image picker's search (with script): the same query, as JSON.
      if (wantsJson(request)) {
        const q = (request.query.q ?? '').trim();
        const result = await services.media.list({
          page: Number(request.query.page ?? '1'),
          perPage: 24,
          search: q,
          ...ownPhotosOnly(mediaActor(request)),
        });
        return {
          total: result.total,
          items: result.items.map((i) => ({
            id: i.id,
            name: i.originalName || i.path.split('/').pop(),
            alt: i.alt,
            thumb: thumbOf(i),
          })),
        };
      }
      const found = request.query.uploaded ? await services.media.get(Number(request.query.uploaded)) : undefined;
      const own = ownPhotosOnly(mediaActor(request)).uploadedBy;
      const uploaded = found && (own === undefined || found.uploadedBy === own) ? found : undefined;
      const notice = uploaded
        ? 'The photo is uploaded. Copy its Markdown into a post.'
        : request.query.deleted
          ? 'The photo is deleted.'
          : '';
      return libraryPage(request, reply, { notice, ...(uploaded ? { uploaded } : {}) });
    },
  );

  app.get<{ Params: { id: string }; Querystring: { saved?: string; duplicate?: string; uploaded?: string } }>(
    '/media/:id',
    {
      config: { access: uploadMedia },
      schema: {
        params: idParams,
        querystring: {
          type: 'object',
          properties: { saved: { type: 'string', maxLength: 5 }, duplicate: { type: 'string', maxLength: 5 } },
        },
      },
    },
    async (request, reply) => {
      const notice = request.query.duplicate
        ? DUPLICATE_NOTICE
        : request.query.saved
          ? 'Saved. Every post that shows this photo shows the new texts where it leaves its own empty.'
          : '';
      return photoPage(request, reply, Number(request.params.id), { notice });
    },
  );

  app.post<{ Querystring: LibraryQuery }>(
    '/media/upload',
    {
      config: { access: uploadMedia },
      schema: { querystring: { type: 'object', properties: { _csrf: { type: 'string', maxLength: 200 } } } },
    },
    async (request, reply) => {
      let result: UploadResult;
      try {
        result = await ingestUpload(request, services, maxBytes);
      } catch (error) {
        if (!isHearthError(error) || error.status >= 500) throw error;
        if (wantsJson(request)) {
          return reply.code(error.status).send({ error: { code: error.code, message: error.message, field: 'file' } });
        }
        return libraryPage(request, reply, { error: error.message }, error.status);
      }
      const { item, duplicate } = result;
      if (wantsJson(request)) {
        return reply.code(duplicate ? 200 : 201).send({
          id: item.id,
          url: item.url,
          alt: item.alt,
          markdown: markdownOf(item),
          duplicate,
          ...(duplicate ? { message: DUPLICATE_NOTICE } : {}),
        });
      }
      return reply.redirect(
        duplicate ? `/admin/media/${item.id}?duplicate=1` : `/admin/media?uploaded=${item.id}`,
        303,
      );
    },
  );

  app.post<{ Params: { id: string }; Body: { alt?: string; caption?: string; credit?: string } }>(
    '/media/:id',
    {
      config: { access: uploadMedia },
      schema: { params: idParams, body: formBody({ alt: 2000, caption: 2000, credit: 500 }) },
    },
    async (request, reply) => {
      const id = Number(request.params.id);
      const { alt = '', caption = '', credit = '' } = request.body ?? {};
      try {
        await services.media.update(id, { alt, caption, credit }, mediaActor(request));
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return photoPage(request, reply, id, { errors: error.fields, values: { alt, caption, credit } }, 400);
      }
      return reply.redirect(`/admin/media/${id}?saved=1`, 303);
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
        // The confirm step: the photo's page, listing what uses it, with "Delete anyway".
        return photoPage(request, reply, id, { confirmDelete: true }, 409);
      }
      return reply.redirect('/admin/media?deleted=1', 303);
    },
  );
}

/** What the library's address may say: words to look for, a filter, a page. */
type LibraryQuery = { q?: string; filter?: string; page?: string; saved?: string };

const DUPLICATE_NOTICE = 'This photo is already in the library (the same file was uploaded before): nothing was added.';

/** The grid's and pickers' thumbnail: the narrowest stored width. */
const thumbOf = (item: MediaItem) => fileOfWidth(item, 0);
/** A width of the photo for its own page (at most 960 pixels). */
const previewOf = (item: MediaItem) => fileOfWidth(item, 960);

/**
 * Reads the one file of an upload form (and its alt text) and hands it to the media
 * library. The file goes to a temporary file as it arrives, never whole into memory, and
 * that file is removed whatever happens (stored, refused, the client gone).
 */
async function ingestUpload(
  request: FastifyRequest,
  services: MediaRoutesServices,
  maxBytes: number,
): Promise<UploadResult> {
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
    const user = request.session?.user;
    return await services.media.upload({
      file,
      name,
      alt,
      uploadedBy: user?.id ?? null,
      // A contributor is handed back only a photo of their own as the same one.
      dedupeOwnOnly: !user || !can(user.role, 'upload_media'),
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
