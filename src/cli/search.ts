import cliProgress from 'cli-progress';
import { type Config, databaseOptions } from '../config.js';
import { SearchService } from '../domain/search/index.js';
import { prepareDataDir } from '../main.js';
import { type Database, openDatabase } from '../storage/index.js';
import { UsageError } from './usage-error.js';

/**
 * Builds a database's full-text index again from its posts, with a progress bar on a
 * terminal; prints one line when done. `hearth migrate-data` ends with it.
 */
export async function rebuildSearchIndex(database: Database): Promise<number> {
  const bar = new cliProgress.SingleBar(
    { format: 'search index [{bar}] {value}/{total} posts', stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let shown = false;
  const posts = await new SearchService({ database }).rebuild((indexed, total) => {
    if (!shown) bar.start(Math.max(total, 1), indexed);
    shown = true;
    bar.update(indexed);
  });
  if (shown) bar.stop();
  console.log(`Search index built: ${posts} posts in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return posts;
}

/** `hearth search --rebuild`: builds the full-text index again (after a copy, or to repair it). */
export async function commandSearch(config: Config, values: { rebuild?: boolean }): Promise<number> {
  if (!values.rebuild) throw new UsageError('use hearth search --rebuild');
  if (!config.databaseUrl) prepareDataDir(config.dataDir);
  const database = await openDatabase(databaseOptions(config));
  try {
    await database.migrate();
    await rebuildSearchIndex(database);
    return 0;
  } finally {
    await database.close();
  }
}
