import type { Selectable } from 'kysely';
import { HearthError, isHearthError } from '../../errors.js';
import type { Db, ImportJobsTable } from '../../storage/index.js';
import type { ImportReport } from './writer.js';

export type ImportPlatform = 'wordpress' | 'ghost';
export type ImportJobState = 'running' | 'done' | 'failed';

/** An import started from the admin, as its pages show it. */
export interface ImportJob {
  id: string;
  platform: ImportPlatform;
  dryRun: boolean;
  state: ImportJobState;
  done: number;
  total: number | null;
  /** The last lines the import printed that were not progress, newest last. */
  message: string[];
  error: string;
  report: ImportReport | undefined;
  startedBy: number | null;
  startedAt: string;
  finishedAt: string | null;
}

export interface ImportJobsDeps {
  db: Db;
  /**
   * Whether this database takes other writes while an import's transaction is open
   * (PostgreSQL). SQLite does not: the running import holds the file's write lock, so the
   * instance running it keeps its progress in memory and writes it when the import ends.
   */
  liveWrites: boolean;
  /** A running job with no sign of life for this long is marked failed (default 60 s). */
  staleAfterMs?: number;
  /** How often the running instance writes progress and its heartbeat (default 2 s). */
  heartbeatMs?: number;
  /** Told of a heartbeat that could not be written. */
  onError?: (error: unknown) => void;
  now?: () => Date;
}

/** How many of the import's last lines are kept. */
const MESSAGE_LINES = 5;

type Row = Selectable<ImportJobsTable>;

/** A job running in this process: what the process following the import tells it. */
export interface RunningImport {
  readonly id: string;
  progress(done: number, total: number | null): void;
  /** A line the import printed that was not progress. */
  line(text: string): void;
  finish(outcome: { report: ImportReport } | { error: string }): Promise<void>;
}

/**
 * Admin import jobs in the database (issue 19), so that the status page works on any
 * instance behind a load balancer and one import runs at a time across all of them (a
 * unique index on running rows). The instance running an import writes its progress and a
 * heartbeat every few seconds; a running job silent for longer than `staleAfterMs` (its
 * process stopped) is marked failed by whichever instance sees it.
 */
export class ImportJobs {
  #db: Db;
  #liveWrites: boolean;
  #staleAfterMs: number;
  #heartbeatMs: number;
  #onError: (error: unknown) => void;
  #now: () => Date;
  /** Jobs running in this process, with their latest progress. */
  #local = new Map<string, LocalJob>();
  /** Stale-looking jobs whose row could not be written (SQLite: the import holds the file), until when. */
  #lockedUntil = new Map<string, number>();

  constructor(deps: ImportJobsDeps) {
    this.#db = deps.db;
    this.#liveWrites = deps.liveWrites;
    this.#staleAfterMs = deps.staleAfterMs ?? 60_000;
    this.#heartbeatMs = deps.heartbeatMs ?? 2_000;
    this.#onError = deps.onError ?? (() => {});
    this.#now = deps.now ?? (() => new Date());
  }

  /** Throws HEARTH_ERR_IMPORT_RUNNING when an import runs, here or on another instance. */
  async refuseWhileRunning(): Promise<void> {
    if ((await this.#running()) !== undefined) throw new HearthError('HEARTH_ERR_IMPORT_RUNNING');
  }

  /**
   * Claims the one running slot for a new job. Another import running anywhere (and alive)
   * makes it HEARTH_ERR_IMPORT_RUNNING; the database decides between two instances asking at once.
   */
  async begin(job: {
    id: string;
    platform: ImportPlatform;
    dryRun: boolean;
    startedBy: number | null;
  }): Promise<RunningImport> {
    await this.refuseWhileRunning();
    const at = this.#now().toISOString();
    try {
      await this.#db
        .insertInto('import_jobs')
        .values({
          id: job.id,
          platform: job.platform,
          dry_run: job.dryRun ? 1 : 0,
          state: 'running',
          started_by: job.startedBy,
          started_at: at,
          heartbeat_at: at,
          report: null,
          total: null,
        })
        .execute();
    } catch (error) {
      // Another instance claimed the slot between the check and the insert (the unique index).
      if ((await this.#running()) !== undefined) throw new HearthError('HEARTH_ERR_IMPORT_RUNNING');
      throw error;
    }
    const local = new LocalJob(job.id, this);
    this.#local.set(job.id, local);
    if (this.#liveWrites) local.beat(this.#heartbeatMs);
    return local;
  }

  /** A job by id, as it stands (a stale running job is marked failed on the way). */
  async get(id: string): Promise<ImportJob | undefined> {
    const row = await this.#db.selectFrom('import_jobs').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    return this.#view(await this.#settle(row));
  }

  /** The newest jobs first. */
  async list(limit = 20): Promise<ImportJob[]> {
    const rows = await this.#db
      .selectFrom('import_jobs')
      .selectAll()
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return Promise.all(rows.map(async (row) => this.#view(await this.#settle(row))));
  }

  /** The running job, if one is alive; a stale one is marked failed first. */
  async #running(): Promise<Row | undefined> {
    const row = await this.#db.selectFrom('import_jobs').selectAll().where('state', '=', 'running').executeTakeFirst();
    if (!row) return undefined;
    const settled = await this.#settle(row);
    return settled.state === 'running' ? settled : undefined;
  }

  /** A running row whose process gave no sign of life for too long becomes failed. */
  async #settle(row: Row): Promise<Row> {
    if (row.state !== 'running' || this.#local.has(row.id)) return row;
    const now = this.#now().getTime();
    if (now - Date.parse(row.heartbeat_at) < this.#staleAfterMs) return row;
    if ((this.#lockedUntil.get(row.id) ?? 0) > now) return row;
    const error =
      'The import stopped: the Hearth process running it gave no sign of life for a minute (it was stopped or restarted). Start it again.';
    const finishedAt = new Date(now).toISOString();
    try {
      const result = await this.#db
        .updateTable('import_jobs')
        .set({ state: 'failed', error, finished_at: finishedAt })
        .where('id', '=', row.id)
        .where('state', '=', 'running')
        .where('heartbeat_at', '=', row.heartbeat_at)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) {
        // Its instance wrote meanwhile (or another marked it): read it again.
        return (
          (await this.#db.selectFrom('import_jobs').selectAll().where('id', '=', row.id).executeTakeFirst()) ?? row
        );
      }
      return { ...row, state: 'failed', error, finished_at: finishedAt };
    } catch (failure) {
      // SQLite: another process holds the write lock, which an import running there does.
      if (isHearthError(failure) && failure.code === 'HEARTH_ERR_DB_LOCKED') {
        this.#lockedUntil.set(row.id, now + this.#staleAfterMs);
        return row;
      }
      throw failure;
    }
  }

  #view(row: Row): ImportJob {
    const local = row.state === 'running' ? this.#local.get(row.id) : undefined;
    return {
      id: row.id,
      platform: row.platform,
      dryRun: row.dry_run === 1,
      state: row.state,
      done: local ? local.done : row.done,
      total: local ? local.total : row.total,
      message: local ? [...local.lines] : row.message ? row.message.split('\n') : [],
      error: row.error,
      report: row.report ? (JSON.parse(row.report) as ImportReport) : undefined,
      startedBy: row.started_by,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
    };
  }

  /** Writes a running job's progress and heartbeat (LocalJob's timer). */
  async _beat(job: LocalJob): Promise<void> {
    await this.#db
      .updateTable('import_jobs')
      .set({
        done: job.done,
        total: job.total,
        message: job.lines.join('\n'),
        heartbeat_at: this.#now().toISOString(),
      })
      .where('id', '=', job.id)
      .where('state', '=', 'running')
      .execute()
      .catch((error: unknown) => this.#onError(error));
  }

  /** Writes how a job ended (whatever another instance thought meanwhile: this one ran it). */
  async _finish(job: LocalJob, outcome: { report: ImportReport } | { error: string }): Promise<void> {
    job.stop();
    try {
      const at = this.#now().toISOString();
      const done = 'report' in outcome && job.total !== null ? job.total : job.done;
      await this.#db
        .updateTable('import_jobs')
        .set({
          state: 'report' in outcome ? 'done' : 'failed',
          done,
          total: job.total,
          message: job.lines.join('\n'),
          error: 'error' in outcome ? outcome.error : '',
          report: 'report' in outcome ? JSON.stringify(outcome.report) : null,
          heartbeat_at: at,
          finished_at: at,
        })
        .where('id', '=', job.id)
        .execute();
    } finally {
      this.#local.delete(job.id);
    }
  }
}

/** A job running in this process. */
class LocalJob implements RunningImport {
  done = 0;
  total: number | null = null;
  lines: string[] = [];
  #jobs: ImportJobs;
  #timer: NodeJS.Timeout | undefined;
  #finished = false;

  constructor(
    readonly id: string,
    jobs: ImportJobs,
  ) {
    this.#jobs = jobs;
  }

  beat(everyMs: number): void {
    this.#timer = setInterval(() => void this.#jobs._beat(this), everyMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  progress(done: number, total: number | null): void {
    this.done = done;
    this.total = total;
  }

  line(text: string): void {
    this.lines = [...this.lines, text].slice(-MESSAGE_LINES);
  }

  async finish(outcome: { report: ImportReport } | { error: string }): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    await this.#jobs._finish(this, outcome);
  }
}
