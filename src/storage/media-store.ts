import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Where media files live. The default keeps them on local disk below `<dataDir>/media`;
 * an S3-compatible store implements the same methods.
 */
export interface MediaStore {
  /** Writes a file atomically (temp file + rename), creating folders as needed. */
  put(relativePath: string, data: Buffer): Promise<void>;
  /** The file's bytes, or undefined when there is no such file. */
  read(relativePath: string): Promise<Buffer | undefined>;
  /** Removes a file; removing one that is not there is not an error. */
  remove(relativePath: string): Promise<void>;
  /** Absolute folder on disk when the store is local, for static serving. */
  readonly root: string | undefined;
}

export function createDiskMediaStore(root: string): MediaStore {
  const resolveInside = (relativePath: string) => {
    const full = path.resolve(root, relativePath);
    if (!full.startsWith(path.resolve(root) + path.sep))
      throw new Error(`media path escapes the root: ${relativePath}`);
    return full;
  };
  return {
    root,
    async put(relativePath, data) {
      const full = resolveInside(relativePath);
      await fs.mkdir(path.dirname(full), { recursive: true });
      const temp = `${full}.${process.pid}.${Date.now()}.tmp`;
      await fs.writeFile(temp, data);
      await fs.rename(temp, full);
    },
    async read(relativePath) {
      try {
        return await fs.readFile(resolveInside(relativePath));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async remove(relativePath) {
      await fs.rm(resolveInside(relativePath), { force: true });
    },
  };
}
