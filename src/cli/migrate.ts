import { type Config, databaseOptions } from '../config.js';
import { prepareDataDir } from '../main.js';
import { openDatabase } from '../storage/index.js';

/** Applies pending migrations and says which. */
export async function commandMigrate(config: Config): Promise<number> {
  if (!config.databaseUrl) prepareDataDir(config.dataDir);
  const database = await openDatabase(databaseOptions(config));
  try {
    const { applied } = await database.migrate();
    console.log(applied.length === 0 ? 'The database is up to date.' : `Applied: ${applied.join(', ')}`);
    return 0;
  } finally {
    await database.close();
  }
}
