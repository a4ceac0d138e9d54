import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Where media files live. The default keeps them on local disk below `<dataDir>/media`;
 * an S3-compatible store implements the same three methods.
 */
export interface MediaStore {
  /** Writes a file atomically (temp file + rename), creating folders as needed. */
  put(relativePath: string, data: Buffer): Promise<void>;
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
    async remove(relativePath) {
      await fs.rm(resolveInside(relativePath), { force: true });
    },
  };
}
