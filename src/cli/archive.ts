import fs from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { type Config, databaseOptions } from '../config.js';
import { type ArchiveProgress, ArchiveService } from '../domain/portability/index.js';
import { prepareDataDir } from '../main.js';
import { mediaStoreFor } from '../services.js';
import { hearthVersion } from '../shared/version.js';
import { type Database, openDatabase } from '../storage/index.js';
import { rebuildSearchIndex } from './search.js';
import { UsageError } from './usage-error.js';

/** A progress bar per stage (each table, then the photos) on stderr, like migrate-data's. */
function progressBar() {
  const bar = new cliProgress.SingleBar(
    { format: '{stage} [{bar}] {value}/{total}', noTTYOutput: true, notTTYSchedule: 1000, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  let current = '';
  return {
    update({ stage, done, total }: ArchiveProgress) {
      if (stage !== current) {
        if (current) bar.stop();
        current = stage;
        bar.start(Math.max(total, 1), done, { stage: stage.padEnd(12) });
      }
      bar.update(done, { stage: stage.padEnd(12) });
    },
    stop() {
      if (current) bar.stop();
      current = '';
    },
  };
}

async function withArchive<T>(config: Config, run: (archive: ArchiveService, database: Database) => Promise<T>) {
  if (!config.databaseUrl || config.databaseUrl.startsWith('sqlite:')) prepareDataDir(config.dataDir);
  const database = await openDatabase(databaseOptions(config));
  try {
    await database.migrate();
    const store = mediaStoreFor(config);
    return await run(new ArchiveService({ database, store, hearthVersion }), database);
  } finally {
    await database.close();
  }
}

const summary = (counts: Record<string, number>) =>
  Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([t, n]) => `${n} ${t}`)
    .join(', ');

/**
 * `hearth export FILE.zip [--with-passwords]`: the whole site as one zip (rows, photos and
 * their variants). Written to FILE.zip.partial, renamed when complete.
 */
export async function commandExport(
  config: Config,
  file: string | undefined,
  values: { 'with-passwords'?: boolean; force?: boolean },
): Promise<number> {
  if (!file) throw new UsageError('name the archive to write, e.g. hearth export site.zip');
  if (!/\.zip$/i.test(file))
    throw new UsageError(`${file}: a full export is a .zip (or: hearth export wordpress|markdown …)`);
  const target = path.resolve(file);
  if (fs.existsSync(target) && !values.force) throw new UsageError(`${file} exists; add --force to replace it`);
  const partial = `${target}.partial`;
  return withArchive(config, async (archive) => {
    const started = Date.now();
    const bar = progressBar();
    try {
      const manifest = await archive.write(fs.createWriteStream(partial), {
        withPasswords: values['with-passwords'] ?? false,
        snapshot: true,
        onProgress: (p) => bar.update(p),
        onMissingFile: (missing) => console.error(`hearth: warning: media file ${missing} is missing; left out`),
      });
      bar.stop();
      fs.renameSync(partial, target);
      const size = fs.statSync(target).size;
      console.log(
        `Exported ${summary(manifest.counts)} and ${manifest.files} media files to ${file} (${(size / 1024 / 1024).toFixed(1)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s.${
          manifest.withPasswords ? ' It holds password hashes: keep it safe.' : ''
        }`,
      );
      return 0;
    } catch (error) {
      bar.stop();
      fs.rmSync(partial, { force: true });
      throw error;
    }
  });
}

/**
 * `hearth import hearth FILE.zip [--force]`: restores an archive of `hearth export` into an
 * empty blog (on either database), in one transaction, then builds the search index.
 */
export async function commandImportHearth(
  config: Config,
  file: string | undefined,
  values: { force?: boolean },
): Promise<number> {
  if (!file) throw new UsageError('name the archive to restore, e.g. hearth import hearth site.zip');
  if (!fs.existsSync(file)) throw new UsageError(`${file}: no such file`);
  return withArchive(config, async (archive, database) => {
    const started = Date.now();
    const bar = progressBar();
    try {
      const { manifest, counts, files } = await archive.restore(path.resolve(file), {
        force: values.force ?? false,
        onProgress: (p) => bar.update(p),
      });
      bar.stop();
      console.log(
        `Restored ${summary(counts)} and ${files} media files from ${file} (exported ${manifest.exportedAt} by Hearth ${manifest.hearthVersion}) in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
      );
      if (!manifest.withPasswords)
        console.log(
          'The archive holds no passwords: users sign in again after a password reset (or create an owner with hearth user create --force).',
        );
    } finally {
      bar.stop();
    }
    await rebuildSearchIndex(database);
    return 0;
  });
}
