import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteMedia, isPublicAddress, REMOTE_MEDIA_USER_AGENT } from '../../src/domain/portability/index.js';

describe('isPublicAddress', () => {
  const table: [string, boolean][] = [
    ['10.0.0.1', false],
    ['10.255.255.255', false],
    ['172.16.0.1', false],
    ['172.31.255.254', false],
    ['192.168.1.1', false],
    ['169.254.169.254', false],
    ['100.64.0.1', false],
    ['100.127.255.254', false],
    ['127.0.0.1', false],
    ['127.0.0.2', false],
    ['0.0.0.0', false],
    ['255.255.255.255', false],
    ['224.0.0.1', false],
    ['239.255.255.250', false],
    ['192.0.2.10', false],
    ['::1', false],
    ['::', false],
    ['fc00::1', false],
    ['fd12:3456:789a::1', false],
    ['fe80::1', false],
    ['ff02::1', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:10.1.2.3', false],
    ['::ffff:192.168.0.1', false],
    ['64:ff9b::a00:1', false],
    ['2002:a00:1::1', false],
    ['2001:db8::1', false],
    ['not an address', false],
    ['', false],
    ['93.184.215.14', true],
    ['8.8.8.8', true],
    ['1.1.1.1', true],
    ['172.32.0.1', true],
    ['100.128.0.1', true],
    ['::ffff:8.8.8.8', true],
    ['2606:4700:4700::1111', true],
    ['2a00:1450:4001:82b::200e', true],
  ];
  it.each(table)('%s is public: %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });
});

/** A local HTTP server whose routes the tests set; it records the requests it got. */
let server: http.Server;
let base: string;
let port: number;
const seen: { url: string; userAgent: string | undefined }[] = [];
let streamClosedAfter = -1;
const PHOTO = Buffer.from('not really a JPEG, but bytes all the same: ñ 写真');

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', userAgent: req.headers['user-agent'] });
    const url = new URL(req.url ?? '/', 'http://x');
    const hop = /^\/hops\/(\d+)$/.exec(url.pathname);
    if (url.pathname === '/photo.jpg') {
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': PHOTO.length });
      res.end(PHOTO);
    } else if (hop) {
      const left = Number(hop[1]);
      if (left === 0) res.writeHead(200).end(PHOTO);
      else res.writeHead(302, { location: `/hops/${left - 1}` }).end();
    } else if (url.pathname === '/to') {
      res.writeHead(301, { location: url.searchParams.get('where') ?? '/' }).end();
    } else if (url.pathname === '/missing') {
      res.writeHead(404).end('nothing here');
    } else if (url.pathname === '/endless') {
      // No Content-Length: only the streamed size can stop this one.
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      let sent = 0;
      const chunk = Buffer.alloc(16 * 1024, 7);
      const timer = setInterval(() => {
        sent += chunk.length;
        res.write(chunk);
      }, 1);
      res.on('close', () => {
        clearInterval(timer);
        streamClosedAfter = sent;
      });
    } else if (url.pathname === '/declared-huge') {
      res.writeHead(200, { 'content-length': String(1024 * 1024 * 1024) });
      res.write('abc');
    } else if (url.pathname === '/silent') {
      // Never answers.
    } else {
      res.writeHead(500).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const onlyLocal = (address: string) => address === '127.0.0.1';

describe('createRemoteMedia', () => {
  it('refuses the loopback address by default, by IP and by a name resolving to it, connecting to nothing', async () => {
    const media = createRemoteMedia();
    const before = seen.length;
    expect(await media.read('photo.jpg', `${base}/photo.jpg`)).toBeUndefined();
    expect(media.lastError(`${base}/photo.jpg`)).toBe('127.0.0.1 is not a public address');
    expect(await media.read('photo.jpg', `http://localhost:${port}/photo.jpg`)).toBeUndefined();
    expect(media.lastError(`http://localhost:${port}/photo.jpg`)).toBe(
      'the host localhost resolves to 127.0.0.1, which is not a public address',
    );
    expect(seen.length).toBe(before);
    expect(media.failures).toHaveLength(2);
  });

  it('downloads from an allowed address, through a name too, with its User-Agent', async () => {
    const media = createRemoteMedia({ allowAddress: onlyLocal });
    expect(await media.read('photo.jpg', `${base}/photo.jpg`)).toEqual(PHOTO);
    expect(seen.at(-1)?.userAgent).toBe(REMOTE_MEDIA_USER_AGENT);
    expect(await media.read('photo.jpg', `http://localhost:${port}/photo.jpg`)).toEqual(PHOTO);
    expect(media.failures).toEqual([]);
    expect(media.lastError(`${base}/photo.jpg`)).toBeUndefined();
  });

  it('follows up to 3 redirects and refuses a 4th', async () => {
    const media = createRemoteMedia({ allowAddress: onlyLocal });
    expect(await media.read('a.jpg', `${base}/hops/3`)).toEqual(PHOTO);
    expect(await media.read('a.jpg', `${base}/hops/4`)).toBeUndefined();
    expect(media.lastError(`${base}/hops/4`)).toBe('more than 3 redirects');
    const fewer = createRemoteMedia({ allowAddress: onlyLocal, maxRedirects: 0 });
    expect(await fewer.read('a.jpg', `${base}/hops/1`)).toBeUndefined();
    expect(fewer.lastError(`${base}/hops/1`)).toBe('more than 0 redirects');
  });

  it('checks every hop again: a redirect to another private address is refused', async () => {
    const media = createRemoteMedia({ allowAddress: onlyLocal });
    for (const [where, reason] of [
      [`http://127.0.0.2:${port}/photo.jpg`, '127.0.0.2 is not a public address'],
      [`http://[::1]:${port}/photo.jpg`, '::1 is not a public address'],
      [`http://[::ffff:127.0.0.1]:${port}/photo.jpg`, '::ffff:7f00:1 is not a public address'],
      [`http://169.254.169.254/latest/meta-data/`, '169.254.169.254 is not a public address'],
      // 2130706434 and 0x7f.0.0.2 are other spellings of 127.0.0.2; the URL parser writes them out.
      [`http://2130706434:${port}/photo.jpg`, '127.0.0.2 is not a public address'],
      [`http://0x7f.0.0.2:${port}/photo.jpg`, '127.0.0.2 is not a public address'],
    ] as const) {
      const url = `${base}/to?where=${encodeURIComponent(where)}`;
      const before = seen.length;
      expect(await media.read('a.jpg', url)).toBeUndefined();
      // Only the first hop reached the server.
      expect(seen.length - before).toBe(1);
      expect(media.lastError(url)).toBe(reason);
    }
  });

  it('refuses schemes other than http and https, also after a redirect', async () => {
    const media = createRemoteMedia({ allowAddress: onlyLocal });
    for (const url of ['file:///etc/passwd', 'ftp://127.0.0.1/a.jpg', 'data:image/png;base64,AAAA', 'gopher://x/']) {
      expect(await media.read('a.jpg', url)).toBeUndefined();
      expect(media.lastError(url)).toMatch(/URLs are not downloaded, only http and https$/);
    }
    const redirected = `${base}/to?where=${encodeURIComponent('file:///etc/passwd')}`;
    expect(await media.read('a.jpg', redirected)).toBeUndefined();
    expect(media.lastError(redirected)).toBe('file URLs are not downloaded, only http and https');
    expect(await media.read('a.jpg', 'not a url')).toBeUndefined();
    expect(media.lastError('not a url')).toBe('"not a url" is not a URL');
    expect(await media.read('a.jpg', `http://user:pw@127.0.0.1:${port}/photo.jpg`)).toBeUndefined();
  });

  it('gives up on an answer that is not 2xx', async () => {
    const media = createRemoteMedia({ allowAddress: onlyLocal });
    expect(await media.read('a.jpg', `${base}/missing`)).toBeUndefined();
    expect(media.lastError(`${base}/missing`)).toBe('HTTP 404');
    expect(await media.read('a.jpg', `${base}/boom`)).toBeUndefined();
    expect(media.lastError(`${base}/boom`)).toBe('HTTP 500');
  });

  it('aborts a body larger than the limit while it streams, and one that declares it', async () => {
    const media = createRemoteMedia({ allowAddress: onlyLocal, maxBytes: 256 * 1024 });
    expect(await media.read('a.jpg', `${base}/endless`)).toBeUndefined();
    expect(media.lastError(`${base}/endless`)).toBe('larger than 262144 bytes');
    await expect.poll(() => streamClosedAfter).toBeGreaterThan(0);
    // The server saw the connection closed soon after the limit, not after an endless body.
    expect(streamClosedAfter).toBeLessThan(16 * 1024 * 1024);
    expect(await media.read('a.jpg', `${base}/declared-huge`)).toBeUndefined();
    expect(media.lastError(`${base}/declared-huge`)).toBe('larger than 262144 bytes (1073741824 declared)');
  });

  it('gives up on a server that does not answer in time', async () => {
    const media = createRemoteMedia({ allowAddress: onlyLocal, timeoutMs: 300 });
    const started = Date.now();
    expect(await media.read('a.jpg', `${base}/silent`)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(media.lastError(`${base}/silent`)).toBe('took longer than 300 ms');
  });

  it('gives up on a connection that does not open in time (a TLS handshake that never comes)', async () => {
    const sockets: net.Socket[] = [];
    const mute = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(mute.address() as AddressInfo).port}/a.jpg`;
      const media = createRemoteMedia({ allowAddress: onlyLocal, connectTimeoutMs: 200, timeoutMs: 10_000 });
      const started = Date.now();
      expect(await media.read('a.jpg', url)).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(media.lastError(url)).toBe('could not connect within 200 ms');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => mute.close(resolve));
    }
  });

  it('reports a host that does not exist', async () => {
    const media = createRemoteMedia();
    expect(await media.read('a.jpg', 'http://no-such-host.invalid/a.jpg')).toBeUndefined();
    expect(media.lastError('http://no-such-host.invalid/a.jpg')).toMatch(/no-such-host\.invalid/);
  });
});
