import fs from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { type Config, databaseOptions } from '../config.js';
import { wordpressExportSource, writeWxrFile } from '../domain/portability/index.js';
import { prepareDataDir } from '../main.js';
import { createServices } from '../services.js';
import { openDatabase } from '../storage/index.js';
import { commandExportMarkdown } from './export-markdown.js';
import { UsageError } from './usage-error.js';

/**
 * `hearth export wordpress FILE.xml [--force]`: the whole site as a WordPress export (WXR 1.2),
 * for WordPress's importer (`hearth export markdown DIR`: see export-markdown.ts). A progress bar on a terminal; one line of counts when done.
 */
export async function commandExport(
  config: Config,
  format: string | undefined,
  file: string | undefined,
  values: { force?: boolean },
): Promise<number> {
  if (format === 'markdown') return commandExportMarkdown(config, file, values);
  if (format !== 'wordpress')
    throw new UsageError('unknown export format; try: hearth export wordpress FILE.xml, or hearth export markdown DIR');
  if (!file) throw new UsageError('name the file to write: hearth export wordpress FILE.xml');
  const target = path.resolve(file);
  if (fs.existsSync(target) && !values.force) throw new UsageError(`${file} exists; add --force to replace it`);
  if (!fs.existsSync(path.dirname(target))) throw new UsageError(`the folder of ${file} does not exist`);
  if (!config.databaseUrl) prepareDataDir(config.dataDir);
  const database = await openDatabase(databaseOptions(config));
  try {
    await database.migrate();
    const services = createServices(database, config);
    const source = await wordpressExportSource({ ...services, publicUrl: config.publicUrl });
    const bar = new cliProgress.SingleBar(
      { format: 'WordPress export [{bar}] {value}/{total} posts and pages', stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    bar.start(Math.max(source.posts.count, 1), 0);
    let counts: Awaited<ReturnType<typeof writeWxrFile>>;
    try {
      counts = await writeWxrFile(target, source, (done) => bar.update(done));
    } finally {
      bar.stop();
    }
    console.log(
      `Wrote ${file}: ${counts.posts} posts, ${counts.pages} pages, ${counts.comments} comments, ` +
        `${counts.media} photos, ${counts.categories} categories, ${counts.tags} tags, ${counts.authors} authors.`,
    );
    const host = new URL(config.publicUrl).hostname;
    if (/^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(host)) {
      console.error(
        `Note: links and photo addresses in the file point at ${config.publicUrl}; WordPress can download ` +
          "the photos only from an address it can reach. Set HEARTH_PUBLIC_URL to the site's public address.",
      );
    }
    return 0;
  } finally {
    await database.close();
  }
}
