import { createReadStream } from 'node:fs';
import { open, readFile, stat, writeFile } from 'node:fs/promises';
import cliProgress from 'cli-progress';
import { type Config, databaseOptions } from '../config.js';
import {
  createRemoteMedia,
  folderMediaFiles,
  ghostImporter,
  IMPORT_KINDS,
  type Importer,
  type ImportReport,
  type MediaFiles,
  markdownImporter,
  readGhostExport,
  wordpressImporter,
  zipMediaFiles,
} from '../domain/portability/index.js';
import { prepareDataDir } from '../main.js';
import { createServices } from '../services.js';
import { openZip, type SafeZip } from '../shared/zip.js';
import { openDatabase } from '../storage/index.js';
import { UsageError } from './usage-error.js';

export interface ImportValues {
  media?: string;
  /** A zip of the uploads (WordPress) or content/images (Ghost) folder. */
  'media-archive'?: string;
  /** Download photos not found locally from the old site (public addresses only). */
  'fetch-media'?: boolean;
  /** Ghost: the old site's address (what `__GHOST_URL__` stood for). */
  url?: string;
  'dry-run'?: boolean;
  report?: string;
  /** `json`: progress as one JSON line per step on stderr (how the admin follows an import), not a bar. */
  progress?: string;
  /** Markdown: names the folder's site for later imports (its absolute path by default). */
  name?: string;
}

const PLATFORMS = 'wordpress (FILE.xml), ghost (FILE.json) or markdown (DIR)';

/**
 * `hearth import wordpress FILE.xml | ghost FILE.json|FILE.zip [--media DIR | --media-archive FILE.zip]
 * [--fetch-media] [--dry-run] [--report FILE.json]`
 * and `hearth import markdown DIR [--name N]` (a Jekyll, Hugo or Eleventy folder, photos in it):
 * brings a blog in, in one transaction, with a progress bar; prints the report (and writes it as JSON).
 */
export async function commandImport(
  config: Config,
  platform: string | undefined,
  file: string | undefined,
  values: ImportValues,
): Promise<number> {
  if (platform !== 'wordpress' && platform !== 'ghost' && platform !== 'markdown')
    throw new UsageError(`import from ${PLATFORMS}`);
  if (platform === 'markdown') return importMarkdown(config, file, values);
  if (!file) throw new UsageError(`name the export file: hearth import ${platform} FILE`);
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new UsageError(`${file} is not a file`);
  if (values.url !== undefined && !/^https?:\/\/[^/\s]+/.test(values.url))
    throw new UsageError(`--url: ${values.url} is not an http(s) address`);
  if (platform === 'wordpress') {
    if (values.url !== undefined) throw new UsageError('--url is for Ghost exports: a WordPress export names its site');
    if (await isZip(file))
      throw new UsageError(
        `${file} is a zip: give the export (.xml) itself, and a zip of the uploads with --media-archive`,
      );
  }
  const zips: SafeZip[] = [];
  try {
    let exportZip: SafeZip | undefined;
    let ghostJson: Buffer | undefined;
    if (platform === 'ghost' && /\.zip$/i.test(file)) {
      // A Ghost export zipped with its content/images: the JSON and the photos from one file.
      exportZip = await openZip(file);
      zips.push(exportZip);
      const json = exportZip.entries.filter(
        (e) => !e.directory && /\.json$/i.test(e.name) && !e.name.includes('content/'),
      );
      if (json.length !== 1)
        throw new Error(`${file} should hold one Ghost export (a .json file); it holds ${json.length}`);
      ghostJson = await exportZip.readBuffer((json[0] as { name: string }).name);
    }
    const sources = await mediaSources(values, exportZip ? zipMediaFiles(exportZip, file) : undefined, zips);
    const importer: Importer =
      platform === 'wordpress'
        ? wordpressImporter(() => createReadStream(file))
        : ghostImporter(readGhostExport(ghostJson ?? (await readFile(file))), { siteUrl: values.url ?? null });
    return await runImport(config, importer, sources, values);
  } finally {
    for (const zip of zips) zip.close();
  }
}

async function isZip(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    return bytesRead === 4 && buffer.readUInt32LE(0) === 0x04034b50;
  } finally {
    await handle.close();
  }
}

/** Where the photos are: a folder, a zip, the export's own zip, and (when asked) the old site; first found wins. */
async function mediaSources(
  values: ImportValues,
  inExport: MediaFiles | undefined,
  zips: SafeZip[],
): Promise<MediaFiles | undefined> {
  if (values.media && values['media-archive']) throw new UsageError('give --media or --media-archive, not both');
  const sources: MediaFiles[] = inExport ? [inExport] : [];
  if (values.media) {
    const dir = await stat(values.media).catch(() => undefined);
    if (!dir?.isDirectory()) throw new UsageError(`--media: ${values.media} is not a folder`);
    sources.push(folderMediaFiles(values.media));
  }
  if (values['media-archive']) {
    const zip = await openZip(values['media-archive']);
    zips.push(zip);
    sources.push(zipMediaFiles(zip, values['media-archive']));
  }
  if (values['fetch-media']) sources.push(createRemoteMedia({ describe: 'the old site' }));
  if (sources.length <= 1) return sources[0];
  return {
    describe: sources.map((s) => s.describe).join(', then '),
    async read(file, url) {
      for (const source of sources) {
        const data = await source.read(file, url);
        if (data) return data;
      }
      return undefined;
    },
    lastError: (url) => sources.at(-1)?.lastError?.(url),
  };
}

/** `hearth import markdown DIR`: a folder of Markdown files, whose photos are in it. */
async function importMarkdown(config: Config, dir: string | undefined, values: ImportValues): Promise<number> {
  if (!dir) throw new UsageError('name the folder: hearth import markdown DIR');
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`${dir} is not a folder`);
  if (values.media) throw new UsageError('--media is for exports: a Markdown folder holds its own photos');
  if (values.url !== undefined) throw new UsageError('--url is for Ghost exports');
  const importer = markdownImporter(dir, values.name ? { key: values.name } : {});
  return runImport(config, importer, folderMediaFiles(dir), values);
}

async function runImport(
  config: Config,
  importer: Importer,
  mediaFiles: MediaFiles | undefined,
  values: ImportValues,
): Promise<number> {
  if (!config.databaseUrl) prepareDataDir(config.dataDir);
  const database = await openDatabase(databaseOptions(config));
  const bar = new cliProgress.SingleBar(
    { format: 'importing [{bar}] {value}/{total} posts and pages', stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  let shown = false;
  const started = Date.now();
  try {
    await database.migrate();
    const services = createServices(database, config);
    // Ctrl-C or a stopping server: the run is rolled back and its stored photos removed, then the
    // process ends.
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const report = await services.imports
      .run(importer, {
        signal: stop.signal,
        ...(mediaFiles ? { mediaFiles } : {}),
        dryRun: values['dry-run'] === true,
        onProgress: ({ done, total }) => {
          if (values.progress === 'json') {
            process.stderr.write(`${JSON.stringify({ done, total })}\n`);
            return;
          }
          if (total === null) return;
          if (!shown) bar.start(Math.max(total, 1), done);
          shown = true;
          bar.setTotal(Math.max(total, done, 1));
          bar.update(done);
        },
      })
      .finally(() => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      });
    if (shown) bar.stop();
    shown = false;
    console.log(formatReport(report, (Date.now() - started) / 1000));
    if (values.report) await writeFile(values.report, `${JSON.stringify(report, null, 2)}\n`);
    return 0;
  } finally {
    if (shown) bar.stop();
    await database.close();
  }
}

const LIST_MAX = 30;

/** The report as a person reads it: counts, then each list (long lists cut, with how many more). */
export function formatReport(report: ImportReport, seconds: number): string {
  const lines = [
    `${report.dryRun ? 'Dry run (nothing was written)' : 'Imported'} from ${report.platform} (${report.source}) in ${seconds.toFixed(1)} s:`,
  ];
  for (const kind of IMPORT_KINDS) {
    const c = report.counts[kind];
    const parts = [`${c.added} ${report.dryRun ? 'to add' : 'added'}`];
    if (c.existing) parts.push(`${c.existing} already imported`);
    if (c.matched) parts.push(`${c.matched} matched to what the blog had`);
    lines.push(`  ${kind.padEnd(11)} ${parts.join(', ')}`);
  }
  const list = (title: string, items: string[]) => {
    if (items.length === 0) return;
    lines.push('', `${title} (${items.length}):`);
    for (const item of items.slice(0, LIST_MAX)) lines.push(`  - ${item}`);
    if (items.length > LIST_MAX) lines.push(`  … and ${items.length - LIST_MAX} more (see --report)`);
  };
  list(
    'Kept unpublished',
    report.heldBack.map((h) => `“${h.title}”: ${h.reason}`),
  );
  list(
    'Skipped',
    report.skipped.map((s) => `${s.what} ${s.name}: ${s.reason}`),
  );
  list(
    'Media missing',
    report.missingMedia.map((m) => `${m.file}: ${m.reason}`),
  );
  list(
    'Slugs changed',
    report.renamed.map((r) => `${r.what}: ${r.from} → ${r.to}`),
  );
  list(
    'Shortcodes kept as text, and blocks converted as plain HTML',
    report.unknownShortcodes.map((s) => `${s.name} (in ${s.posts} ${s.posts === 1 ? 'post' : 'posts'})`),
  );
  return lines.join('\n');
}
