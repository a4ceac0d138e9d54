import path from 'node:path';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import { HearthError } from '../errors.js';

/**
 * A zip reader for archives a person uploads or names (Hearth's own exports, Ghost and
 * WordPress zips). Built on yauzl, it reads the central directory once and refuses, before
 * any entry is read: names that climb out (`..`), absolute names and drive letters,
 * backslashes, symlinks and other non-file entries, encrypted entries, unknown compression,
 * duplicate names, too many entries, an entry or a total above the limits, and a
 * compression ratio no real file has. While inflating it counts the bytes again (headers
 * can lie), stops at the declared size and the limits, and checks the CRC-32.
 *
 * @example
 *   const zip = await openZip('export.zip', { maxEntries: 10_000 });
 *   try {
 *     for (const entry of zip.entries) console.log(entry.name, entry.size);
 *     const manifest = JSON.parse((await zip.readBuffer('manifest.json')).toString('utf8'));
 *   } finally {
 *     zip.close();
 *   }
 */
export interface ZipLimits {
  /** Most entries (files and folders) the archive may hold. */
  maxEntries: number;
  /** Most bytes one entry may inflate to. */
  maxEntryBytes: number;
  /** Most bytes all entries together may inflate to. */
  maxTotalBytes: number;
  /** Most uncompressed bytes per compressed byte, for entries above `ratioFloor` bytes. */
  maxRatio: number;
  /** Entries up to this many bytes are not held to `maxRatio` (small text compresses well). */
  ratioFloor: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 100_000,
  maxEntryBytes: 512 * 1024 * 1024,
  maxTotalBytes: 8 * 1024 * 1024 * 1024,
  maxRatio: 200,
  ratioFloor: 1024 * 1024,
};

export interface ZipEntryInfo {
  /** The entry's path inside the archive, `/`-separated, never absolute or climbing out. */
  name: string;
  /** Uncompressed size as the central directory declares it (checked while reading). */
  size: number;
  compressedSize: number;
  directory: boolean;
}

export interface SafeZip {
  /** Every entry, in the archive's order. */
  readonly entries: readonly ZipEntryInfo[];
  has(name: string): boolean;
  /** The entry's bytes as a stream; it fails with a HearthError if the data breaks a rule. */
  openStream(name: string): Promise<Readable>;
  readBuffer(name: string): Promise<Buffer>;
  close(): void;
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

const unsafe = (entry: string, reason: string) => new HearthError('HEARTH_ERR_ARCHIVE_UNSAFE', { entry, reason });
const invalid = (entry: string, reason: string, cause?: unknown) =>
  new HearthError('HEARTH_ERR_ARCHIVE_INVALID', { entry, reason }, { cause });

/** Why a name may not be extracted, or undefined when it is a plain relative path. */
export function unsafeEntryName(name: string): string | undefined {
  if (name === '') return 'has an empty name';
  if (/[\u0000-\u001f]/.test(name)) return 'has a control character in its name';
  if (name.includes('\\')) return 'has a backslash in its name (a Windows path that could climb out)';
  if (name.startsWith('/')) return 'is an absolute path';
  if (/^[a-zA-Z]:/.test(name)) return 'names a drive letter';
  if (name.split('/').includes('..')) return 'climbs out of the archive with ".."';
  return undefined;
}

/** Opens a zip file and checks its whole directory; throws a HearthError naming the first bad entry. */
export async function openZip(file: string, limits: Partial<ZipLimits> = {}): Promise<SafeZip> {
  const rules = { ...DEFAULT_ZIP_LIMITS, ...limits };
  const label = path.basename(file);
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(file, {
      lazyEntries: true,
      autoClose: false,
      decodeStrings: false,
      validateEntrySizes: false, // counted below, so a lie is refused as unsafe
    });
  } catch (error) {
    throw invalid(label, `not a zip archive, or a damaged one (${(error as Error).message})`, error);
  }
  const found = new Map<string, { info: ZipEntryInfo; entry: yauzl.Entry }>();
  try {
    await new Promise<void>((resolve, reject) => {
      let total = 0;
      zip.on('error', (error: Error) =>
        reject(error instanceof HearthError ? error : invalid(label, `damaged (${error.message})`, error)),
      );
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        const problem = checkEntry(entry, found.size, total, rules);
        if (problem) {
          reject(problem);
          return;
        }
        const name = decodeName(entry);
        if (found.has(name)) {
          reject(invalid(name, 'appears twice in the archive'));
          return;
        }
        total += entry.uncompressedSize;
        found.set(name, {
          entry,
          info: {
            name,
            size: entry.uncompressedSize,
            compressedSize: entry.compressedSize,
            directory: name.endsWith('/'),
          },
        });
        zip.readEntry();
      });
      zip.readEntry();
    });
  } catch (error) {
    zip.close();
    throw error;
  }

  let inflated = 0;
  const openStream = async (name: string): Promise<Readable> => {
    const item = found.get(name);
    if (!item) throw invalid(name, 'is not in the archive');
    if (item.info.directory) throw invalid(name, 'is a folder, not a file');
    const { entry } = item;
    const source = await new Promise<Readable>((resolve, reject) =>
      zip.openReadStream(entry, (error, stream) =>
        error ? reject(invalid(name, `cannot be read (${error.message})`, error)) : resolve(stream),
      ),
    );
    let count = 0;
    let crc = 0;
    const guard = new Transform({
      transform(chunk: Buffer, _encoding, callback: TransformCallback) {
        count += chunk.length;
        inflated += chunk.length;
        if (count > entry.uncompressedSize)
          return callback(unsafe(name, `inflates past its declared size of ${entry.uncompressedSize} bytes`));
        if (count > rules.maxEntryBytes)
          return callback(unsafe(name, `inflates past the limit of ${rules.maxEntryBytes} bytes`));
        if (inflated > rules.maxTotalBytes)
          return callback(unsafe(name, `takes the archive past the limit of ${rules.maxTotalBytes} bytes in all`));
        if (count > rules.ratioFloor && count > Math.max(entry.compressedSize, 1) * rules.maxRatio)
          return callback(unsafe(name, `inflates more than ${rules.maxRatio} times (a zip bomb?)`));
        crc = zlib.crc32(chunk, crc);
        callback(null, chunk);
      },
      flush(callback: TransformCallback) {
        if (count !== entry.uncompressedSize)
          return callback(invalid(name, `holds ${count} bytes, not the ${entry.uncompressedSize} it declares`));
        if (crc >>> 0 !== entry.crc32 >>> 0) return callback(invalid(name, 'is damaged (its CRC-32 does not match)'));
        callback();
      },
    });
    source.on('error', (error: Error) =>
      guard.destroy(error instanceof HearthError ? error : invalid(name, `damaged (${error.message})`, error)),
    );
    guard.on('close', () => source.destroy());
    source.pipe(guard);
    return guard;
  };

  return {
    entries: [...found.values()].map((item) => item.info),
    has: (name) => found.has(name),
    openStream,
    async readBuffer(name) {
      const stream = await openStream(name);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    close: () => zip.close(),
  };
}

function decodeName(entry: yauzl.Entry): string {
  // Strict: a backslash stays a backslash, so it is refused rather than read as a separator.
  return yauzl.getFileNameLowLevel(
    entry.generalPurposeBitFlag,
    entry.fileNameRaw ?? (entry.fileName as unknown as Buffer),
    entry.extraFields,
    true,
  );
}

function checkEntry(entry: yauzl.Entry, seen: number, total: number, rules: ZipLimits): HearthError | undefined {
  const name = decodeName(entry);
  const badName = unsafeEntryName(name);
  if (badName) return unsafe(name, badName);
  if (seen + 1 > rules.maxEntries) return unsafe(name, `is past the limit of ${rules.maxEntries} entries`);
  if ((entry.generalPurposeBitFlag & 0x1) !== 0) return unsafe(name, 'is encrypted');
  // The upper 16 bits of the external attributes are the Unix mode when a Unix tool wrote it.
  const type = (entry.externalFileAttributes >>> 16) & S_IFMT;
  if (type === S_IFLNK) return unsafe(name, 'is a symbolic link');
  if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) return unsafe(name, 'is not a file or a folder');
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8)
    return invalid(name, `uses compression method ${entry.compressionMethod}; only stored and deflated are read`);
  if (entry.uncompressedSize > rules.maxEntryBytes)
    return unsafe(name, `is ${entry.uncompressedSize} bytes, past the limit of ${rules.maxEntryBytes}`);
  if (total + entry.uncompressedSize > rules.maxTotalBytes)
    return unsafe(name, `takes the archive past the limit of ${rules.maxTotalBytes} bytes in all`);
  if (
    entry.uncompressedSize > rules.ratioFloor &&
    entry.uncompressedSize > Math.max(entry.compressedSize, 1) * rules.maxRatio
  )
    return unsafe(name, `inflates more than ${rules.maxRatio} times (a zip bomb?)`);
  return undefined;
}
