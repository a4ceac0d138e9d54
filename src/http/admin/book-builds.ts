import { createReadStream } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BOOK_FORMATS, type BookActor, type BookBuild, type BookFormat } from '../../domain/books/index.js';
import { formatBytes } from '../../domain/media/index.js';
import { HearthError } from '../../errors.js';
import type { Services } from '../../services.js';
import { attachment } from '../content-disposition.js';
import type { Pages } from './pages.js';

/** The services this plugin uses. */
export type BookBuildRoutesServices = Pick<Services, 'books' | 'bookBuilds'>;

const makeBooks = { capability: 'make_books' } as const;
const idParams = {
  type: 'object',
  properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } },
  required: ['id'],
} as const;
const formatParams = {
  type: 'object',
  properties: {
    id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' },
    format: { type: 'string', enum: [...BOOK_FORMATS] },
  },
  required: ['id', 'format'],
} as const;
const buildBody = {
  type: 'object',
  properties: {
    format: { type: 'string', maxLength: 10 },
    leaveOutMissing: { type: 'string', maxLength: 10 },
    _csrf: { type: 'string', maxLength: 200 },
  },
  required: ['format'],
  additionalProperties: false,
} as const;

export const FORMAT_LABELS: Record<BookFormat, string> = { epub: 'EPUB e-book', pdf: 'PDF for print' };
export const FORMAT_TYPES: Record<BookFormat, string> = { epub: 'application/epub+zip', pdf: 'application/pdf' };

/** One format's line of the Build panel, as the page and its JSON show it. */
export interface BuildLine {
  format: BookFormat;
  label: string;
  available: boolean;
  /** Whether the newest build is waiting or running, how far it is, and what it left out. */
  running: boolean;
  percent: number;
  leftOut: string[];
  /** The newest build, if any. */
  latest: (BookBuild & { bytesText: string; percent: number; summary: string }) | null;
  /** The newest finished file, to download, and whether it still matches the book. */
  file: { url: string; bytesText: string; upToDate: boolean | null } | null;
}

/** The Build panel's data for a book: a line per format, and the last builds. */
export async function buildPanel(services: BookBuildRoutesServices, bookId: number) {
  const builds = services.bookBuilds;
  const history = await builds.list(bookId, 20);
  const files = await builds.files(bookId);
  const lines: BuildLine[] = [];
  for (const format of BOOK_FORMATS) {
    const latest = history.find((b) => b.format === format) ?? null;
    const file = files.find((f) => f.format === format);
    const running = latest?.state === 'queued' || latest?.state === 'running';
    lines.push({
      format,
      label: FORMAT_LABELS[format],
      available: builds.formats.includes(format),
      running,
      percent:
        latest?.state === 'done'
          ? 100
          : running && latest && latest.total > 0
            ? Math.round((latest.done / latest.total) * 100)
            : 0,
      leftOut: latest?.state === 'done' ? latest.leftOut : [],
      latest: latest ? describe(latest) : null,
      file: file
        ? {
            url: `/admin/books/${bookId}/download/${format}`,
            bytesText: formatBytes(file.bytes),
            // Not weighed while a build runs: the panel asks every second, and the answer is coming.
            upToDate: running ? null : await builds.upToDate(bookId, format).catch(() => false),
          }
        : null,
    });
  }
  return {
    statusUrl: `/admin/books/${bookId}/builds.json`,
    running: lines.some((l) => l.running),
    lines,
    history: history.slice(0, 6).map(describe),
  };
}

function describe(build: BookBuild) {
  const percent = build.total > 0 ? Math.round((build.done / build.total) * 100) : 0;
  let summary: string;
  if (build.state === 'queued') summary = 'Waiting to start…';
  else if (build.state === 'running')
    summary = `Building… ${build.step || 'starting'} (step ${build.done} of ${build.total || '?'})`;
  else if (build.state === 'failed') summary = `Failed: ${build.error}`;
  else
    summary = build.fromCache
      ? 'Nothing had changed since the last build: its file was kept.'
      : `Built: ${build.chapters} chapters, ${build.images} photos, ${formatBytes(build.bytes ?? 0)}.`;
  return { ...build, bytesText: formatBytes(build.bytes ?? 0), percent, summary };
}

/**
 * Building books from the admin (issue 17): a build is started with a button, runs as a job
 * in the background, and the Build panel of the book's page follows it (polling a JSON status,
 * announced politely to screen readers); the newest file of each format is downloaded here
 * whether or not the book has a public page.
 */
export async function bookBuildRoutes(
  app: FastifyInstance,
  deps: { services: BookBuildRoutesServices; pages: Pages },
): Promise<void> {
  const { services, pages } = deps;
  const actor = (request: FastifyRequest): BookActor => {
    const user = request.session?.user;
    if (!user) throw new Error('book builds: no signed-in user on an admin route');
    return { id: user.id, role: user.role };
  };
  // The same rule as changing the book: an author sees and builds only their own books.
  const mustGet = async (request: FastifyRequest, id: string) => services.books.authorize(actor(request), Number(id));
  const wantsJson = (request: FastifyRequest) => (request.headers.accept ?? '').includes('application/json');

  app.post<{ Params: { id: string }; Body: { format: string; leaveOutMissing?: string } }>(
    '/books/:id/builds',
    { config: { access: makeBooks }, schema: { params: idParams, body: buildBody } },
    async (request, reply: FastifyReply) => {
      const book = await mustGet(request, request.params.id);
      try {
        await services.bookBuilds.start(actor(request), book.id, request.body.format, {
          leaveOutMissing: request.body.leaveOutMissing === 'on',
        });
      } catch (error) {
        if (!(error instanceof HearthError) || error.status >= 500) throw error;
        if (wantsJson(request)) return reply.code(error.status).send({ error: error.message, code: error.code });
        return pages.page(
          request,
          reply,
          'message',
          {
            title: 'The book cannot be built',
            message: error.message,
            error: true,
            link: { href: `/admin/books/${book.id}#book-builds`, text: `Back to “${book.title}”` },
          },
          error.status,
        );
      }
      if (wantsJson(request)) return reply.code(202).send(await buildPanel(services, book.id));
      return reply.redirect(`/admin/books/${book.id}#book-builds`, 303);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/books/:id/builds.json',
    { config: { access: makeBooks }, schema: { params: idParams } },
    async (request, reply) => {
      const book = await mustGet(request, request.params.id);
      reply.header('cache-control', 'no-store');
      return buildPanel(services, book.id);
    },
  );

  app.get<{ Params: { id: string; format: BookFormat } }>(
    '/books/:id/download/:format',
    { config: { access: makeBooks }, schema: { params: formatParams } },
    async (request, reply) => {
      const book = await mustGet(request, request.params.id);
      const file = (await services.bookBuilds.files(book.id)).find((f) => f.format === request.params.format);
      if (!file) throw new HearthError('HEARTH_ERR_NOT_FOUND');
      return reply
        .header('content-type', FORMAT_TYPES[file.format])
        .header('content-length', String(file.bytes))
        .header('content-disposition', attachment(`${book.slug}.${file.format}`))
        .header('cache-control', 'private, no-store')
        .send(createReadStream(file.path));
    },
  );
}
