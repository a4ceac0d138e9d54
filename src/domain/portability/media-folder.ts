import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { MediaFiles } from './model.js';

/** Where an export's photos are inside the folder given, when it is the one above them. */
const INSIDE = ['uploads', 'wp-content/uploads', 'images', 'content/images'];

/** Larger files are not read: no photo a blog shows is this big (Hearth's own upload limit is lower). */
const MAX_FILE_BYTES = 100 * 1024 * 1024;

/**
 * An export's photos in a folder: a copy of WordPress's `wp-content/uploads` or Ghost's
 * `content/images` (or a folder above them). A file is looked for at its path below the folder,
 * then below `uploads/`, `wp-content/uploads/`, `images/` and `content/images/` in it. Nothing outside the folder is ever
 * read: `..`, absolute paths and symbolic links that lead out are refused.
 */
export function folderMediaFiles(dir: string): MediaFiles {
  const rootPromise = realpath(path.resolve(dir));
  return {
    describe: `the folder ${dir}`,
    async read(file: string) {
      const root = await rootPromise;
      const relative = file.replace(/\\/g, '/').replace(/^\/+/, '');
      if (relative === '' || relative.split('/').includes('..') || /^[a-z]:/i.test(relative)) return undefined;
      for (const candidate of [relative, ...INSIDE.map((folder) => `${folder}/${relative}`)]) {
        const full = path.resolve(root, candidate);
        if (!full.startsWith(root + path.sep)) continue;
        let real: string;
        try {
          real = await realpath(full);
        } catch {
          continue; // not there
        }
        if (!real.startsWith(root + path.sep)) continue; // a link out of the folder
        const info = await stat(real);
        if (!info.isFile()) continue;
        if (info.size > MAX_FILE_BYTES) throw new Error(`${file} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`);
        return readFile(real);
      }
      return undefined;
    },
  };
}
