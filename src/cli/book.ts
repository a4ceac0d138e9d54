import { type Config, databaseOptions } from '../config.js';
import { prepareDataDir } from '../main.js';
import { createServices } from '../services.js';
import { openDatabase } from '../storage/index.js';
import { UsageError } from './usage-error.js';

/** `hearth book list`: every book with its chapters and parts (building comes later). */
export async function commandBook(config: Config, sub: string | undefined): Promise<number> {
  if (sub !== 'list')
    throw new UsageError(sub ? `unknown book command "${sub}"; try: hearth book list` : 'try: hearth book list');
  if (!config.databaseUrl) prepareDataDir(config.dataDir);
  const database = await openDatabase(databaseOptions(config));
  try {
    await database.migrate();
    const books = await createServices(database, config).books.list();
    if (books.length === 0) {
      console.log('No books yet.');
      return 0;
    }
    const rows = books.map((b) => [b.slug, b.title, String(b.chapters), String(b.parts), b.sources.join(', ') || '-']);
    const head = ['SLUG', 'TITLE', 'CHAPTERS', 'PARTS', 'FROM'];
    const widths = head.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...(r[i] ?? '')].length)));
    const line = (cells: string[]) =>
      cells.map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - [...c].length))).join('  ');
    console.log(line(head));
    for (const row of rows) console.log(line(row));
    return 0;
  } finally {
    await database.close();
  }
}
