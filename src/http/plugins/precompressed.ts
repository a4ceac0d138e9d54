import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Text formats worth compressing; images and fonts are compressed already. */
const COMPRESSIBLE = /\.(css|js|mjs|json|map|svg|txt|xml|html)$/i;

/**
 * A copy of a folder of static files with a brotli (`.br`) and a gzip (`.gz`) file beside
 * each text file, for @fastify/static's `preCompressed`, which picks one by Accept-Encoding
 * (and sends `Vary: Accept-Encoding`). Compressed once, at the best levels, when the server
 * is built: the copy's folder is named by a hash of the files, so a restart with the same
 * files reuses it and a changed theme gets a fresh one.
 *
 * @example
 *   const root = await precompressedCopy('themes/default/assets', 'data/cache/static');
 */
export async function precompressedCopy(sourceDir: string, cacheRoot: string): Promise<string> {
  const names = (await fs.readdir(sourceDir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(sourceDir, path.join(entry.parentPath, entry.name)))
    .sort();
  const contents = await Promise.all(names.map((name) => fs.readFile(path.join(sourceDir, name))));
  const hash = createHash('sha256');
  names.forEach((name, i) => {
    hash.update(`${name}\0${contents[i]?.length}\0`).update(contents[i] as Buffer);
  });
  const target = path.join(cacheRoot, hash.digest('hex').slice(0, 16));
  if (await exists(target)) return target;

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
  return target;
}

async function exists(dir: string): Promise<boolean> {
  try {
    await fs.access(dir);
    return true;
  } catch {
    return false;
  }
}
