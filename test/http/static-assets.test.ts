import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, useTestApp } from '../helpers/app.js';

const testApp = useTestApp();
const IMMUTABLE = 'public, max-age=31536000, immutable';
const themeAssets = path.resolve('themes/default/assets');
const adminAssets = path.resolve('src/http/admin/assets');
// The editor's bundle, built by `npm run build` (scripts/build-editor.mjs), named by its hash.
const adminBuild = path.resolve('dist/admin-build');
const editorBundle = JSON.parse(fs.readFileSync(path.join(adminBuild, 'manifest.json'), 'utf8'))['editor.js'] as string;

const files = [
  ['/assets/style.css', path.join(themeAssets, 'style.css'), 'text/css; charset=utf-8'],
  ['/assets/site.js', path.join(themeAssets, 'site.js'), 'application/javascript; charset=utf-8'],
  ['/admin/assets/admin.css', path.join(adminAssets, 'admin.css'), 'text/css; charset=utf-8'],
  ['/admin/assets/editor.css', path.join(adminAssets, 'editor.css'), 'text/css; charset=utf-8'],
  [`/admin/build/${editorBundle}`, path.join(adminBuild, editorBundle), 'application/javascript; charset=utf-8'],
] as const;

describe('theme and admin assets', () => {
  it.each(files)(
    '%s is sent as brotli or gzip to a client that accepts it, identical once decoded',
    async (url, file, type) => {
      const original = fs.readFileSync(file);
      const get = (encoding?: string) =>
        testApp.app.server.inject({ url, headers: encoding ? { 'accept-encoding': encoding } : {} });

      const br = await get('gzip, deflate, br');
      expect(br.statusCode).toBe(200);
      expect(br.headers['content-encoding']).toBe('br');
      expect(br.rawPayload.length).toBeLessThan(original.length);
      expect(brotliDecompressSync(br.rawPayload).equals(original)).toBe(true);

      const gzip = await get('gzip');
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gzip.rawPayload).equals(original)).toBe(true);

      const identity = await get();
      expect(identity.headers['content-encoding']).toBeUndefined();
      expect(identity.rawPayload.equals(original)).toBe(true);
      const refused = await get('br;q=0, gzip;q=0');
      expect(refused.headers['content-encoding']).toBeUndefined();

      for (const res of [br, gzip, identity]) {
        expect(res.headers['content-type']).toBe(type);
        expect(res.headers['cache-control']).toBe(IMMUTABLE);
        expect(res.headers.vary).toMatch(/accept-encoding/i);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
      }
      // Each encoding is its own representation, with its own validator.
      const etags = [br, gzip, identity].map((r) => r.headers.etag);
      expect(new Set(etags).size).toBe(3);
      const again = await testApp.app.server.inject({
        url,
        headers: { 'accept-encoding': 'br', 'if-none-match': String(br.headers.etag) },
      });
      expect(again.statusCode).toBe(304);
    },
  );

  it('still answers 404 for a file that is not there, and refuses paths out of the folder', async () => {
    for (const url of ['/assets/nothing.css', '/assets/../package.json', '/assets/%2e%2e/theme.json']) {
      const res = await testApp.app.server.inject({ url, headers: { 'accept-encoding': 'br' } });
      expect([403, 404], url).toContain(res.statusCode);
    }
  });
});

const version = (bytes: Buffer) => createHash('sha1').update(bytes).digest('hex').slice(0, 10);

describe('the static asset cache', () => {
  const folders: string[] = [];
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-static-'));
    folders.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts without a writable cache folder, and serves the assets uncompressed', async () => {
    // Tests run as root, where a read-only mode stops nothing: a file stands where the folder goes.
    const dataDir = tempDir();
    fs.writeFileSync(path.join(dataDir, 'cache'), 'not a folder');
    const app = await createTestApp({ dataDir, demo: false });
    try {
      const res = await app.server.inject({ url: '/assets/style.css', headers: { 'accept-encoding': 'br' } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.rawPayload.equals(fs.readFileSync(path.join(themeAssets, 'style.css')))).toBe(true);
      const admin = await app.server.inject({ url: '/admin/assets/admin.css' });
      expect(admin.statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('removes copies unused for an hour and half-made ones, and keeps recent ones', async () => {
    const dataDir = tempDir();
    const cache = path.join(dataDir, 'cache', 'static');
    const old = path.join(cache, '0123456789abcdef');
    const recent = path.join(cache, 'fedcba9876543210');
    const staleTmp = path.join(cache, '0123456789abcdef.1.0a0b0c0d.tmp');
    const freshTmp = path.join(cache, '0123456789abcdef.2.0a0b0c0d.tmp');
    for (const dir of [old, recent, staleTmp, freshTmp]) fs.mkdirSync(path.join(dir, 'x'), { recursive: true });
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000);
    fs.utimesSync(old, hoursAgo(2), hoursAgo(2));
    fs.utimesSync(staleTmp, hoursAgo(1), hoursAgo(1));
    const app = await createTestApp({ dataDir, demo: false });
    try {
      expect(fs.existsSync(old)).toBe(false);
      expect(fs.existsSync(staleTmp)).toBe(false);
      expect(fs.existsSync(recent)).toBe(true);
      expect(fs.existsSync(freshTmp)).toBe(true);
      // The current copies stay, however old they are: theme, admin, the editor's bundle, and the two recent ones.
      expect(fs.readdirSync(cache)).toHaveLength(5);
      expect((await app.server.inject({ url: '/assets/style.css' })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  describe('with a theme of its own', () => {
    const themeDir = path.join(tempDir(), 'theme');
    let app: Awaited<ReturnType<typeof createTestApp>>;
    let original: Buffer;
    beforeAll(async () => {
      fs.cpSync(path.resolve('themes/default'), themeDir, { recursive: true });
      const assets = path.join(themeDir, 'assets');
      fs.mkdirSync(path.join(assets, 'more'));
      fs.symlinkSync('../style.css', path.join(assets, 'more', 'linked.css'));
      fs.symlinkSync(path.resolve('package.json'), path.join(assets, 'outside.json'));
      fs.symlinkSync('nowhere.css', path.join(assets, 'dangling.css'));
      original = fs.readFileSync(path.join(assets, 'style.css'));
      app = await createTestApp({ themeDir });
      // Edited while the server runs, before any page asks for its URL.
      fs.appendFileSync(path.join(assets, 'style.css'), '\nbody { color: red; }\n');
    });
    afterAll(async () => {
      await app?.close();
    });

    it('serves a file linked from inside the theme, and not one linked from outside it', async () => {
      const linked = await app.server.inject({ url: '/assets/more/linked.css', headers: { 'accept-encoding': 'br' } });
      expect(linked.statusCode).toBe(200);
      expect(brotliDecompressSync(linked.rawPayload).equals(original)).toBe(true);
      for (const url of ['/assets/outside.json', '/assets/dangling.css']) {
        expect((await app.server.inject({ url })).statusCode, url).toBe(404);
      }
    });

    it('versions asset URLs by the bytes served, even after the theme is edited', async () => {
      const page = await app.server.inject({ url: '/' });
      expect(page.statusCode).toBe(200);
      const url = /href="(\/assets\/style\.css\?v=[0-9a-f]+)"/.exec(page.body)?.[1];
      expect(url).toBe(`/assets/style.css?v=${version(original)}`);
      const served = await app.server.inject({ url: String(url) });
      expect(served.rawPayload.equals(original)).toBe(true);
    });
  });
});
