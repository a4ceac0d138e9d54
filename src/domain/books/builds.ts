import { createHash } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type Selectable, sql } from 'kysely';
import { HearthError } from '../../errors.js';
import type { BookBuildsTable, Db, MediaStore } from '../../storage/index.js';
import type { ContentChange } from '../changes.js';
import type { BookRef, BookService } from './book-service.js';
import type { BookActor, ResolvedBook } from './types.js';

export type BookFormat = 'epub' | 'pdf';
export const BOOK_FORMATS: readonly BookFormat[] = ['epub', 'pdf'];

/** What a build is asked for, beside the book and the format. */
export interface BookBuildOptions {
  /** Build without chapters whose posts are deleted or unpublished (else the build stops). */
  leaveOutMissing?: boolean;
  /** The PDF's page size (the book's own when not given). */
  pageSize?: string;
}

/** How a build is asked for, beside what goes into the file. */
export interface StartOptions extends BookBuildOptions {
  /** Build even when an unchanged book's file is there (a new stylesheet, a suspect file). */
  rebuild?: boolean;
}

/** What a format's builder is given and returns (build.ts, pdf/). */
export type BookBuilder = (
  bookId: number,
  file: string,
  options: BookBuildOptions & { onProgress?: (done: number, total: number, title: string) => void },
) => Promise<{ bytes: number; chapters: number; images: number; pages?: number; leftOut: string[] }>;

export interface BookBuildsDeps {
  db: Db;
  books: BookService;
  /** Where finished files are kept (`<data>/books`). */
  dir: string;
  /**
   * A store every instance reads (media in an S3 bucket): each finished file is copied
   * there (below `private/books/`, never served at /media/), and an instance without a
   * file fetches it from there into `dir` before offering it. Without one, `dir` alone.
   */
  shared?: MediaStore | undefined;
  builders: Partial<Record<BookFormat, BookBuilder>>;
  /** Anything else a file depends on (the blog's address, which links point to). */
  context?: string;
  /** Told when a book has a new file (its public page shows the download). */
  onBuilt?: (bookId: number) => void;
  /** Whether a format can be built here now (the PDF needs Chromium); every builder when not given. */
  available?: Partial<Record<BookFormat, () => boolean>>;
  /** Told of what went wrong outside any request (the queue, the clean-up). */
  onError?: (error: unknown) => void;
  /** A running build whose process gave no sign of life for this long is run again (default 60 s). */
  staleAfterMs?: number;
  now?: () => Date;
}

/** A build as pages and the CLI show it. */
export interface BookBuild {
  id: number;
  bookId: number;
  format: BookFormat;
  state: 'queued' | 'running' | 'done' | 'failed';
  done: number;
  total: number;
  step: string;
  error: string;
  bytes: number | null;
  chapters: number;
  images: number;
  /** A PDF's pages and page size; null for an EPUB. */
  pages: number | null;
  pageSize: string | null;
  leftOut: string[];
  /** The file was an earlier build's, nothing having changed since. */
  fromCache: boolean;
  createdAt: string;
  finishedAt: string | null;
}

/** A finished file to send. */
export interface BookFile {
  path: string;
  /** The fingerprint of what it was made from: it changes when the file does. */
  fingerprint: string;
  bytes: number;
  format: BookFormat;
  builtAt: string;
}

/**
 * Bump when a builder's output changes for the same input (a new stylesheet, a fixed bug), so
 * that files made by the older code are built again rather than served from the cache.
 */
export const BOOK_BUILDER_VERSION = 1;

type Row = Selectable<BookBuildsTable>;

/**
 * Builds of books as jobs (issue 17): each is a row with its state and progress, so any page
 * can follow it, and runs in this process one at a time. A finished file is named by the
 * fingerprint of everything it is made from, so a book nothing in which changed is not built
 * again: its last file is used. A job found queued or running when the process starts
 * (it was stopped) runs again from the start; a file is written whole or not at all.
 */
export class BookBuilds {
  #db: Db;
  #books: BookService;
  #dir: string;
  #shared: MediaStore | undefined;
  /** Files being fetched from the shared store, so that one request fetches each. */
  #fetching = new Map<string, Promise<boolean>>();
  #builders: BookBuildsDeps['builders'];
  #context: string;
  #onBuilt: (bookId: number) => void;
  #available: BookBuildsDeps['available'];
  #onError: (error: unknown) => void;
  #staleAfterMs: number;
  #now: () => Date;
  #running: Promise<void> | undefined;
  #closed = false;
  /** Set by `resume` (the server): the queue is run here, stale builds are taken up again. */
  #serving = false;
  #timer: NodeJS.Timeout | undefined;
  #refreshTimer: NodeJS.Timeout | undefined;
  /** Progress of builds running in this process, told as it happens (the CLI's bar). */
  #listeners = new Map<number, (done: number, total: number, step: string) => void>();
  /** Why builds run in this process failed, for `run` to throw as it was (the CLI names it). */
  #failures = new Map<number, unknown>();

  constructor(deps: BookBuildsDeps) {
    this.#db = deps.db;
    this.#books = deps.books;
    this.#dir = deps.dir;
    this.#shared = deps.shared;
    this.#builders = deps.builders;
    this.#context = deps.context ?? '';
    this.#onBuilt = deps.onBuilt ?? (() => {});
    this.#available = deps.available;
    this.#onError = deps.onError ?? (() => {});
    this.#staleAfterMs = deps.staleAfterMs ?? 60_000;
    this.#now = deps.now ?? (() => new Date());
  }

  /** The formats this process can build now (the PDF needs Chromium). */
  get formats(): BookFormat[] {
    return BOOK_FORMATS.filter((f) => this.#builders[f] !== undefined && (this.#available?.[f]?.() ?? true));
  }

  /**
   * Asks for a build. When nothing in the book changed since a finished build of the same
   * format and options, the answer is that build's file at once (a new row, `fromCache`);
   * when the same build is already waiting or running, that job; else a new job, queued.
   */
  async start(actor: BookActor | null, ref: BookRef, format: string, options: StartOptions = {}): Promise<BookBuild> {
    return this.#start(actor, ref, format, options, true);
  }

  async #start(
    actor: BookActor | null,
    ref: BookRef,
    format: string,
    options: StartOptions,
    pump: boolean,
  ): Promise<BookBuild> {
    const book = actor ? await this.#books.authorize(actor, ref) : await this.#books.get(ref);
    if (!book) throw new HearthError('HEARTH_ERR_BOOK_MISSING', { book: String(ref) });
    const fmt = this.#format(format);
    const opts = normalise(fmt, options, pageSizeOf(book));
    const resolved = await this.#books.resolve(book.id);
    // Refused here, before any job: the build would stop at once.
    if (resolved.missing.length > 0 && !opts.leaveOutMissing) {
      throw new HearthError('HEARTH_ERR_BOOK_CHAPTERS_MISSING', {
        book: book.slug,
        chapters: resolved.missing.map((m) => `"${m.title}" (${m.reason})`).join(', '),
      });
    }
    if (resolved.chapters.length === 0) throw new HearthError('HEARTH_ERR_BOOK_EMPTY', { book: book.slug });
    if (book.authors.length === 0) throw new HearthError('HEARTH_ERR_BOOK_NO_AUTHOR', { book: book.slug });
    const fingerprint = await this.#fingerprintOf(resolved, fmt, opts);
    const variant = createHash('sha256')
      .update(JSON.stringify([this.#context, fmt, opts]))
      .digest('hex')
      .slice(0, 16);
    const now = this.#now().toISOString();
    const started_by = actor?.id ?? null;

    const done = await this.#db
      .selectFrom('book_builds')
      .selectAll()
      .where('book_id', '=', book.id)
      .where('format', '=', fmt)
      .where('fingerprint', '=', fingerprint)
      .where('state', '=', 'done')
      .orderBy('finished_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (!options.rebuild && done?.file && (await this.#have(done.file))) {
      const row = await this.#db
        .insertInto('book_builds')
        .values({
          book_id: book.id,
          format: fmt,
          options: JSON.stringify(opts),
          fingerprint,
          variant,
          state: 'done',
          done: done.total,
          total: done.total,
          file: done.file,
          bytes: done.bytes,
          chapters: done.chapters,
          images: done.images,
          pages: done.pages,
          left_out: done.left_out,
          from_cache: 1,
          started_by,
          created_at: now,
          finished_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toBuild(row);
    }
    await this.#requeueStale();
    const pending = await this.#db
      .selectFrom('book_builds')
      .selectAll()
      .where('book_id', '=', book.id)
      .where('format', '=', fmt)
      .where('fingerprint', '=', fingerprint)
      .where('state', 'in', ['queued', 'running'])
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (pending) {
      // Perhaps just put back in the queue (its process stopped): the queue runs it.
      if (pump && pending.state === 'queued') this.#pump();
      return toBuild(pending);
    }
    // Two asks at once: the unique index on waiting and running jobs lets one row in.
    const row = await this.#db
      .insertInto('book_builds')
      .values({
        book_id: book.id,
        format: fmt,
        options: JSON.stringify(opts),
        fingerprint,
        variant,
        started_by,
        created_at: now,
      })
      .onConflict((oc) =>
        oc
          .columns(['book_id', 'format', 'fingerprint'])
          // The same literals as the index's predicate: SQLite matches the target to it by its text.
          .where(sql.ref('state'), 'in', [sql.lit('queued'), sql.lit('running')])
          .doNothing(),
      )
      .returningAll()
      .executeTakeFirst();
    if (pump) this.#pump();
    if (row) return toBuild(row);
    const other = await this.#db
      .selectFrom('book_builds')
      .selectAll()
      .where('book_id', '=', book.id)
      .where('format', '=', fmt)
      .where('fingerprint', '=', fingerprint)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    return toBuild(other);
  }

  /** Runs a build here and now and waits for it (the CLI): `onProgress` follows it. */
  async run(
    actor: BookActor | null,
    ref: BookRef,
    format: string,
    options: StartOptions & { onProgress?: (done: number, total: number, step: string) => void } = {},
  ): Promise<BookBuild & { file: string | null }> {
    const { onProgress, ...rest } = options;
    let build = await this.#start(actor, ref, format, rest, false);
    if (onProgress) this.#listeners.set(build.id, onProgress);
    try {
      // This build only, here, unless another process runs it: then its row is followed to the end.
      while (build.state === 'queued' || build.state === 'running') {
        const mine = build.state === 'queued' ? await this.#claim(build.id) : undefined;
        if (mine) await this.#build(mine);
        else {
          await new Promise((r) => setTimeout(r, 200));
          await this.#requeueStale();
        }
        build = (await this.get(build.id)) as BookBuild;
        if (!mine && build.state === 'running') onProgress?.(build.done, build.total, build.step);
      }
    } finally {
      this.#listeners.delete(build.id);
    }
    const failure = this.#failures.get(build.id);
    this.#failures.delete(build.id);
    if (build.state === 'failed' && failure !== undefined) throw failure;
    if (build.state === 'done') onProgress?.(build.total, build.total, '');
    const row = await this.#row(build.id);
    return { ...build, file: row?.file ? this.#path(row.file) : null };
  }

  /** A build by its id. */
  async get(id: number): Promise<BookBuild | undefined> {
    const row = await this.#row(id);
    return row ? toBuild(row) : undefined;
  }

  /** A book's builds, newest first. */
  async list(bookId: number, limit = 10): Promise<BookBuild[]> {
    const rows = await this.#db
      .selectFrom('book_builds')
      .selectAll()
      .where('book_id', '=', bookId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toBuild);
  }

  /** The newest finished file of each format of a book (what its public page offers). */
  async files(bookId: number): Promise<BookFile[]> {
    const files: BookFile[] = [];
    for (const format of BOOK_FORMATS) {
      const row = await this.#latestDone(bookId, format);
      if (!row?.file) continue;
      const file = this.#path(row.file);
      if (!(await this.#have(row.file))) continue;
      files.push({
        path: file,
        fingerprint: row.fingerprint,
        bytes: row.bytes ?? 0,
        format,
        builtAt: row.finished_at ?? row.created_at,
      });
    }
    return files;
  }

  /**
   * What a book's public page offers: for each format, the file of the book as it is now, in
   * its standard form (the book's own page size, no chapter left out), if one was built. A
   * file made before a chapter changed or was unpublished, or a one-off (another page size),
   * is not offered; the server builds the standard form again as the book changes.
   */
  async offered(bookId: number): Promise<BookFile[]> {
    const book = await this.#books.get(bookId);
    if (!book) return [];
    const resolved = await this.#books.resolve(bookId);
    const files: BookFile[] = [];
    for (const format of BOOK_FORMATS) {
      const fingerprint = await this.#fingerprintOf(resolved, format, normalise(format, {}, pageSizeOf(book)));
      const row = await this.#db
        .selectFrom('book_builds')
        .selectAll()
        .where('book_id', '=', bookId)
        .where('format', '=', format)
        .where('fingerprint', '=', fingerprint)
        .where('state', '=', 'done')
        .where('file', 'is not', null)
        .orderBy('finished_at', 'desc')
        .orderBy('id', 'desc')
        .executeTakeFirst();
      if (!row?.file || !(await this.#have(row.file))) continue;
      files.push({
        path: this.#path(row.file),
        fingerprint,
        bytes: row.bytes ?? 0,
        format,
        builtAt: row.finished_at ?? row.created_at,
      });
    }
    return files;
  }

  /** Whether the newest finished file of a format still matches the book as it is now. */
  async upToDate(bookId: number, format: BookFormat, options: BookBuildOptions = {}): Promise<boolean> {
    const row = await this.#latestDone(bookId, format);
    if (!row) return false;
    const book = await this.#books.get(bookId);
    if (!book) return false;
    const stored = JSON.parse(row.options) as BookBuildOptions;
    const opts = normalise(format, { ...stored, ...options }, pageSizeOf(book));
    return row.fingerprint === (await this.fingerprint(bookId, format, opts));
  }

  /**
   * Everything a file is made from, hashed: the builder's version and the blog's address, the
   * format and its options, the book's fields and authors, and its parts and chapters with
   * their HTML as `resolve` gives them (photos are named in the HTML by addresses that change
   * when the photo does), the chapters left out, and the cover photo.
   */
  async fingerprint(bookId: number, format: BookFormat, options: BookBuildOptions): Promise<string> {
    return this.#fingerprintOf(await this.#books.resolve(bookId), format, options);
  }

  async #fingerprintOf(resolved: ResolvedBook, format: BookFormat, options: BookBuildOptions): Promise<string> {
    const { book } = resolved;
    let cover: unknown = null;
    if (book.coverMediaId !== null) {
      cover = await this.#db
        .selectFrom('media')
        .select(['id', 'path', 'alt'])
        .where('id', '=', book.coverMediaId)
        .executeTakeFirst();
    }
    // What is not in the file is not in its fingerprint: dates, who made it, whether and how
    // the blog offers it (the page size is in the options, for a PDF only).
    const {
      createdAt: _c,
      updatedAt: _u,
      createdBy: _b,
      public: _p,
      offerDownloads: _o,
      slug: _s,
      pageSize: _z,
      ...fields
    } = book as typeof book & { pageSize?: string };
    const hash = createHash('sha256');
    hash.update(
      JSON.stringify({
        v: BOOK_BUILDER_VERSION,
        context: this.#context,
        format,
        // "Leave out" changes nothing when no chapter is missing.
        options: { ...options, leaveOutMissing: options.leaveOutMissing === true && resolved.missing.length > 0 },
        book: fields,
        cover,
        parts: resolved.parts,
        chapters: resolved.chapters,
        missing: resolved.missing,
      }),
    );
    return hash.digest('hex');
  }

  /**
   * The server's part: runs what was queued, and what a stopped process left running (no sign
   * of life for a minute), checks for such builds every half minute, removes files no build
   * names, and keeps built books in step with their posts (`changed`).
   */
  async resume(): Promise<void> {
    this.#serving = true;
    await this.#requeueStale();
    await this.#prune().catch((error) => this.#onError(error));
    this.#pump();
    this.#timer = setInterval(() => {
      this.#requeueStale()
        .then(() => this.#pump())
        .catch((error) => this.#onError(error));
    }, 30_000);
    this.#timer.unref();
  }

  /**
   * Something a reader could see changed: a little later, every book built before is built
   * again in each format it was built in, in its standard form (what its public page offers),
   * unless that file is already there. Books that cannot be built (a chapter unpublished) are
   * left as they are; their public page then offers nothing.
   */
  changed(change: ContentChange): void {
    // Comments and settings are not in a book; posts and books are.
    if (!this.#serving || this.#closed || (change.kind !== 'post' && change.kind !== 'book')) return;
    if (this.#refreshTimer) clearTimeout(this.#refreshTimer);
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = undefined;
      this.#refresh().catch((error) => this.#onError(error));
    }, 5_000);
    this.#refreshTimer.unref();
  }

  async #refresh(): Promise<void> {
    const built = await this.#db
      .selectFrom('book_builds')
      .select(['book_id', 'format'])
      .where('state', '=', 'done')
      .where('file', 'is not', null)
      .groupBy(['book_id', 'format'])
      .execute();
    for (const { book_id, format } of built) {
      if (this.#closed) return;
      if (!this.formats.includes(format)) continue;
      try {
        // The standard form (what the public page offers): nothing is built when it is there.
        await this.start(null, book_id, format, {});
      } catch (error) {
        // A book that cannot be built now waits for its writer; anything else is told.
        if (!(error instanceof HearthError) || error.status >= 500) this.#onError(error);
      }
    }
  }

  /** Resolves when no build is waiting or running (what a script or a test waits for). */
  async idle(timeoutMs = 120_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const busy = await this.#db
        .selectFrom('book_builds')
        .select('id')
        .where('state', 'in', ['queued', 'running'])
        .executeTakeFirst();
      if (!busy) return;
      if (Date.now() > until) throw new Error('book builds are still running');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stops taking builds; waits for the one running here at most `waitMs` (it goes on, and is run again if cut short). */
  async close(waitMs = 10_000): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#refreshTimer) clearTimeout(this.#refreshTimer);
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#running,
      new Promise<void>((resolve) => {
        timeout = setTimeout(resolve, waitMs);
      }),
    ]);
    clearTimeout(timeout);
  }

  #format(format: string): BookFormat {
    if (!(BOOK_FORMATS as readonly string[]).includes(format))
      throw new HearthError('HEARTH_ERR_BOOK_FORMAT', { format, formats: BOOK_FORMATS.join(', ') });
    const f = format as BookFormat;
    if (!this.#builders[f]) throw new HearthError('HEARTH_ERR_BOOK_FORMAT_UNAVAILABLE', { format: f });
    return f;
  }

  #path(file: string): string {
    return path.join(this.#dir, file);
  }

  /**
   * Whether a finished file is on this instance's disk, fetched from the shared store
   * first when it was built elsewhere.
   */
  async #have(file: string): Promise<boolean> {
    if (await exists(this.#path(file))) return true;
    const shared = this.#shared;
    if (!shared) return false;
    let fetching = this.#fetching.get(file);
    if (!fetching) {
      fetching = (async () => {
        const object = await shared.open(sharedKey(file));
        if (!object) return false;
        await fs.mkdir(this.#dir, { recursive: true });
        const partial = `${this.#path(file)}.${process.pid}.fetch`;
        try {
          await pipeline(object.body, createWriteStream(partial));
          await fs.rename(partial, this.#path(file));
        } catch (error) {
          await fs.rm(partial, { force: true });
          throw error;
        }
        return true;
      })()
        // A store that does not answer: the file is not offered now, and the page still shows.
        .catch((error: unknown) => {
          this.#onError(error);
          return false;
        })
        .finally(() => this.#fetching.delete(file));
      this.#fetching.set(file, fetching);
    }
    return fetching;
  }

  async #row(id: number): Promise<Row | undefined> {
    return this.#db.selectFrom('book_builds').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The newest finished build of a book and format: the one that ended last. */
  async #latestDone(bookId: number, format: BookFormat): Promise<Row | undefined> {
    return this.#db
      .selectFrom('book_builds')
      .selectAll()
      .where('book_id', '=', bookId)
      .where('format', '=', format)
      .where('state', '=', 'done')
      .orderBy('finished_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
  }

  /** Builds left running by a process that stopped (no sign of life for a while) wait to run again. */
  async #requeueStale(): Promise<void> {
    const before = new Date(this.#now().getTime() - this.#staleAfterMs).toISOString();
    await this.#db
      .updateTable('book_builds')
      .set({ state: 'queued' })
      .where('state', '=', 'running')
      .where((eb) => eb.or([eb('heartbeat_at', 'is', null), eb('heartbeat_at', '<', before)]))
      .execute();
  }

  /** Takes a queued build to run here, by a conditional update: a build is run once. */
  async #claim(id: number): Promise<Row | undefined> {
    const claimed = await this.#db
      .updateTable('book_builds')
      .set({ state: 'running', done: 0, error: '', heartbeat_at: this.#now().toISOString() })
      .where('id', '=', id)
      .where('state', '=', 'queued')
      .executeTakeFirst();
    return Number(claimed.numUpdatedRows) === 1 ? this.#row(id) : undefined;
  }

  /** Runs queued builds one after another until none is left (the server). */
  #pump(): void {
    if (this.#running || this.#closed || !this.#serving) return;
    this.#running = (async () => {
      try {
        for (;;) {
          if (this.#closed) return;
          const next = await this.#db
            .selectFrom('book_builds')
            .select('id')
            .where('state', '=', 'queued')
            .orderBy('id')
            .executeTakeFirst();
          if (!next) return;
          const job = await this.#claim(next.id);
          if (job) await this.#build(job);
        }
      } catch (error) {
        this.#onError(error);
      } finally {
        this.#running = undefined;
      }
    })();
  }

  async #build(job: Row): Promise<void> {
    const builder = this.#builders[job.format];
    let last = 0;
    let pending: Promise<unknown> = Promise.resolve();
    const progress = (done: number, total: number, step: string) => {
      this.#listeners.get(job.id)?.(done, total, step);
      const now = Date.now();
      if (now - last < 200 && done < total) return;
      last = now;
      pending = pending.then(() =>
        this.#db
          .updateTable('book_builds')
          .set({ done, total, step: step.slice(0, 300), heartbeat_at: this.#now().toISOString() })
          .where('id', '=', job.id)
          .execute()
          .catch(() => {}),
      );
    };
    // A sign of life while a long step (the PDF's layout) tells no progress.
    const heartbeat = setInterval(() => {
      pending = pending.then(() =>
        this.#db
          .updateTable('book_builds')
          .set({ heartbeat_at: this.#now().toISOString() })
          .where('id', '=', job.id)
          .execute()
          .catch(() => {}),
      );
    }, 5_000);
    heartbeat.unref();
    let built = false;
    try {
      if (!builder) throw new HearthError('HEARTH_ERR_BOOK_FORMAT_UNAVAILABLE', { format: job.format });
      const options = JSON.parse(job.options) as BookBuildOptions;
      // The book as it is now: it may have changed while the build waited in the queue.
      const fingerprint = await this.fingerprint(job.book_id, job.format, options);
      if (fingerprint !== job.fingerprint) {
        await this.#db.updateTable('book_builds').set({ fingerprint }).where('id', '=', job.id).execute();
      }
      const name = `${fingerprint}.${job.format}`;
      await fs.mkdir(this.#dir, { recursive: true });
      const result = await builder(job.book_id, this.#path(name), { ...options, onProgress: progress });
      // Where every instance can fetch it, before any is told it is done.
      if (this.#shared) await this.#shared.putFile(sharedKey(name), this.#path(name));
      clearInterval(heartbeat);
      await pending;
      await this.#db
        .updateTable('book_builds')
        .set({
          state: 'done',
          file: name,
          bytes: result.bytes,
          chapters: result.chapters,
          images: result.images,
          pages: result.pages ?? null,
          left_out: JSON.stringify(result.leftOut),
          step: '',
          finished_at: this.#now().toISOString(),
        })
        .where('id', '=', job.id)
        .execute();
      built = true;
    } catch (error) {
      clearInterval(heartbeat);
      await pending;
      if (this.#listeners.has(job.id)) this.#failures.set(job.id, error);
      const message = error instanceof Error ? error.message : String(error);
      await this.#db
        .updateTable('book_builds')
        .set({ state: 'failed', error: message.slice(0, 2000), finished_at: this.#now().toISOString() })
        .where('id', '=', job.id)
        .execute()
        .catch(() => {});
    }
    if (!built) return;
    // The file is made: tidying up and telling the pages never turn it into a failure.
    await this.#prune(job.book_id).catch((error) => this.#onError(error));
    try {
      this.#onBuilt(job.book_id);
    } catch (error) {
      this.#onError(error);
    }
  }

  /**
   * Removes the files that are no longer the newest finished file of their book, format and
   * variant (and any other file in the folder no build names); older rows stay, without a file.
   */
  async #prune(bookId?: number): Promise<void> {
    const rows = await this.#db
      .selectFrom('book_builds')
      .select(['id', 'book_id', 'format', 'variant', 'file', 'state'])
      .where('file', 'is not', null)
      .$if(bookId !== undefined, (q) => q.where('book_id', '=', bookId as number))
      .orderBy('finished_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    const keep = new Set<string>();
    const seen = new Set<string>();
    for (const row of rows) {
      const key = `${row.book_id}:${row.format}:${row.variant}`;
      if (row.state === 'done' && !seen.has(key)) {
        seen.add(key);
        if (row.file) keep.add(row.file);
      }
    }
    const stale = rows.filter((r) => r.file && !keep.has(r.file));
    if (stale.length > 0) {
      await this.#db
        .updateTable('book_builds')
        .set({ file: null })
        .where(
          'id',
          'in',
          stale.map((r) => r.id),
        )
        .execute();
    }
    for (const row of stale) {
      if (!row.file) continue;
      await fs.rm(this.#path(row.file), { force: true });
      await this.#shared?.remove(sharedKey(row.file));
    }
    if (bookId !== undefined) return;
    // A whole pass: files of deleted books, and temporary files of builds that were stopped.
    let names: string[];
    try {
      names = await fs.readdir(this.#dir);
    } catch {
      return;
    }
    // Only what is an hour old: a build running in another process (the CLI) keeps its file.
    const before = this.#now().getTime() - 3600_000;
    for (const name of names) {
      if (keep.has(name)) continue;
      const stat = await fs.stat(this.#path(name)).catch(() => undefined);
      if (stat && stat.mtimeMs < before) await fs.rm(this.#path(name), { force: true, recursive: true });
    }
  }
}

/** The options that make a difference to the file, in one spelling (the page size is the PDF's only). */
function normalise(format: BookFormat, options: BookBuildOptions, pageSize: string | undefined): BookBuildOptions {
  const size = format === 'pdf' ? options.pageSize || pageSize : undefined;
  return { leaveOutMissing: options.leaveOutMissing === true, ...(size ? { pageSize: size } : {}) };
}

/** The book's page size for print, once books have one. */
function pageSizeOf(book: object): string | undefined {
  const size = (book as { pageSize?: unknown }).pageSize;
  return typeof size === 'string' ? size : undefined;
}

/** A finished file's name in the shared store: below `private/`, which /media/ never serves. */
function sharedKey(file: string): string {
  return `private/books/${file}`;
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

function toBuild(row: Row): BookBuild {
  return {
    id: row.id,
    bookId: row.book_id,
    format: row.format,
    state: row.state,
    done: row.done,
    total: row.total,
    step: row.step,
    error: row.error,
    bytes: row.bytes,
    chapters: row.chapters,
    images: row.images,
    pages: row.pages,
    pageSize: row.format === 'pdf' ? ((JSON.parse(row.options) as BookBuildOptions).pageSize ?? null) : null,
    leftOut: JSON.parse(row.left_out) as string[],
    fromCache: row.from_cache === 1,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}
