import type { SafeZip } from '../../shared/zip.js';
import type { MediaFiles } from './model.js';

/** Folders an export's photos sit below in a zip of a site's files. */
const ROOTS = ['wp-content/uploads/', 'content/images/', 'uploads/', 'images/'];

/**
 * An export's photos in a zip (`wp-content/uploads` zipped, or a Ghost export with its
 * `content/images`), read through Hearth's safe zip reader: its limits hold for each photo
 * (size, compression ratio), and names that climb out or are links were refused on opening.
 * A photo is found by its path below the uploads or images folder, wherever that folder is
 * in the zip (`site/wp-content/uploads/2019/05/bath.jpg` is `2019/05/bath.jpg`).
 */
export function zipMediaFiles(zip: SafeZip, describe: string): MediaFiles {
  const byPath = new Map<string, string>();
  for (const entry of zip.entries) {
    if (entry.directory) continue;
    byPath.set(entry.name, entry.name);
    for (const root of ROOTS) {
      const at = entry.name.indexOf(root);
      if (at === 0 || (at > 0 && entry.name[at - 1] === '/')) {
        const below = entry.name.slice(at + root.length);
        if (!byPath.has(below)) byPath.set(below, entry.name);
        break;
      }
    }
  }
  return {
    describe,
    async read(file: string) {
      const name = byPath.get(file.replace(/^\/+/, ''));
      return name === undefined ? undefined : zip.readBuffer(name);
    },
  };
}
