import readline from 'node:readline';
import { sql } from 'kysely';
import { HearthError } from '../../../errors.js';
import { openZip, type SafeZip, type ZipLimits } from '../../../shared/zip.js';
import {
  countRows,
  type Database,
  type Db,
  latestMigration,
  type MediaStore,
  SITE_TABLES,
  type SiteTable,
} from '../../../storage/index.js';
import { parseVariants } from './export.js';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  ARCHIVED_TABLES,
  type ArchiveManifest,
  type ArchiveProgress,
  MANIFEST_ENTRY,
  manifestSchema,
  mediaEntry,
  tableEntry,
} from './format.js';

const BATCH = 200;

/** Limits for an archive of a whole site: many photos, large tables, nothing absurd. */
export const ARCHIVE_LIMITS: Partial<ZipLimits> = {
  maxEntries: 500_000,
  maxEntryBytes: 2 * 1024 * 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024 * 1024,
};

export interface RestoreOptions {
  /** Empty a blog that holds data first (in the same transaction). */
  force?: boolean;
  onProgress?: (progress: ArchiveProgress) => void;
  limits?: Partial<ZipLimits>;
}

export interface RestoreResult {
  manifest: ArchiveManifest;
  /** Rows restored per table. */
  counts: Record<string, number>;
  /** Media files written. */
  files: number;
}

const invalid = (entry: string, reason: string, cause?: unknown) =>
  new HearthError('HEARTH_ERR_ARCHIVE_INVALID', { entry, reason }, cause === undefined ? undefined : { cause });

interface Column {
  name: string;
  numeric: boolean;
  required: boolean;
  nullable: boolean;
}

/**
 * Restores a `hearth export` archive into an empty blog (or, with `force`, one it empties
 * first), all or nothing: every row goes in in one transaction, each checked against the
 * table's columns before it is written (an error names the entry and line); the photos are
 * written to the media store before the commit and removed again if it fails. The
 * full-text index is not part of the archive: rebuild it afterwards.
 */
export async function restoreArchive(
  deps: { database: Database; store: MediaStore },
  file: string,
  options: RestoreOptions = {},
): Promise<RestoreResult> {
  const { database, store } = deps;
  const zip = await openZip(file, { ...ARCHIVE_LIMITS, ...options.limits });
  try {
    const manifest = await readManifest(zip);
    const schema = await latestMigration(database.db);
    if (manifest.migration > schema)
      throw invalid(
        MANIFEST_ENTRY,
        `the archive was written by a newer Hearth (schema ${manifest.migration}; this one has ${schema}). Upgrade Hearth first`,
      );
    for (const entry of zip.entries) {
      const match = /^tables\/(.+)\.jsonl$/.exec(entry.name);
      if (match && !ARCHIVED_TABLES.some((t) => t.name === match[1]))
        throw invalid(entry.name, 'is not a table a Hearth archive holds');
    }
    const existing = await countRows(database.db);
    const occupied = Object.entries(existing).filter(([, n]) => n > 0);
    if (occupied.length > 0 && !options.force)
      throw new HearthError('HEARTH_ERR_ARCHIVE_NOT_EMPTY', {
        contents: occupied.map(([t, n]) => `${n} ${t}`).join(', '),
      });
    const columns = await describeColumns(database.db);
    const written: string[] = [];
    const counts: Record<string, number> = {};
    let files = 0;
    try {
      await database.db.transaction().execute(async (tx) => {
        if (options.force) {
          await tx.deleteFrom('sessions').execute();
          for (const table of [...SITE_TABLES].reverse()) await tx.deleteFrom(table.name).execute();
        }
        for (const table of ARCHIVED_TABLES) {
          const expected = manifest.counts[table.name] ?? 0;
          const restored = await restoreTable(tx, zip, table, columns.get(table.name) ?? [], expected, options);
          if (restored !== expected)
            throw invalid(
              tableEntry(table.name),
              `holds ${restored} rows where the manifest counts ${expected}; the archive is incomplete`,
            );
          counts[table.name] = restored;
        }
        files = await restoreMedia(tx, zip, store, written, options);
        await database.resetIdSequences(
          tx,
          ARCHIVED_TABLES.filter((t) => t.key[0] === 'id').map((t) => t.name),
        );
      });
    } catch (error) {
      for (const path of written) await store.remove(path).catch(() => {});
      throw error;
    }
    return { manifest, counts, files };
  } finally {
    zip.close();
  }
}

async function readManifest(zip: SafeZip): Promise<ArchiveManifest> {
  if (!zip.has(MANIFEST_ENTRY))
    throw invalid(MANIFEST_ENTRY, 'is missing: this is not an archive made by hearth export');
  const entry = zip.entries.find((e) => e.name === MANIFEST_ENTRY);
  if (entry && entry.size > 1024 * 1024) throw invalid(MANIFEST_ENTRY, 'is larger than a manifest can be');
  let data: unknown;
  try {
    data = JSON.parse((await zip.readBuffer(MANIFEST_ENTRY)).toString('utf8'));
  } catch (error) {
    if (error instanceof HearthError) throw error;
    throw invalid(MANIFEST_ENTRY, `is not JSON (${(error as Error).message})`);
  }
  const head = (data ?? {}) as { format?: unknown; version?: unknown };
  if (head.format !== ARCHIVE_FORMAT)
    throw invalid(MANIFEST_ENTRY, `its format is ${JSON.stringify(head.format)}, not "${ARCHIVE_FORMAT}"`);
  if (head.version !== ARCHIVE_VERSION)
    throw invalid(
      MANIFEST_ENTRY,
      `its version is ${JSON.stringify(head.version)}; this Hearth reads version ${ARCHIVE_VERSION} only`,
    );
  const parsed = manifestSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(MANIFEST_ENTRY, `${issue?.path.join('.') || 'the manifest'}: ${issue?.message ?? 'is not valid'}`);
  }
  return parsed.data;
}

/** The columns of every table, from the database itself (so both dialects and every schema agree). */
async function describeColumns(db: Db): Promise<Map<string, Column[]>> {
  const tables = await db.introspection.getTables();
  const out = new Map<string, Column[]>();
  for (const table of tables) {
    out.set(
      table.name,
      table.columns.map((c) => ({
        name: c.name,
        numeric: /int|real|float|double|numeric|decimal/i.test(c.dataType),
        required: !c.isNullable && !c.hasDefaultValue && !c.isAutoIncrementing,
        nullable: c.isNullable,
      })),
    );
  }
  return out;
}

/** Why a row does not fit the table, or undefined. */
function checkRow(row: unknown, columns: Column[]): string | undefined {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return 'is not a JSON object';
  const values = row as Record<string, unknown>;
  for (const key of Object.keys(values))
    if (!columns.some((c) => c.name === key)) return `has a column "${key}" the table does not have`;
  for (const column of columns) {
    const value = values[column.name];
    if (value === undefined) {
      if (column.required) return `lacks the column "${column.name}"`;
      continue;
    }
    if (value === null) {
      if (!column.nullable) return `has no value (null) in the column "${column.name}", which needs one`;
      continue;
    }
    if (column.numeric && (typeof value !== 'number' || !Number.isFinite(value)))
      return `has ${JSON.stringify(value)} in the column "${column.name}", which holds numbers`;
    if (!column.numeric && typeof value !== 'string')
      return `has ${JSON.stringify(value)} in the column "${column.name}", which holds text`;
  }
  return undefined;
}

async function restoreTable(
  tx: Db,
  zip: SafeZip,
  table: SiteTable,
  columns: Column[],
  expected: number,
  options: RestoreOptions,
): Promise<number> {
  const name = tableEntry(table.name);
  let restored = 0;
  options.onProgress?.({ stage: table.name, done: 0, total: expected });
  if (!zip.has(name)) {
    if (expected > 0) throw invalid(name, 'is missing');
    return 0;
  }
  const links: { id: unknown; parent: unknown }[] = [];
  let batch: Record<string, unknown>[] = [];
  let firstLine = 1;
  const flush = async (lastLine: number) => {
    if (batch.length === 0) return;
    try {
      await tx
        .insertInto(table.name)
        .values(batch as never)
        .execute();
    } catch (error) {
      const lines = firstLine === lastLine ? `line ${firstLine}` : `lines ${firstLine}-${lastLine}`;
      throw invalid(`${name} ${lines}`, `cannot be stored (${(error as Error).message})`, error);
    }
    restored += batch.length;
    batch = [];
    options.onProgress?.({ stage: table.name, done: restored, total: expected });
  };
  const lines = readline.createInterface({ input: await zip.openStream(name), crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (error) {
      throw invalid(`${name} line ${lineNumber}`, `is not JSON (${(error as Error).message})`);
    }
    const problem = checkRow(row, columns);
    if (problem) throw invalid(`${name} line ${lineNumber}`, `the row ${problem}`);
    let values = row as Record<string, unknown>;
    if (table.selfReference && values[table.selfReference] !== null && values[table.selfReference] !== undefined) {
      links.push({ id: values.id, parent: values[table.selfReference] });
      values = { ...values, [table.selfReference]: null };
    }
    if (batch.length === 0) firstLine = lineNumber;
    batch.push(values);
    if (batch.length >= BATCH) await flush(lineNumber);
  }
  await flush(lineNumber);
  for (const link of links) {
    await tx
      .updateTable(table.name)
      .set({ [table.selfReference as string]: link.parent } as never)
      .where(sql.ref('id'), '=', link.id)
      .execute()
      .catch((error: unknown) => {
        throw invalid(
          name,
          `row ${String(link.id)} cannot point at ${String(link.parent)} (${(error as Error).message})`,
        );
      });
  }
  return restored;
}

/** Writes every file the restored media rows name; each must be in the archive. */
async function restoreMedia(
  tx: Db,
  zip: SafeZip,
  store: MediaStore,
  written: string[],
  options: RestoreOptions,
): Promise<number> {
  const rows = await tx.selectFrom('media').select(['id', 'path', 'variants']).orderBy('id').execute();
  const files = new Map<string, number>();
  for (const row of rows) for (const file of [row.path, ...parseVariants(row.variants)]) files.set(file, row.id);
  let done = 0;
  options.onProgress?.({ stage: 'media files', done, total: files.size });
  for (const [file, id] of files) {
    const entry = mediaEntry(file);
    if (!zip.has(entry)) throw invalid(entry, `is missing (photo ${id} needs it)`);
    const bytes = await zip.readBuffer(entry);
    // Only a forced restore can meet a file that is there already: that one is not removed on failure.
    const existed = options.force === true && (await store.read(file)) !== undefined;
    await store.put(file, bytes);
    if (!existed) written.push(file);
    done += 1;
    options.onProgress?.({ stage: 'media files', done, total: files.size });
  }
  return done;
}
