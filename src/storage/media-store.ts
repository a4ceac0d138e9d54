import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

/** What a store knows of a file without reading it. */
export interface MediaStat {
  size: number;
  /** A strong validator, quoted as HTTP sends it (the object's ETag on S3). */
  etag: string;
  lastModified: Date;
  /** The type recorded with the file (S3), else the one its extension names. */
  contentType: string;
}

/** A stored file opened for reading: its bytes as a stream, and what `stat` tells. */
export interface MediaObject extends MediaStat {
  body: Readable;
}

/**
 * Where media files live. The default keeps them on local disk below `<dataDir>/media`;
 * an S3-compatible store (s3-media-store.ts) implements the same methods. Paths are
 * relative (`2026/06/bath-1600.jpg`): no leading slash, no `..`, no empty segment.
 */
export interface MediaStore {
  /** Writes a file whole (temp file + rename on disk, one PUT on S3), creating folders as needed. */
  put(relativePath: string, data: Buffer): Promise<void>;
  /** Writes a file from a file on disk, streamed: never held in memory whole. */
  putFile(relativePath: string, sourceFile: string): Promise<void>;
  /** The file's bytes, or undefined when there is no such file. */
  read(relativePath: string): Promise<Buffer | undefined>;
  /** The file as a stream with its size and validators, or undefined when there is no such file. */
  open(relativePath: string): Promise<MediaObject | undefined>;
  /** Size and validators of a file, or undefined when there is no such file. */
  stat(relativePath: string): Promise<MediaStat | undefined>;
  /** Every file below the store (relative paths and sizes), in no promised order. */
  list(): AsyncIterable<{ path: string; size: number }>;
  /** Removes a file; removing one that is not there is not an error. */
  remove(relativePath: string): Promise<void>;
  /** Throws a clear error when the store cannot be used (an S3 bucket missing, credentials refused). */
  check(): Promise<void>;
  /** Absolute folder on disk when the store is local, for static serving. */
  readonly root: string | undefined;
  /** Where the files are, for messages: a folder or `s3://bucket/prefix`. */
  readonly location: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.avif': 'image/avif',
  '.webp': 'image/webp',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.pdf': 'application/pdf',
  '.epub': 'application/epub+zip',
};

/** The type a media file is sent with, by its extension. */
export function contentTypeOf(relativePath: string): string {
  return CONTENT_TYPES[path.extname(relativePath).toLowerCase()] ?? 'application/octet-stream';
}

/** Whether a relative media path is one a store accepts (no traversal, no empty or dot segment). */
export function isMediaPath(relativePath: string): boolean {
  if (relativePath === '' || relativePath.length > 1024 || relativePath.includes('\\')) return false;
  if (/[\u0000-\u001f\u007f]/.test(relativePath)) return false;
  return relativePath.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

export function checkMediaPath(relativePath: string): string {
  if (!isMediaPath(relativePath)) throw new Error(`not a media path: ${JSON.stringify(relativePath)}`);
  return relativePath;
}

export function createDiskMediaStore(root: string): MediaStore {
  const resolveInside = (relativePath: string) => {
    const full = path.resolve(root, checkMediaPath(relativePath));
    if (!full.startsWith(path.resolve(root) + path.sep))
      throw new Error(`media path escapes the root: ${relativePath}`);
    return full;
  };
  const tempOf = (full: string) => `${full}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.tmp`;
  const statOf = async (full: string): Promise<MediaStat | undefined> => {
    try {
      const s = await fs.stat(full);
      if (!s.isFile()) return undefined;
      return {
        size: s.size,
        etag: `"${s.size.toString(16)}-${Math.trunc(s.mtimeMs).toString(16)}"`,
        lastModified: s.mtime,
        contentType: contentTypeOf(full),
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };
  return {
    root,
    location: root,
    async put(relativePath, data) {
      const full = resolveInside(relativePath);
      await fs.mkdir(path.dirname(full), { recursive: true });
      const temp = tempOf(full);
      await fs.writeFile(temp, data);
      await fs.rename(temp, full);
    },
    async putFile(relativePath, sourceFile) {
      const full = resolveInside(relativePath);
      await fs.mkdir(path.dirname(full), { recursive: true });
      const temp = tempOf(full);
      try {
        await fs.copyFile(sourceFile, temp);
        await fs.rename(temp, full);
      } catch (error) {
        await fs.rm(temp, { force: true });
        throw error;
      }
    },
    async read(relativePath) {
      try {
        return await fs.readFile(resolveInside(relativePath));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async open(relativePath) {
      const full = resolveInside(relativePath);
      const stat = await statOf(full);
      return stat && { ...stat, body: createReadStream(full) };
    },
    async stat(relativePath) {
      return statOf(resolveInside(relativePath));
    },
    async *list() {
      let entries: string[];
      try {
        entries = await fs.readdir(root, { recursive: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of entries.sort()) {
        const relativePath = entry.split(path.sep).join('/');
        // Files being written (put's temp files) are not media yet.
        if (relativePath.endsWith('.tmp') || !isMediaPath(relativePath)) continue;
        const stat = await statOf(path.join(root, entry));
        if (stat) yield { path: relativePath, size: stat.size };
      }
    },
    async remove(relativePath) {
      await fs.rm(resolveInside(relativePath), { force: true });
    },
    async check() {
      await fs.mkdir(root, { recursive: true });
    },
  };
}
