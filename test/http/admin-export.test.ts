import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { openZip } from '../../src/shared/zip.js';
import { AdminClient } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';

const PASSWORD = 'correct horse battery';
let app: App;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-export-http-'));

beforeAll(async () => {
  app = await createTestApp();
  for (const role of ['administrator', 'editor'] as const) {
    await app.services.users.create({ name: `${role} person`, email: `${role}@example.org`, password: PASSWORD, role });
  }
});
afterAll(async () => {
  await app?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function signedIn(role: string, ip: number): Promise<AdminClient> {
  const client = new AdminClient(app.server, { ip: `192.0.2.${ip}` });
  expect((await client.signIn(`${role}@example.org`, PASSWORD)).statusCode).toBe(303);
  return client;
}

describe('GET /admin/export.zip', () => {
  it('is offered on the settings page and downloads the whole site as a zip', async () => {
    const admin = await signedIn('administrator', 31);
    const settings = await admin.get('/admin/settings');
    expect(settings.body).toContain('href="/admin/export.zip"');
    expect(settings.body).toContain('Download a full export');

    const res = await admin.get('/admin/export.zip');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="hearth-export-\d{4}-\d{2}-\d{2}\.zip"$/);
    expect(res.headers['cache-control']).toBe('no-store');
    const file = path.join(dir, 'download.zip');
    fs.writeFileSync(file, res.rawPayload);
    const zip = await openZip(file);
    try {
      const manifest = JSON.parse((await zip.readBuffer('hearth-archive.json')).toString('utf8'));
      expect(manifest).toMatchObject({ format: 'hearth-archive', version: 1, withPasswords: false });
      const posts = await app.database.db.selectFrom('posts').select('id').execute();
      expect(manifest.counts.posts).toBe(posts.length);
      expect(manifest.files).toBeGreaterThan(0);
      expect(zip.entries.filter((e) => e.name.startsWith('media/')).length).toBe(manifest.files);
      // No password hash travels through the browser.
      const users = (await zip.readBuffer('tables/users.jsonl')).toString('utf8').trim().split('\n');
      expect(users.map((line) => JSON.parse(line).password_hash)).toEqual(users.map(() => null));
      expect((await zip.readBuffer('tables/settings.jsonl')).toString('utf8')).not.toContain('internal.secret');
    } finally {
      zip.close();
    }
    const logged = await app.database.db
      .selectFrom('audit_log')
      .select(['action', 'actor_email'])
      .where('action', '=', 'site_exported')
      .execute();
    expect(logged).toEqual([{ action: 'site_exported', actor_email: 'administrator@example.org' }]);
  });

  it('is refused to an editor (403) and sends a signed-out visitor to sign in', async () => {
    const editor = await signedIn('editor', 32);
    const refused = await editor.get('/admin/export.zip');
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).not.toBe('application/zip');
    expect((await editor.get('/admin/settings')).statusCode).toBe(403);
    const anonymous = await app.server.inject('/admin/export.zip');
    expect([302, 303]).toContain(anonymous.statusCode);
    expect(anonymous.headers['content-type']).not.toBe('application/zip');
  });
});
