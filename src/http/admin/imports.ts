import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { ImportJob, ImportPlatform, ImportReport, RunningImport } from '../../domain/portability/index.js';
import { HearthError } from '../../errors.js';
import type { Services } from '../../services.js';
import type { Pages } from './pages.js';
import { eachPart } from './uploads.js';

/** The services this plugin uses. */
export type ImportRoutesServices = Pick<Services, 'changes' | 'importJobs'>;

/** How the admin runs an import: the `hearth` command in a child process, on the same database. */
export interface ImportRunner {
  /** The built CLI (`dist/cli/bin.js`). */
  cliPath: string;
  dataDir: string;
  /** The environment the child needs to open the same database (HEARTH_DATA_DIR, HEARTH_DATABASE_URL). */
  env: Record<string, string>;
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
 * bar (polling a JSON status) and the report at the end. Jobs are rows in the database
 * (`services.importJobs`), so any instance shows them and one import runs at a time across
 * instances; the import itself runs on the instance that took the upload, whose report
 * also stays in its `data/imports/<id>/`.
 */
export async function importRoutes(
  app: FastifyInstance,
  deps: { services: ImportRoutesServices; pages: Pages; runner: ImportRunner },
): Promise<void> {
  const { pages, runner, services } = deps;
  const jobs = services.importJobs;
  /** Children running here, and the promise of each one's end being written. */
  const children = new Map<string, { child: ChildProcess; ended: Promise<void> }>();
  await app.register(fastifyMultipart, { limits: { fileSize: MAX_EXPORT_BYTES, files: 1, fields: 5, fieldSize: 200 } });

  const form = async (
    request: Parameters<Pages['page']>[0],
    reply: Parameters<Pages['page']>[1],
    error = '',
    status = 200,
  ) =>
    pages.page(
      request,
      reply,
      'import',
      {
        title: 'Import',
        error,
        jobs: (await jobs.list()).map((j) => ({ id: j.id, state: j.state, startedAt: j.startedAt, dryRun: j.dryRun })),
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
      // One at a time, on every instance: a second import would wait on the first one's
      // transaction, then fail. Asked before the upload, and decided by the database after it.
      try {
        await jobs.refuseWhileRunning();
      } catch (error) {
        if (error instanceof HearthError && error.code === 'HEARTH_ERR_IMPORT_RUNNING')
          return form(request, reply, error.message, error.status);
        throw error;
      }
      const id = randomBytes(8).toString('hex');
      const dir = path.join(runner.dataDir, 'imports', id);
      const file = path.join(dir, 'export');
      await mkdir(dir, { recursive: true });
      let dryRun = false;
      let received = false;
      let job: RunningImport;
      let platform: ImportPlatform;
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
        platform = await sniffPlatform(file);
        job = await jobs.begin({ id, platform, dryRun, startedBy: request.session?.user?.id ?? null });
      } catch (error) {
        await rm(dir, { recursive: true, force: true });
        if (error instanceof HearthError && error.status < 500)
          return form(request, reply, error.message, error.status);
        throw error;
      }
      start(job, { platform, dryRun }, dir, file);
      return reply.redirect(`/admin/import/${id}`, 303);
    },
  );

  /** Runs `hearth import wordpress` for a job and follows its progress lines. */
  function start(
    job: RunningImport,
    options: { platform: ImportPlatform; dryRun: boolean },
    dir: string,
    file: string,
  ): void {
    const reportFile = path.join(dir, 'report.json');
    const args = [runner.cliPath, 'import', options.platform, file, '--report', reportFile, '--progress', 'json'];
    if (options.dryRun) args.push('--dry-run');
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...runner.env, HEARTH_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let resolveEnded: () => void = () => {};
    const ended = new Promise<void>((resolve) => {
      resolveEnded = resolve;
    });
    children.set(job.id, { child, ended });
    const end = async (outcome: { report: ImportReport } | { error: string }) => {
      try {
        await job.finish(outcome);
      } catch (error) {
        app.log.error({ err: error }, 'the end of an import could not be written');
      } finally {
        children.delete(job.id);
        resolveEnded();
      }
    };
    child.on('error', (error) => {
      // The process could not start (or be signalled): the job fails, the server goes on.
      void end({ error: `The import could not run: ${error.message}` });
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
          if (typeof progress.done === 'number')
            job.progress(progress.done, progress.total === undefined ? null : progress.total);
        } catch {
          if (line.trim()) {
            lastLine = line.trim();
            job.line(lastLine);
          }
        }
      }
    });
    child.on('close', async (code) => {
      // The uploaded export is not kept (it may be large); its report stays beside where it was.
      await rm(file, { force: true }).catch(() => {});
      if (code === 0) {
        let report: ImportReport;
        try {
          report = JSON.parse(await readFile(reportFile, 'utf8')) as ImportReport;
        } catch {
          await end({ error: 'The import finished without a report.' });
          return;
        }
        await end({ report });
        // The child wrote to the database: every page may have changed.
        if (!options.dryRun) services.changes.publish({ kind: 'site' });
      } else {
        // Hearth's own message when it gave one; otherwise what the process said last.
        await end({
          error:
            firstError ||
            (buffered.trim() || lastLine).replace(/^hearth: /, '') ||
            `The import stopped (exit code ${code}).`,
        });
      }
    });
  }

  const view = (job: ImportJob) => ({
    id: job.id,
    state: job.state,
    dryRun: job.dryRun,
    done: job.done,
    total: job.total,
    error: job.error,
    message: job.message,
    report: job.report,
  });

  app.get<{ Params: { id: string } }>(
    '/import/:id',
    { config: { access: manageSettings }, schema: { params: jobParams } },
    async (request, reply) => {
      const job = await jobs.get(request.params.id);
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
      const job = await jobs.get(request.params.id);
      if (!job) throw new HearthError('HEARTH_ERR_NOT_FOUND');
      return reply.send(view(job));
    },
  );

  // A stopping server stops its imports (each rolls back) and writes that they failed.
  app.addHook('onClose', async () => {
    const running = [...children.values()];
    for (const { child } of running) child.kill();
    await Promise.all(running.map(({ ended }) => ended));
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
