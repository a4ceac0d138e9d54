import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { HearthError } from '../../src/errors.js';
import { openZip, type ZipLimits } from '../../src/shared/zip.js';
import { buildZip, type RawEntry } from '../helpers/zip-builder.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-zip-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
function write(bytes: Buffer): string {
  const file = path.join(dir, `z${n++}.zip`);
  fs.writeFileSync(file, bytes);
  return file;
}

async function refusal(file: string, limits: Partial<ZipLimits> = {}, read?: string): Promise<HearthError> {
  try {
    const zip = await openZip(file, limits);
    try {
      if (read) await zip.readBuffer(read);
    } finally {
      zip.close();
    }
  } catch (error) {
    expect(error).toBeInstanceOf(HearthError);
    return error as HearthError;
  }
  throw new Error('the archive was not refused');
}

async function yazlZip(files: Record<string, Buffer>): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const [name, data] of Object.entries(files)) zip.addBuffer(data, name);
  zip.end();
  const file = path.join(dir, `y${n++}.zip`);
  await new Promise<void>((resolve, reject) =>
    zip.outputStream.pipe(fs.createWriteStream(file)).on('close', resolve).on('error', reject),
  );
  return file;
}

describe('openZip', () => {
  it('lists and reads the entries of a sound archive, names in UTF-8', async () => {
    const file = await yazlZip({
      'hearth-archive.json': Buffer.from('{"a":1}'),
      'media/2026/11/café-ünïcode.jpg': Buffer.from([1, 2, 3]),
      'tables/posts.jsonl': Buffer.from('x\n'.repeat(5000)),
    });
    const zip = await openZip(file);
    try {
      expect(zip.entries.map((e) => [e.name, e.size])).toEqual([
        ['hearth-archive.json', 7],
        ['media/2026/11/café-ünïcode.jpg', 3],
        ['tables/posts.jsonl', 10000],
      ]);
      expect(zip.has('media/2026/11/café-ünïcode.jpg')).toBe(true);
      expect((await zip.readBuffer('hearth-archive.json')).toString()).toBe('{"a":1}');
      expect((await zip.readBuffer('tables/posts.jsonl')).length).toBe(10000);
      await expect(zip.readBuffer('nope')).rejects.toMatchObject({ code: 'HEARTH_ERR_ARCHIVE_INVALID' });
    } finally {
      zip.close();
    }
  });

  it.each([
    ['../x', 'climbs out'],
    ['media/../../x', 'climbs out'],
    ['/etc/x', 'absolute path'],
    ['C:/Windows/x', 'drive letter'],
    ['media\\..\\..\\x', 'backslash'],
  ])('refuses the entry name %s', async (name, reason) => {
    const error = await refusal(write(buildZip([{ name: 'ok.txt', data: Buffer.from('ok') }, { name }])));
    expect(error.code).toBe('HEARTH_ERR_ARCHIVE_UNSAFE');
    expect(error.message).toContain(`"${name}"`);
    expect(error.message).toContain(reason);
  });

  it('refuses a symbolic link, a device and an encrypted entry', async () => {
    const link: RawEntry = { name: 'media/link', data: Buffer.from('/etc/passwd'), method: 0, mode: 0o120777 };
    expect((await refusal(write(buildZip([link])))).message).toContain('"media/link" is a symbolic link');
    const fifo: RawEntry = { name: 'fifo', mode: 0o010644 };
    expect((await refusal(write(buildZip([fifo])))).message).toContain('not a file or a folder');
    const secret: RawEntry = { name: 'secret.txt', data: Buffer.from('x'), flags: 1 };
    expect((await refusal(write(buildZip([secret])))).message).toContain('"secret.txt" is encrypted');
  });

  it('refuses more entries, a larger entry or a larger total than the limits', async () => {
    const three = write(buildZip(['a', 'b', 'c'].map((name) => ({ name, data: Buffer.from(name) }))));
    expect((await refusal(three, { maxEntries: 2 })).message).toContain('"c" is past the limit of 2 entries');
    const big = write(buildZip([{ name: 'big', data: Buffer.alloc(5000, 7) }]));
    expect((await refusal(big, { maxEntryBytes: 4096 })).message).toContain('"big" is 5000 bytes');
    const two = write(
      buildZip([
        { name: 'p', data: Buffer.alloc(3000) },
        { name: 'q', data: Buffer.alloc(3000) },
      ]),
    );
    expect((await refusal(two, { maxTotalBytes: 5000 })).message).toContain('"q" takes the archive past');
  });

  it('refuses a bomb of zeros from its header', async () => {
    const bomb = write(buildZip([{ name: 'zeros.bin', data: Buffer.alloc(20 * 1024 * 1024) }]));
    const error = await refusal(bomb);
    expect(error.code).toBe('HEARTH_ERR_ARCHIVE_UNSAFE');
    expect(error.message).toContain('"zeros.bin" inflates more than 200 times');
  });

  it('stops a bomb whose header lies about its size while inflating', async () => {
    const liar = write(buildZip([{ name: 'small.txt', data: Buffer.alloc(20 * 1024 * 1024), declaredSize: 100 }]));
    const zip = await openZip(liar);
    try {
      const error = await zip.readBuffer('small.txt').catch((e: unknown) => e as HearthError);
      expect(error).toMatchObject({ code: 'HEARTH_ERR_ARCHIVE_UNSAFE' });
      expect((error as Error).message).toContain('"small.txt" inflates past its declared size of 100 bytes');
    } finally {
      zip.close();
    }
  });

  it('refuses a damaged entry (CRC-32), a truncated file and a file that is not a zip', async () => {
    const damaged = write(buildZip([{ name: 'a.txt', data: Buffer.from('hello'), crc: 1234 }]));
    const crc = await refusal(damaged, {}, 'a.txt');
    expect(crc.code).toBe('HEARTH_ERR_ARCHIVE_INVALID');
    expect(crc.message).toContain('a.txt: is damaged');
    const whole = buildZip([{ name: 'a.txt', data: Buffer.from('hello '.repeat(1000)) }]);
    const truncated = await refusal(write(whole.subarray(0, Math.floor(whole.length / 2))));
    expect(truncated.code).toBe('HEARTH_ERR_ARCHIVE_INVALID');
    expect(truncated.message).toContain('not a zip archive, or a damaged one');
    const text = await refusal(write(Buffer.from('just some text, not an archive\n')));
    expect(text.code).toBe('HEARTH_ERR_ARCHIVE_INVALID');
    const empty = await refusal(write(Buffer.alloc(0)));
    expect(empty.code).toBe('HEARTH_ERR_ARCHIVE_INVALID');
  });

  it('refuses the same name twice', async () => {
    const twice = write(
      buildZip([
        { name: 'a', data: Buffer.from('1') },
        { name: 'a', data: Buffer.from('2') },
      ]),
    );
    expect((await refusal(twice)).message).toContain('a: appears twice');
  });
});
