import { promises as fs } from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { type Config, databaseOptions } from '../config.js';
import { PAGE_SIZES, type PageSize } from '../domain/books/index.js';
import { formatBytes } from '../domain/media/index.js';
import { HearthError } from '../errors.js';
import { prepareDataDir } from '../main.js';
import { createServices } from '../services.js';
import { openDatabase } from '../storage/index.js';
import { UsageError } from './usage-error.js';

const TRY = 'try: hearth book list, hearth book build SLUG';

export interface BookOptions {
  format?: string | undefined;
  out?: string | undefined;
  'page-size'?: string | undefined;
  'leave-out-missing'?: boolean | undefined;
  rebuild?: boolean | undefined;
}

/** `hearth book list`: every book with its chapters and parts; `hearth book build SLUG`: an EPUB or a PDF. */
export async function commandBook(
  config: Config,
  sub: string | undefined,
  positionals: string[] = [],
  options: BookOptions = {},
): Promise<number> {
  if (sub !== 'list' && sub !== 'build') throw new UsageError(sub ? `unknown book command "${sub}"; ${TRY}` : TRY);
  if (
    sub === 'list' &&
    (options.format !== undefined ||
      options.out !== undefined ||
      options['page-size'] !== undefined ||
      options['leave-out-missing'] ||
      options.rebuild)
  )
    throw new UsageError('hearth book list takes no options');
  let slug: string | undefined;
  const format = options.format ?? 'epub';
  let pageSize: PageSize | undefined;
  if (sub === 'build') {
    if (positionals.length !== 1 || !positionals[0]) throw new UsageError('name one book: hearth book build SLUG');
    slug = positionals[0];
    if (format !== 'epub' && format !== 'pdf')
      throw new UsageError(`unknown format "${format}"; try --format epub or pdf`);
    const typed = options['page-size'];
    if (typed !== undefined) {
      if (format !== 'pdf') throw new UsageError('--page-size is for a PDF (--format pdf)');
      if (!(PAGE_SIZES as readonly string[]).includes(typed))
        throw new UsageError(`unknown page size "${typed}"; try --page-size ${PAGE_SIZES.join(', ')}`);
      pageSize = typed as PageSize;
    }
    if (options.out === '') throw new UsageError('--out needs a file name');
  }
  if (!config.databaseUrl) prepareDataDir(config.dataDir);
  const database = await openDatabase(databaseOptions(config));
  try {
    await database.migrate();
    const services = createServices(database, config);
    if (slug !== undefined) {
      const file = path.resolve(options.out ?? `${slug.replace(/[/\\]/g, '-')}.${format}`);
      const started = performance.now();
      const bar = new cliProgress.SingleBar(
        { format: 'Building [{bar}] {value}/{total} {step}', stream: process.stderr },
        cliProgress.Presets.shades_classic,
      );
      let barStarted = false;
      let build: Awaited<ReturnType<typeof services.bookBuilds.run>>;
      try {
        build = await services.bookBuilds.run(null, slug, format, {
          leaveOutMissing: options['leave-out-missing'] === true,
          ...(pageSize ? { pageSize } : {}),
          rebuild: options.rebuild === true,
          onProgress: (done, total, step) => {
            if (!barStarted) bar.start(Math.max(total, 1), done, { step });
            barStarted = true;
            bar.setTotal(Math.max(total, 1));
            bar.update(done, { step: step.length > 40 ? `${step.slice(0, 39)}…` : step });
          },
        });
      } finally {
        if (barStarted) bar.stop();
      }
      if (build.state !== 'done' || !build.file)
        throw new HearthError('HEARTH_ERR_BOOK_BUILD_FAILED', { reason: build.error });
      // Copied beside the target, then renamed: the file is there whole or not at all.
      const partial = `${file}.${process.pid}.part`;
      try {
        await fs.copyFile(build.file, partial);
        await fs.rename(partial, file);
      } catch (error) {
        await fs.rm(partial, { force: true });
        throw error;
      }
      for (const title of build.leftOut) console.log(`Left out: ${title}`);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(
        `Wrote ${file}: ${formatBytes(build.bytes ?? 0)}, ${build.pages ? `${build.pages} pages (${build.pageSize}), ` : ''}${build.chapters} chapters, ${build.images} images, in ${seconds} s` +
          (build.fromCache ? ' (nothing changed since the last build: its file was used).' : '.'),
      );
      return 0;
    }
    const books = await services.books.list();
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
