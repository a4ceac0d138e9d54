import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { ImportReport } from '../../domain/portability/index.js';
import { HearthError } from '../../errors.js';
import type { Services } from '../../services.js';
import type { Pages } from './pages.js';
import { eachPart } from './uploads.js';

/** The services this plugin uses. */
export type ImportRoutesServices = Pick<Services, 'changes'>;

/** How the admin runs an import: the `hearth` command in a child process, on the same database. */
export interface ImportRunner {
  /** The built CLI (`dist/cli/bin.js`). */
  cliPath: string;
  dataDir: string;
  /** The environment the child needs to open the same database (HEARTH_DATA_DIR, HEARTH_DATABASE_URL). */
  env: Record<string, string>;
}

interface Job {
  id: string;
  state: 'running' | 'done' | 'failed';
  dryRun: boolean;
  platform: 'wordpress' | 'ghost';
  done: number;
  total: number | null;
  startedAt: string;
  error: string;
  report: ImportReport | undefined;
  child: ChildProcess | undefined;
}

const MAX_EXPORT_BYTES = 1024 * 1024 * 1024;
const manageSettings = { capability: 'manage_settings' } as const;
const jobParams = {
  type: 'object',
  properties: { id: { type: 'string', pattern: '^[0-9a-f]{16}$' } },
  required: ['id'],
} as const;

/**
 * Imports from the admin: an owner or administrator uploads a WordPress export; it is saved
 * below the data folder and imported by `hearth import` in a child process, so that the site
 * keeps answering while the import's transaction is open (SQLite has one connection per
 * process) and a failed import cannot take the server down. The page shows a live progress
 * bar (polling a JSON status) and the report at the end. Jobs are kept in memory; the
 * uploaded file and its report stay in `data/imports/<id>/`.
 */
export async function importRoutes(
  app: FastifyInstance,
  deps: { services: ImportRoutesServices; pages: Pages; runner: ImportRunner },
): Promise<void> {
  const { pages, runner, services } = deps;
  const jobs = new Map<string, Job>();
  await app.register(fastifyMultipart, { limits: { fileSize: MAX_EXPORT_BYTES, files: 1, fields: 5, fieldSize: 200 } });

  const form = (request: Parameters<Pages['page']>[0], reply: Parameters<Pages['page']>[1], error = '', status = 200) =>
    pages.page(
      request,
      reply,
      'import',
      {
        title: 'Import',
        error,
        jobs: [...jobs.values()]
          .reverse()
          .map((j) => ({ id: j.id, state: j.state, startedAt: j.startedAt, dryRun: j.dryRun })),
      },
      status,
    );

  app.get('/import', { config: { access: manageSettings }, schema: {} }, async (request, reply) =>
    form(request, reply),
  );

  app.post(
    '/import',
    {
      config: { access: manageSettings },
      schema: { querystring: { type: 'object', properties: { _csrf: { type: 'string', maxLength: 200 } } } },
    },
    async (request, reply) => {
      // One at a time: a second import would wait on the first one's transaction, then fail.
      if ([...jobs.values()].some((j) => j.state === 'running')) {
        const running = new HearthError('HEARTH_ERR_IMPORT_RUNNING');
        return form(request, reply, running.message, running.status);
      }
      const id = randomBytes(8).toString('hex');
      const dir = path.join(runner.dataDir, 'imports', id);
      const file = path.join(dir, 'export');
      await mkdir(dir, { recursive: true });
      let dryRun = false;
      let received = false;
      try {
        await eachPart(request, async (part) => {
          if (part.type === 'file') {
            if (part.fieldname !== 'export')
              throw new HearthError('HEARTH_ERR_VALIDATION', {
                field: part.fieldname,
                reason: 'only the export file is taken',
              });
            await pipeline(part.file, createWriteStream(file));
            if (part.file.truncated) throw new HearthError('HEARTH_ERR_IMPORT_TOO_LARGE', { max: '1 GiB' });
            received = true;
          } else if (part.fieldname === 'dry_run') dryRun = part.value === 'on';
        });
        const size = received ? (await stat(file)).size : 0;
        if (size === 0) throw new HearthError('HEARTH_ERR_IMPORT_NO_FILE');
      } catch (error) {
        await rm(dir, { recursive: true, force: true });
        if (error instanceof HearthError && error.status < 500)
          return form(request, reply, error.message, error.status);
        throw error;
      }
      const job: Job = {
        id,
        state: 'running',
        dryRun,
        platform: await sniffPlatform(file),
        done: 0,
        total: null,
        startedAt: new Date().toISOString(),
        error: '',
        report: undefined,
        child: undefined,
      };
      jobs.set(id, job);
      start(job, dir, file);
      return reply.redirect(`/admin/import/${id}`, 303);
    },
  );

  /** Runs `hearth import wordpress` for a job and follows its progress lines. */
  function start(job: Job, dir: string, file: string): void {
    const reportFile = path.join(dir, 'report.json');
    const args = [runner.cliPath, 'import', job.platform, file, '--report', reportFile, '--progress', 'json'];
    if (job.dryRun) args.push('--dry-run');
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...runner.env, HEARTH_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    job.child = child;
    child.on('error', (error) => {
      // The process could not start (or be signalled): the job fails, the server goes on.
      job.child = undefined;
      job.state = 'failed';
      job.error = `The import could not run: ${error.message}`;
    });
    let buffered = '';
    let lastLine = '';
    let firstError = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      buffered = (buffered + chunk).slice(-64 * 1024);
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('hearth: ') && !firstError) firstError = line.slice('hearth: '.length);
        try {
          const progress = JSON.parse(line) as { done?: number; total?: number | null };
          if (typeof progress.done === 'number') job.done = progress.done;
          if (progress.total !== undefined) job.total = progress.total;
        } catch {
          if (line.trim()) lastLine = line.trim();
        }
      }
    });
    child.on('close', async (code) => {
      job.child = undefined;
      if (job.state !== 'running') return;
      // The uploaded export is not kept (it may be large); its report stays beside where it was.
      await rm(file, { force: true }).catch(() => {});
      if (code === 0) {
        try {
          job.report = JSON.parse(await readFile(reportFile, 'utf8')) as ImportReport;
          job.state = 'done';
          if (job.total !== null) job.done = job.total;
        } catch {
          job.state = 'failed';
          job.error = 'The import finished without a report.';
        }
        // The child wrote to the database: every page may have changed.
        if (!job.dryRun) services.changes.publish({ kind: 'site' });
      } else {
        job.state = 'failed';
        // Hearth's own message when it gave one; otherwise what the process said last.
        job.error =
          firstError ||
          (buffered.trim() || lastLine).replace(/^hearth: /, '') ||
          `The import stopped (exit code ${code}).`;
      }
    });
  }

  const view = (job: Job) => ({
    id: job.id,
    state: job.state,
    dryRun: job.dryRun,
    done: job.done,
    total: job.total,
    error: job.error,
    report: job.report,
  });

  app.get<{ Params: { id: string } }>(
    '/import/:id',
    { config: { access: manageSettings }, schema: { params: jobParams } },
    async (request, reply) => {
      const job = jobs.get(request.params.id);
      if (!job) throw new HearthError('HEARTH_ERR_NOT_FOUND');
      return pages.page(request, reply, 'import-status', {
        title: 'Import',
        job: view(job),
        report: reportView(job.report),
      });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/import/:id/status.json',
    { config: { access: manageSettings }, schema: { params: jobParams } },
    async (request, reply) => {
      const job = jobs.get(request.params.id);
      if (!job) throw new HearthError('HEARTH_ERR_NOT_FOUND');
      return reply.send(view(job));
    },
  );

  app.addHook('onClose', async () => {
    for (const job of jobs.values()) job.child?.kill();
  });
}

/** A Ghost export is JSON; anything else is read as a WordPress export (which says so if it is not). */
async function sniffPlatform(file: string): Promise<'wordpress' | 'ghost'> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(64), 0, 64, 0);
    return buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart()
      .startsWith('{')
      ? 'ghost'
      : 'wordpress';
  } finally {
    await handle.close();
  }
}

/** The report as the status page lists it. */
function reportView(report: ImportReport | undefined) {
  if (!report) return undefined;
  return {
    ...report,
    rows: Object.entries(report.counts).map(([kind, c]) => ({ kind, ...c })),
    skippedLines: report.skipped.map((s) => `${s.what} ${s.name}: ${s.reason}`),
    heldBackLines: report.heldBack.map((h) => `“${h.title}”: ${h.reason}`),
    missingLines: report.missingMedia.map((m) => `${m.file}: ${m.reason}`),
    renamedLines: report.renamed.map((r) => `${r.what}: ${r.from} → ${r.to}`),
    shortcodeLines: report.unknownShortcodes.map(
      (s) => `${s.name} (in ${s.posts} ${s.posts === 1 ? 'post' : 'posts'})`,
    ),
  };
}
