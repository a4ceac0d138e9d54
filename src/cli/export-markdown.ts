import fs from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { type Config, databaseOptions } from '../config.js';
import { exportMarkdown } from '../domain/portability/index.js';
import { prepareDataDir } from '../main.js';
import { createServices, mediaStoreFor } from '../services.js';
import { openDatabase } from '../storage/index.js';
import { UsageError } from './usage-error.js';

/**
 * `hearth export markdown DIR`: every post and page as a folder of Markdown files that Hugo
 * and Eleventy build as it is (see docs/import.md). Refuses a folder that is not empty
 * unless `--force` (then files of the same name are overwritten, others left).
 */
export async function commandExportMarkdown(
  config: Config,
  dir: string | undefined,
  values: { force?: boolean },
): Promise<number> {
  if (!dir) throw new UsageError('name the folder to write: hearth export markdown DIR');
  const target = path.resolve(dir);
  if (fs.existsSync(target)) {
    if (!fs.statSync(target).isDirectory()) throw new UsageError(`${dir} is not a folder`);
    if (fs.readdirSync(target).length > 0 && !values.force)
      throw new UsageError(`${dir} is not empty; use --force to write into it anyway`);
  }
  if (!config.databaseUrl) prepareDataDir(config.dataDir);
  const database = await openDatabase(databaseOptions(config));
  try {
    await database.migrate();
    const services = createServices(database, config);
    const store = mediaStoreFor(config);
    const bar = new cliProgress.SingleBar(
      { format: 'export [{bar}] {value}/{total} posts and pages', stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    let shown = false;
    const started = Date.now();
    const result = await exportMarkdown({ db: database.db, readMedia: (p) => store.read(p) }, target, {
      title: (await services.settings.get()).title,
      publicUrl: config.publicUrl,
      onProgress: (done, total) => {
        if (!shown) bar.start(total, done);
        shown = true;
        bar.update(done);
      },
    });
    if (shown) bar.stop();
    for (const missing of result.missing) console.error(`hearth: photo file missing, not copied: ${missing}`);
    console.log(
      `Exported ${result.posts} posts and ${result.pages} pages with ${result.images} photos to ${target} ` +
        `in ${((Date.now() - started) / 1000).toFixed(1)} s. Build it with hugo, or npx @11ty/eleventy.`,
    );
    return 0;
  } finally {
    await database.close();
  }
}
