import fs from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { type Config, databaseOptions } from '../config.js';
import { copyDatabase, openDatabase, redactDatabaseUrl as redact, TargetNotEmptyError } from '../storage/index.js';
import { rebuildSearchIndex } from './search.js';
import { UsageError } from './usage-error.js';

const DATABASE_URL = /^(sqlite:.+|postgres(ql)?:\/\/.+)$/;

/**
 * `hearth migrate-data --from URL --to URL [--force]`: copies a whole site between
 * databases (e.g. sqlite:./data/hearth.db to postgres://…) in one transaction on the
 * target, then builds the target's search index. Media files stay where they are: both
 * databases point at the same data folder.
 */
export async function commandMigrateData(
  config: Config,
  values: { from?: string; to?: string; force?: boolean },
): Promise<number> {
  if (!values.from || !DATABASE_URL.test(values.from))
    throw new UsageError('--from needs sqlite:PATH or postgres://… ');
  if (!values.to || !DATABASE_URL.test(values.to)) throw new UsageError('--to needs sqlite:PATH or postgres://…');
  if (values.from === values.to) throw new UsageError('--from and --to name the same database');
  // SQLite makes a missing file: a mistyped --from would copy an empty blog.
  if (values.from.startsWith('sqlite:') && !fs.existsSync(path.resolve(values.from.slice('sqlite:'.length)))) {
    console.error(`hearth: ${values.from} does not exist: nothing to copy`);
    return 1;
  }
  const source = await openDatabase({ ...databaseOptions(config), url: values.from });
  try {
    const target = await openDatabase({ ...databaseOptions(config), url: values.to });
    try {
      await source.migrate();
      await target.migrate();
      const bar = new cliProgress.SingleBar(
        { format: '{table} [{bar}] {value}/{total}', noTTYOutput: true, notTTYSchedule: 1000, stream: process.stderr },
        cliProgress.Presets.shades_classic,
      );
      let current = '';
      const started = Date.now();
      const totals = await copyDatabase(source, target, {
        force: values.force ?? false,
        onProgress: ({ table, copied, total }) => {
          if (table !== current) {
            if (current) bar.stop();
            current = table;
            bar.start(total, copied, { table: table.padEnd(18) });
          }
          bar.update(copied, { table: table.padEnd(18) });
        },
      });
      if (current) bar.stop();
      const rows = Object.values(totals).reduce((a, b) => a + b, 0);
      console.log(
        `Copied ${rows} rows (${Object.entries(totals)
          .map(([t, n]) => `${n} ${t}`)
          .join(
            ', ',
          )}) from ${redact(values.from)} to ${redact(values.to)} in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
      );
      // The copy moves tables, not the dialect's own full-text index.
      await rebuildSearchIndex(target);
      console.log(
        `Start Hearth with HEARTH_DATABASE_URL=${redact(values.to)} (the password as you gave it) to serve the copy.`,
      );
      return 0;
    } catch (error) {
      if (error instanceof TargetNotEmptyError) throw new UsageError(error.message);
      throw error;
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}
