import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { isHearthError } from '../../src/errors.js';
import { mediaStoreFor } from '../../src/services.js';
import { createDiskMediaStore, type MediaStore } from '../../src/storage/index.js';
import { useS3Server } from '../helpers/s3.js';

const s3 = useS3Server(['media', 'other']);
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-store-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

/** The S3 store exactly as Hearth builds it from the environment an operator sets. */
const s3Store = (url: string, extra: Record<string, string> = {}) =>
  mediaStoreFor(loadConfig({ HEARTH_DATA_DIR: temp, HEARTH_MEDIA_URL: url, ...s3.server.env, ...extra }));

const stores: [string, () => MediaStore][] = [
  ['disk', () => createDiskMediaStore(path.join(temp, `disk-${Math.random().toString(36).slice(2)}`))],
  ['s3 (bucket root)', () => s3Store('s3://other')],
  ['s3 (prefix)', () => s3Store(`s3://media/blogs/${Math.random().toString(36).slice(2)}/`)],
];

describe.each(stores)('media store contract: %s', (_name, make) => {
  it('puts, reads, opens, stats, lists and removes files', async () => {
    const store = make();
    await store.check();
    const photo = Buffer.from('not really a jpeg, but bytes: ü 🌱');
    await store.put('2026/06/bath-480.jpg', photo);
    expect(await store.read('2026/06/bath-480.jpg')).toEqual(photo);

    const opened = await store.open('2026/06/bath-480.jpg');
    expect(opened?.size).toBe(photo.length);
    expect(opened?.contentType).toBe('image/jpeg');
    expect(opened?.etag).toMatch(/^"[^"]+"$/);
    if (!opened) throw new Error('not opened');
    expect(await text(opened.body)).toBe(photo.toString());
    const stat = await store.stat('2026/06/bath-480.jpg');
    expect(stat?.etag).toBe(opened?.etag);
    expect(stat?.lastModified.getTime()).toBeGreaterThan(Date.now() - 60_000);

    expect(await store.read('2026/06/missing.jpg')).toBeUndefined();
    expect(await store.open('2026/06/missing.jpg')).toBeUndefined();
    expect(await store.stat('2026/06/missing.jpg')).toBeUndefined();

    await store.put('2026/07/soup.avif', Buffer.from('avif'));
    const listed = [];
    for await (const file of store.list()) listed.push(file);
    expect(listed.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: '2026/06/bath-480.jpg', size: photo.length },
      { path: '2026/07/soup.avif', size: 4 },
    ]);

    await store.remove('2026/06/bath-480.jpg');
    await store.remove('2026/06/bath-480.jpg');
    expect(await store.read('2026/06/bath-480.jpg')).toBeUndefined();
  });

  it('streams a file from disk into the store (putFile), bytes intact', async () => {
    const store = make();
    const source = path.join(temp, 'large.bin');
    // 3 MiB of varied bytes: more than one chunk of any stream on the way.
    const data = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 10)) & 0xff;
    fs.writeFileSync(source, data);
    await store.putFile('2026/06/large.png', source);
    const back = await store.read('2026/06/large.png');
    expect(back?.length).toBe(data.length);
    expect(
      createHash('sha256')
        .update(back ?? '')
        .digest('hex'),
    ).toBe(createHash('sha256').update(data).digest('hex'));
    expect((await store.stat('2026/06/large.png'))?.contentType).toBe('image/png');
  });

  it('refuses paths that climb out or are not media paths', async () => {
    const store = make();
    for (const bad of ['../escape.jpg', 'a/../../b.jpg', '/abs.jpg', 'a//b.jpg', 'a/./b.jpg', '', 'a\\b.jpg']) {
      await expect(store.put(bad, Buffer.from('x')), bad).rejects.toThrow(/media path/);
      await expect(store.read(bad), bad).rejects.toThrow(/media path/);
    }
  });
});

describe('S3 store errors', () => {
  const expectStoreError = async (store: MediaStore, reason: RegExp) => {
    const error = await store.check().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isHearthError(error) && error.code).toBe('HEARTH_ERR_MEDIA_STORE');
    expect((error as Error).message).toMatch(reason);
  };

  it('a bucket that does not exist is named', async () => {
    await expectStoreError(s3Store('s3://no-such-bucket/x'), /the bucket "no-such-bucket" does not exist/);
  });

  // s3rver refuses an unknown access key but does not check SigV4 signatures (a wrong secret passes there).
  it('wrong credentials are said to be wrong', async () => {
    await expectStoreError(
      s3Store('s3://media', { AWS_ACCESS_KEY_ID: 'NOT-A-KEY' }),
      /access to the bucket "media" was refused: the credentials/,
    );
  });

  it('an endpoint that does not answer is named', async () => {
    await expectStoreError(
      s3Store('s3://media', { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9' }),
      /cannot reach http:\/\/127\.0\.0\.1:9/,
    );
  });
});
