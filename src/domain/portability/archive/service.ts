import type { Writable } from 'node:stream';
import type { Database, MediaStore } from '../../../storage/index.js';
import { type ExportOptions, writeArchive } from './export.js';
import type { ArchiveManifest } from './format.js';
import { type RestoreOptions, type RestoreResult, restoreArchive } from './restore.js';

export type { ExportOptions } from './export.js';
export { ARCHIVE_FORMAT, ARCHIVE_VERSION, type ArchiveManifest, type ArchiveProgress } from './format.js';
export type { RestoreOptions, RestoreResult } from './restore.js';

/** A whole site as one zip, and back (docs/import.md, "Full export and restore"). */
export class ArchiveService {
  constructor(private readonly deps: { database: Database; store: MediaStore; hearthVersion: string }) {}

  /**
   * Streams the archive to `output`. Without `snapshot` (the server on SQLite) rows are read
   * batch by batch as the download goes; with it, in one transaction.
   */
  write(output: Writable, options: ExportOptions = {}): Promise<ArchiveManifest> {
    const snapshot = options.snapshot ?? this.deps.database.dialect !== 'sqlite';
    return writeArchive(this.deps, output, { ...options, snapshot });
  }

  /** Restores an archive into an empty blog; rebuild the search index afterwards. */
  restore(file: string, options: RestoreOptions = {}): Promise<RestoreResult> {
    return restoreArchive(this.deps, file, options);
  }
}
