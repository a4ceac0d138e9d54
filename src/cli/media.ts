import fs from 'node:fs/promises';
import path from 'node:path';
import cliProgress from 'cli-progress';
import pLimit from 'p-limit';
import { type Config, loadConfig } from '../config.js';
import { parseS3Url } from '../config-media.js';
import { mediaStoreFor } from '../services.js';
import { UsageError } from './usage-error.js';

/** Files copied at once: a few requests in flight hide the bucket's latency without flooding it. */
const CONCURRENCY = 4;

/**
 * `hearth media migrate --to s3://bucket/prefix [--dry-run]`: copies every media file of the
 * current store (the data folder's media/, or the bucket HEARTH_MEDIA_URL names) to the
 * bucket. A file already there with the same size is skipped, so a run that stopped half
 * way starts again where it was, and a second run copies nothing. Files on disk are
 * streamed, never read whole. The source is left as it is.
 */
export async function commandMedia(
  config: Config,
  sub: string | undefined,
  values: { to?: string | undefined; 'dry-run'?: boolean | undefined },
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  if (sub !== 'migrate')
    throw new UsageError('unknown media command; try: hearth media migrate --to s3://bucket/prefix');
  if (!values.to) throw new UsageError('name the bucket to copy to: hearth media migrate --to s3://bucket/prefix');
  // The target is read as HEARTH_MEDIA_URL would be, with the same AWS_* variables.
  const location = parseS3Url(values.to, '--to');
  if (!location) throw new UsageError('--to must name a bucket: s3://bucket/prefix');
  const targetConfig = loadConfig({ ...env, HEARTH_MEDIA_URL: values.to, HEARTH_MEDIA_PUBLIC_URL: undefined });
  const source = mediaStoreFor(config);
  const target = mediaStoreFor(targetConfig);
  if (source.location === target.location) throw new UsageError(`media are already in ${target.location}`);
  await source.check();
  await target.check();

  // `from`: the file on disk, when the source is a folder.
  const files: { path: string; size: number; from?: string }[] = [];
  for await (const file of source.list())
    files.push(source.root === undefined ? file : { ...file, from: path.join(source.root, file.path) });
  // Built books go along (below private/, which /media/ never serves), so that every
  // instance can offer them.
  if (source.root !== undefined) files.push(...(await builtBooks(path.join(config.dataDir, 'books'))));
  const there = new Map<string, number>();
  for await (const file of target.list()) there.set(file.path, file.size);
  const todo = files.filter((f) => there.get(f.path) !== f.size);
  const books = files.filter((f) => f.path.startsWith('private/books/')).length;
  const bytes = todo.reduce((sum, f) => sum + f.size, 0);
  console.error(
    `hearth: ${files.length} files in ${source.location}${books ? ` (${books} of them built books)` : ''}; ${files.length - todo.length} already in ${target.location}, ${todo.length} to copy (${megabytes(bytes)})`,
  );
  if (values['dry-run']) {
    for (const file of todo) console.log(file.path);
    console.error('hearth: dry run, nothing copied');
    return 0;
  }

  const bar = new cliProgress.SingleBar(
    {
      format: 'media [{bar}] {value}/{total} files | {copied}',
      noTTYOutput: true,
      notTTYSchedule: 1000,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  let copiedBytes = 0;
  bar.start(todo.length, 0, { copied: megabytes(0) });
  const limit = pLimit(CONCURRENCY);
  const failed: string[] = [];
  await Promise.all(
    todo.map((file) =>
      limit(async () => {
        try {
          if (file.from !== undefined) await target.putFile(file.path, file.from);
          else {
            const data = await source.read(file.path);
            if (data) await target.put(file.path, data);
          }
          copiedBytes += file.size;
        } catch (error) {
          failed.push(`${file.path}: ${(error as Error).message}`);
          // A store that stopped answering fails every file alike: stop instead of trying each.
          if (failed.length >= 10) limit.clearQueue();
        }
        bar.increment(1, { copied: megabytes(copiedBytes) });
      }),
    ),
  );
  bar.stop();
  if (failed.length > 0) {
    for (const line of failed) console.error(`hearth: not copied: ${line}`);
    console.error(`hearth: ${failed.length} files were not copied; run the same command again to copy the rest.`);
    return 1;
  }
  console.error(`hearth: copied ${todo.length} files (${megabytes(copiedBytes)}) to ${target.location}`);
  console.log(
    [
      'Every media file is in the bucket. To serve them from there, set',
      `  HEARTH_MEDIA_URL=${values.to}`,
      '(with the same AWS_* variables and HEARTH_S3_FORCE_PATH_STYLE as for this run), and optionally',
      '  HEARTH_MEDIA_PUBLIC_URL=https://… (the bucket’s public or CDN address: /media/ then redirects there)',
      'then restart Hearth. Photos uploaded before the restart: run this command again to copy them.',
      `The files in ${source.location} are left as they were.`,
    ].join('\n'),
  );
  return 0;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The finished book files in the data folder (named by their fingerprint), as the bucket keeps them. */
async function builtBooks(dir: string): Promise<{ path: string; size: number; from: string }[]> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const books: { path: string; size: number; from: string }[] = [];
  for (const name of names) {
    if (!/^[0-9a-f]{64}\.(epub|pdf)$/.test(name)) continue;
    const from = path.join(dir, name);
    const stat = await fs.stat(from).catch(() => undefined);
    if (stat?.isFile()) books.push({ path: `private/books/${name}`, size: stat.size, from });
  }
  return books;
}
