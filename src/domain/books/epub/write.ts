import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { bookFiles, CONTAINER_XML } from './content.js';
import type { EpubBook } from './types.js';

/**
 * Writes the book as an EPUB 3 file. The zip is streamed to a temporary file beside `file`
 * and renamed over it when complete, so `file` is either the finished book or untouched; the
 * temporary file is removed if anything fails. Bad input is refused before anything is
 * written (`HEARTH_ERR_BOOK_EPUB_INVALID`, `HEARTH_ERR_BOOK_EPUB_IMAGE_TYPE`).
 */
export async function writeEpub(book: EpubBook, file: string): Promise<{ bytes: number }> {
  const files = bookFiles(book);
  const mtime = book.modified;
  const zip = new yazl.ZipFile();
  // The OCF rules: `mimetype` first, stored, with no extra field.
  zip.addBuffer(Buffer.from('application/epub+zip', 'ascii'), 'mimetype', {
    mtime,
    compress: false,
    forceDosTimestamp: true,
  });
  zip.addBuffer(Buffer.from(CONTAINER_XML, 'utf8'), 'META-INF/container.xml', { mtime });
  for (const entry of files) {
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : entry.data;
    // Compressed images do not shrink: store them.
    const compress = typeof entry.data === 'string' || entry.href.endsWith('.svg');
    zip.addBuffer(data, `EPUB/${entry.href}`, { mtime, compress });
  }
  zip.end();

  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.part`);
  try {
    await pipeline(zip.outputStream, createWriteStream(temporary, { flags: 'wx' }));
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return { bytes: (await stat(file)).size };
}
