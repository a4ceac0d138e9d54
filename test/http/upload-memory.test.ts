import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { AdminClient } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';

// A large photo sent to a listening server over a socket, read from disk as it goes, so that
// the only copy of it in this process would be one the server made.
const PASSWORD = 'correct horse battery';
let app: App;
let base: string;
let dir: string;
let photo: string;
let scratch: string;
const tmpdir = process.env.TMPDIR;

beforeAll(async () => {
  app = await createTestApp({ demo: false, mediaMaxBytes: 12 * 1024 * 1024 });
  await app.services.users.create({ name: 'Owner', email: 'owner@example.org', password: PASSWORD, role: 'owner' });
  await app.server.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.server.address() as AddressInfo).port}`;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-memory-test-'));
  // The server's temporary files go to a folder of this test's own, to see them go.
  scratch = path.join(dir, 'tmp');
  fs.mkdirSync(scratch);
  process.env.TMPDIR = scratch;
  photo = path.join(dir, 'big.jpg');
  // Noise hardly compresses: 4000 × 3000 pixels make a JPEG of about 10 MB.
  await sharp({
    create: {
      width: 4000,
      height: 3000,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 50 },
    },
  })
    .jpeg({ quality: 95 })
    .toFile(photo);
}, 120_000);
afterAll(async () => {
  if (tmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = tmpdir;
  await app?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

type Usage = { heapUsed: number; arrayBuffers: number };

// A full garbage collection on demand, to tell what is held from what is not yet collected.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/**
 * Posts a file from disk as the editor's script does, sampling this process's memory: the
 * highest growth while the server receives the upload (until the media library is handed
 * it) and while it encodes and stores it (variants are small Buffers). With `held`, each
 * sample while receiving follows a full collection (every 100 ms, and when the upload is
 * handed over): what is held, not what awaits collection.
 */
async function streamUpload(client: AdminClient, file: string, held: boolean) {
  const boundary = '----hearthmemory';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="alt"\r\n\r\nNoise\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const size = head.length + fs.statSync(file).size + tail.length;
  const media = app.services.media;
  const upload = media.upload.bind(media);
  gc();
  const start = process.memoryUsage();
  const receiving: Usage = { heapUsed: 0, arrayBuffers: 0 };
  const encoding: Usage = { heapUsed: 0, arrayBuffers: 0 };
  let phase = receiving;
  const sample = () => {
    if (held && phase === receiving) gc();
    const m = process.memoryUsage();
    phase.heapUsed = Math.max(phase.heapUsed, m.heapUsed - start.heapUsed);
    phase.arrayBuffers = Math.max(phase.arrayBuffers, m.arrayBuffers - start.arrayBuffers);
  };
  const timer = setInterval(sample, held ? 100 : 2);
  // The route calls the library as before; this only notes when the upload has been received.
  media.upload = (...args) => {
    sample();
    phase = encoding;
    return upload(...args);
  };
  try {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      // A connection of its own, closed after the answer: a kept-alive one holds on to the last request.
      const req = http.request(`${base}/admin/media/upload`, {
        agent: false,
        method: 'POST',
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(size),
          cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
          'x-csrf-token': client.csrf,
          accept: 'application/json',
        },
      });
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write(head);
      const source = fs.createReadStream(file);
      source.on('error', reject);
      source.on('end', () => req.end(tail));
      source.pipe(req, { end: false });
    });
    sample();
    return { answer, receiving, encoding };
  } finally {
    clearInterval(timer);
    media.upload = upload;
  }
}

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
const show = (u: Usage) => `heapUsed +${mb(u.heapUsed)}, arrayBuffers +${mb(u.arrayBuffers)}`;

describe('a large upload', () => {
  it('goes to disk as it arrives: memory does not grow by the size of the photo', async () => {
    const client = new AdminClient(app.server);
    expect((await client.signIn('owner@example.org', PASSWORD)).statusCode).toBe(303);
    await client.get('/admin/media');
    const bytes = fs.statSync(photo).size;
    // Allocated (without collections) it varies with the collector; what is held is what counts.
    const { answer, receiving } = await streamUpload(client, photo, true);
    expect(answer.status, answer.body).toBe(201);
    console.log(`upload of ${mb(bytes)}, held (after a collection): receiving ${show(receiving)}`);
    // Held whole, the photo alone would add its size (twice that while its chunks are joined).
    expect(receiving.heapUsed + receiving.arrayBuffers).toBeLessThan(bytes / 2);
    // The scratch folders of the uploads are gone.
    expect(fs.readdirSync(scratch)).toEqual([]);
  }, 300_000);

  it('leaves no temporary file behind when the client goes away halfway', async () => {
    const client = new AdminClient(app.server);
    expect((await client.signIn('owner@example.org', PASSWORD)).statusCode).toBe(303);
    await client.get('/admin/media');
    const before = (await app.services.media.list()).total;
    const boundary = '----hearthgone';
    const req = http.request(`${base}/admin/media/upload`, {
      agent: false,
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(10_000_000),
        cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        'x-csrf-token': client.csrf,
        accept: 'application/json',
      },
    });
    req.on('error', () => undefined);
    req.write(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="gone.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
    );
    req.write(fs.readFileSync(photo).subarray(0, 1_000_000));
    const until = async (done: () => boolean) => {
      for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
      return done();
    };
    // The server has begun writing the upload to disk; then the client is gone.
    expect(await until(() => fs.readdirSync(scratch).length > 0)).toBe(true);
    req.destroy();
    expect(await until(() => fs.readdirSync(scratch).length === 0)).toBe(true);
    expect((await app.services.media.list()).total).toBe(before);
  });

  it('refuses an avatar over the limit as before (413), storing nothing and leaving no temporary file', async () => {
    const client = new AdminClient(app.server);
    expect((await client.signIn('owner@example.org', PASSWORD)).statusCode).toBe(303);
    await client.get('/admin/profile');
    const before = (await app.services.media.list()).total;
    const boundary = '----hearthavatar';
    const payload = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${client.csrf}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="avatar"; filename="me.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
      ),
      fs.readFileSync(photo),
      Buffer.alloc(4 * 1024 * 1024, 7),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await client.request({
      method: 'POST',
      url: '/admin/profile/avatar',
      payload,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(res.statusCode).toBe(413);
    expect(res.body).toContain('request file too large');
    expect((await app.services.media.list()).total).toBe(before);
    expect(fs.readdirSync(scratch)).toEqual([]);
  });
});
