import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Text formats worth compressing; images and fonts are compressed already. */
const COMPRESSIBLE = /\.(css|js|mjs|json|map|svg|txt|xml|html)$/i;

/** A copy other than the current ones is removed once this old: another instance may still serve it. */
const KEEP_OLD_COPY_MS = 60 * 60 * 1000;
/** A half-made copy is removed once this old: its maker has failed or gone. */
const KEEP_TMP_MS = 10 * 60 * 1000;

export interface StaticCopy {
  /** The folder to serve: the compressed copy, or the source folder when none could be made. */
  root: string;
  /** Whether `root` has the .br and .gz files. */
  compressed: boolean;
  /** Each file's version (a hash of the bytes served), by its path under the folder with `/`. */
  versions: Map<string, string>;
  /** Why no copy could be made (the cache folder cannot be written), when it could not. */
  error?: unknown;
}

/**
 * A copy of a folder of static files with a brotli (`.br`) and a gzip (`.gz`) file beside
 * each text file, for @fastify/static's `preCompressed`, which picks one by Accept-Encoding
 * (and sends `Vary: Accept-Encoding`). Compressed once, at the best levels, when the server
 * is built: the copy's folder is named by a hash of the files, so a restart with the same
 * files reuses it and a changed theme gets a fresh one. The files are read once, here:
 * the versions returned are hashes of the bytes the copy holds, so a file edited while the
 * server runs changes neither what is served nor its URL. Symbolic links are followed when
 * they stay inside the folder, and skipped otherwise.
 *
 * When the cache folder cannot be written (a read-only data folder is allowed on
 * PostgreSQL), the source folder is served uncompressed, and `error` says why.
 *
 * @example
 *   const copy = await precompressedCopy('themes/default/assets', 'data/cache/static');
 */
export async function precompressedCopy(sourceDir: string, cacheRoot: string): Promise<StaticCopy> {
  const names = await filesIn(sourceDir);
  const contents = await Promise.all(names.map((name) => fs.readFile(path.join(sourceDir, name))));
  const hash = createHash('sha256');
  const versions = new Map<string, string>();
  names.forEach((name, i) => {
    const body = contents[i] as Buffer;
    hash.update(`${name}\0${body.length}\0`).update(body);
    versions.set(name.split(path.sep).join('/'), createHash('sha1').update(body).digest('hex').slice(0, 10));
  });
  const target = path.join(cacheRoot, hash.digest('hex').slice(0, 16));
  try {
    await fs.mkdir(cacheRoot, { recursive: true });
    if (await exists(target)) {
      // Marked as in use, so that pruning by another instance leaves it.
      const now = new Date();
      await fs.utimes(target, now, now);
    } else {
      await build(target, names, contents);
    }
  } catch (error) {
    return { root: sourceDir, compressed: false, versions, error };
  }
  return { root: target, compressed: true, versions };
}

/**
 * Removes from the cache folder the copies other than `current` not used for an hour, and
 * half-made copies older than ten minutes. Best effort: what cannot be removed stays.
 */
export async function pruneStaticCache(cacheRoot: string, current: string[], now = Date.now()): Promise<void> {
  const keep = new Set(current.map((dir) => path.resolve(dir)));
  let entries: string[];
  try {
    entries = await fs.readdir(cacheRoot);
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = path.resolve(cacheRoot, entry);
    if (keep.has(full)) continue;
    const isTmp = entry.endsWith('.tmp');
    if (!isTmp && !/^[0-9a-f]{16}$/.test(entry)) continue;
    try {
      const { mtimeMs } = await fs.stat(full);
      if (now - mtimeMs > (isTmp ? KEEP_TMP_MS : KEEP_OLD_COPY_MS)) await fs.rm(full, { recursive: true, force: true });
    } catch {
      // Removed by another instance meanwhile, or not ours to remove.
    }
  }
}

/** The files under a folder, relative to it, sorted; links followed only within it. */
async function filesIn(sourceDir: string): Promise<string[]> {
  const realRoot = await fs.realpath(sourceDir);
  const names: string[] = [];
  for (const entry of await fs.readdir(sourceDir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    if (entry.isSymbolicLink()) {
      try {
        const real = await fs.realpath(full);
        if (!real.startsWith(realRoot + path.sep) || !(await fs.stat(real)).isFile()) continue;
      } catch {
        continue; // A dangling link.
      }
    } else if (!entry.isFile()) continue;
    names.push(path.relative(sourceDir, full));
  }
  return names.sort();
}

async function build(target: string, names: string[], contents: Buffer[]): Promise<void> {
  // Made aside and renamed into place whole: another process starting at the same time
  // never sees half a folder.
  const building = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    for (const [i, name] of names.entries()) {
      const body = contents[i] as Buffer;
      const file = path.join(building, name);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, body);
      if (!COMPRESSIBLE.test(name)) continue;
      const [br, gz] = await Promise.all([
        brotli(body, {
          params: {
            [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
            [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
            [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
          },
        }),
        gzipAsync(body, { level: 9 }),
      ]);
      // A tiny file can grow: then only the original is sent.
      if (br.length < body.length) await fs.writeFile(`${file}.br`, br);
      if (gz.length < body.length) await fs.writeFile(`${file}.gz`, gz);
    }
    await fs.rename(building, target);
  } catch (error) {
    await fs.rm(building, { recursive: true, force: true });
    // Another process finished the same copy first.
    if (!(await exists(target))) throw error;
  }
}

async function exists(dir: string): Promise<boolean> {
  try {
    await fs.access(dir);
    return true;
  } catch {
    return false;
  }
}
