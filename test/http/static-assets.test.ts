import fs from 'node:fs';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app.js';

const testApp = useTestApp();
const IMMUTABLE = 'public, max-age=31536000, immutable';
const themeAssets = path.resolve('themes/default/assets');
const adminAssets = path.resolve('src/http/admin/assets');

const files = [
  ['/assets/style.css', path.join(themeAssets, 'style.css'), 'text/css; charset=utf-8'],
  ['/assets/site.js', path.join(themeAssets, 'site.js'), 'application/javascript; charset=utf-8'],
  ['/admin/assets/admin.css', path.join(adminAssets, 'admin.css'), 'text/css; charset=utf-8'],
  ['/admin/assets/editor.js', path.join(adminAssets, 'editor.js'), 'application/javascript; charset=utf-8'],
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
