import { Readable, type Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import yazl from 'yazl';
import { countRows, type Database, type Db, latestMigration, type MediaStore } from '../../../storage/index.js';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  ARCHIVED_TABLES,
  type ArchiveManifest,
  type ArchiveProgress,
  MANIFEST_ENTRY,
  mediaEntry,
  SECRET_SETTINGS,
  tableEntry,
  USER_SECRETS,
} from './format.js';

const BATCH = 500;

export interface ExportOptions {
  /** Include password hashes, TOTP secrets and the site secret (default: leave them out). */
  withPasswords?: boolean;
  /**
   * Read every table in one transaction, so the archive is one moment of the site. Right for
   * the CLI (its own connection) and PostgreSQL; on the server's single SQLite connection it
   * would hold every other request for the whole download, so the admin reads without.
   */
  snapshot?: boolean;
  onProgress?: (progress: ArchiveProgress) => void;
  /** Told of a media file a row names that the store does not have (left out of the archive). */
  onMissingFile?: (path: string) => void;
  now?: () => Date;
}

/**
 * Writes the whole site as a zip to `output`, streaming: rows are read a batch at a time and
 * each entry is added only once the one before it was consumed, so memory holds one batch
 * or one photo, whatever the site's size. Resolves with the manifest once `output` finished.
 */
export async function writeArchive(
  deps: { database: Database; store: MediaStore; hearthVersion: string },
  output: Writable,
  options: ExportOptions = {},
): Promise<ArchiveManifest> {
  const exportedAt = (options.now?.() ?? new Date()).toISOString();
  const zip = new yazl.ZipFile();
  const written = pipeline(zip.outputStream, output);
  // Rejects when the output fails (a closed download), so an entry stops waiting to be read.
  const failure = written.then(() => new Promise<never>(() => {}));
  failure.catch(() => {});
  const mtime = new Date(exportedAt);
  const add = async (name: string, source: AsyncIterable<Buffer> | Iterable<Buffer>, compress: boolean) => {
    const stream = Readable.from(source, { objectMode: false });
    // yazl keeps each entry's stream function until the end: hand the stream over once,
    // so 6,000 finished photo streams are not all kept alive.
    let pending: Readable | undefined = stream;
    zip.addReadStreamLazy(name, { mtime, compress }, (callback) => {
      const handed = pending as Readable;
      pending = undefined;
      callback(null, handed);
    });
    await Promise.race([finished(stream), failure]);
  };

  const build = async (db: Db): Promise<ArchiveManifest> => {
    const totals = await countRows(db);
    const counts: Record<string, number> = {};
    for (const table of ARCHIVED_TABLES) {
      const total = totals[table.name] ?? 0;
      let done = 0;
      let kept = 0;
      options.onProgress?.({ stage: table.name, done, total });
      const withPasswords = options.withPasswords ?? false;
      const lines = async function* () {
        for await (const rows of batches(db, table.name, table.key)) {
          const exported =
            table.name === 'settings' ? rows.filter((r) => exportedSetting(String(r.key), withPasswords)) : rows;
          const text = exported.map((row) => `${JSON.stringify(clean(table.name, row, withPasswords))}\n`);
          done += rows.length;
          kept += exported.length;
          yield Buffer.from(text.join(''), 'utf8');
          options.onProgress?.({ stage: table.name, done, total });
        }
      };
      await add(tableEntry(table.name), lines(), true);
      counts[table.name] = kept;
    }
    const files = await mediaFiles(db);
    let media = 0;
    options.onProgress?.({ stage: 'media files', done: 0, total: files.length });
    for (const file of files) {
      const bytes = await deps.store.read(file);
      if (bytes === undefined) {
        options.onMissingFile?.(file);
      } else {
        // Photos are compressed already: stored as they are.
        await add(mediaEntry(file), [bytes], false);
        media += 1;
      }
      options.onProgress?.({ stage: 'media files', done: media, total: files.length });
    }
    return {
      format: ARCHIVE_FORMAT,
      version: ARCHIVE_VERSION,
      exportedAt,
      hearthVersion: deps.hearthVersion,
      migration: await latestMigration(db),
      withPasswords: options.withPasswords ?? false,
      counts,
      files: media,
    };
  };

  try {
    const db = deps.database.db;
    const manifest = options.snapshot
      ? await (deps.database.dialect === 'postgres'
          ? db.transaction().setIsolationLevel('repeatable read')
          : db.transaction()
        ).execute((tx) => build(tx))
      : await build(db);
    // Last, so its counts are what was written.
    zip.addBuffer(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8'), MANIFEST_ENTRY, { mtime });
    zip.end();
    await written;
    return manifest;
  } catch (error) {
    output.destroy(error as Error);
    await written.catch(() => {});
    throw error;
  }
}

/** A table's rows in key order, a batch at a time. */
async function* batches(db: Db, table: string, key: string[]): AsyncGenerator<Record<string, unknown>[]> {
  for (let offset = 0; ; offset += BATCH) {
    let query = db.selectFrom(table as never).selectAll();
    for (const k of key) query = query.orderBy(sql.ref(k));
    const rows = (await query.limit(BATCH).offset(offset).execute()) as Record<string, unknown>[];
    if (rows.length > 0) yield rows;
    if (rows.length < BATCH) return;
  }
}

/** A row as the archive holds it: secrets blanked unless asked for, numbers as numbers. */
function clean(table: string, row: Record<string, unknown>, withPasswords = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'bigint' ? Number(v) : v;
  if (!withPasswords && table === 'users') for (const column of USER_SECRETS) out[column] = null;
  return out;
}

/** Every file the media rows name (originals and variants), each once, in id order. */
async function mediaFiles(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('media').select(['path', 'variants']).orderBy('id').execute();
  const files = new Set<string>();
  for (const row of rows) {
    files.add(row.path);
    for (const variant of parseVariants(row.variants)) files.add(variant);
  }
  return [...files];
}

export function parseVariants(json: string): string[] {
  try {
    const list = JSON.parse(json) as unknown;
    if (!Array.isArray(list)) return [];
    return list.flatMap((v) =>
      typeof (v as { path?: unknown })?.path === 'string' ? [(v as { path: string }).path] : [],
    );
  } catch {
    return [];
  }
}

/** Whether a settings row is exported. */
export function exportedSetting(key: string, withPasswords: boolean): boolean {
  // Owner setup tokens are one row each (`internal.setup_token_sha256.<hash>`).
  return withPasswords || !(SECRET_SETTINGS.has(key) || key.startsWith('internal.setup_token_sha256'));
}
