import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { AdminClient } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';

/**
 * The admin's import page: an administrator uploads a WordPress export, follows its progress,
 * and reads the report; the import runs `hearth import` (the built CLI) in a child process.
 */
const PASSWORD = 'correct horse battery';
const fixture = fs.readFileSync(path.resolve('test/fixtures/wxr-family-blog.xml'));
let app: App;

beforeAll(async () => {
  if (!fs.existsSync(path.resolve('dist/cli/bin.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  app = await createTestApp();
  for (const role of ['administrator', 'author'] as const)
    await app.services.users.create({ name: `${role} person`, email: `${role}@example.org`, password: PASSWORD, role });
}, 60_000);
afterAll(async () => {
  await app?.close();
});

async function signedIn(role: string, ip: number): Promise<AdminClient> {
  const client = new AdminClient(app.server, { ip: `192.0.2.${ip}` });
  expect((await client.signIn(`${role}@example.org`, PASSWORD)).statusCode).toBe(303);
  return client;
}

function upload(client: AdminClient, file: { name: string; data: Buffer } | null, fields: Record<string, string> = {}) {
  const boundary = '----hearthimport9bX2';
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file)
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="export"; filename="${file.name}"\r\nContent-Type: text/xml\r\n\r\n`,
      ),
      file.data,
      Buffer.from('\r\n'),
    );
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return client.request({
    method: 'POST',
    url: `/admin/import?_csrf=${encodeURIComponent(client.csrf)}`,
    payload: Buffer.concat(parts),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
}

async function finished(
  client: AdminClient,
  url: string,
): Promise<{ state: string; done: number; total: number | null; error: string }> {
  for (let i = 0; i < 240; i++) {
    const res = await client.get(`${url}/status.json`);
    expect(res.statusCode).toBe(200);
    const job = res.json() as { state: string; done: number; total: number | null; error: string };
    if (job.state !== 'running') return job;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the import did not finish in 60 s');
}

describe('the admin import page', () => {
  it('imports an uploaded export, shows progress and the report', async () => {
    const admin = await signedIn('administrator', 30);
    const page = await admin.get('/admin/import');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('WordPress export (.xml) or Ghost export (.json)');
    // The site's home page is cached before the import: the import must drop it.
    expect((await app.server.inject('/')).body).not.toContain('/category/mending/');
    const res = await upload(admin, { name: 'export.xml', data: fixture });
    expect(res.statusCode).toBe(303);
    const url = res.headers.location as string;
    expect(url).toMatch(/^\/admin\/import\/[0-9a-f]{16}$/);
    const running = await admin.get(url);
    expect(running.statusCode).toBe(200);
    expect(running.body).toMatch(/<progress id="import-progress"/);
    const job = await finished(admin, url);
    expect(job.error).toBe('');
    expect(job.state).toBe('done');
    expect(job.total).toBe(13);
    const done = await admin.get(url);
    expect(done.body).toContain('The import is finished.');
    expect(done.body).toMatch(/<th scope="row">posts<\/th><td>11<\/td>/);
    expect(done.body).toContain('Only for us');
    expect(done.body).toContain('contact-form-7');
    expect(done.body).not.toContain('import.js'); // no script once it is done
    expect((await app.server.inject('/raised-beds/')).statusCode).toBe(200);
    expect((await app.server.inject('/')).body).toContain('/category/mending/'); // the menu lists the new categories
  }, 90_000);

  it('does a dry run without writing', async () => {
    const admin = await signedIn('administrator', 31);
    await admin.get('/admin/import');
    const text = fixture.toString('utf8').replace(/acorns\.example\.com/g, 'other.example.com');
    const res = await upload(admin, { name: 'other.xml', data: Buffer.from(text) }, { dry_run: 'on' });
    expect(res.statusCode).toBe(303);
    const job = await finished(admin, res.headers.location as string);
    expect(job.state).toBe('done');
    const done = await admin.get(res.headers.location as string);
    expect(done.body).toContain('nothing was written');
    const sources = await app.database.db.selectFrom('import_sources').select('source').distinct().execute();
    expect(sources.map((s) => s.source)).toEqual(['wordpress:acorns.example.com']);
  }, 90_000);

  it('says what is wrong with a file that is not an export, and with no file', async () => {
    const admin = await signedIn('administrator', 32);
    await admin.get('/admin/import');
    const none = await upload(admin, null);
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('Please choose the export file to import.');
    await admin.get('/admin/import');
    const res = await upload(admin, { name: 'list.xml', data: Buffer.from('not xml at all') });
    expect(res.statusCode).toBe(303);
    const job = await finished(admin, res.headers.location as string);
    expect(job.state).toBe('failed');
    expect(job.error).toContain('The WordPress export cannot be read');
    const page = await admin.get(res.headers.location as string);
    expect(page.body).toContain('The import failed, and nothing was written');
  }, 90_000);

  it('imports a Ghost export uploaded the same way', async () => {
    const admin = await signedIn('administrator', 35);
    await admin.get('/admin/import');
    const ghost = fs.readFileSync(path.resolve('test/unit/fixtures/ghost-6.x-lexical.json'));
    const res = await upload(admin, { name: 'workshop.ghost.json', data: ghost });
    expect(res.statusCode).toBe(303);
    const job = await finished(admin, res.headers.location as string);
    expect([job.state, job.error]).toEqual(['done', '']);
    expect((await app.server.inject('/opening-the-workshop/')).statusCode).toBe(200);
  }, 90_000);

  it('runs one import at a time, and keeps the report but not the uploaded file', async () => {
    const admin = await signedIn('administrator', 36);
    await admin.get('/admin/import');
    const first = await upload(admin, { name: 'export.xml', data: fixture }, { dry_run: 'on' });
    expect(first.statusCode).toBe(303);
    await admin.get('/admin/import');
    const second = await upload(admin, { name: 'export.xml', data: fixture }, { dry_run: 'on' });
    expect(second.statusCode).toBe(409);
    expect(second.body).toContain('An import is running');
    const url = first.headers.location as string;
    expect((await finished(admin, url)).state).toBe('done');
    const folder = path.join((app as App & { dataDir: string }).dataDir, 'imports', url.split('/').pop() as string);
    expect(fs.readdirSync(folder)).toEqual(['report.json']);
  }, 90_000);

  it('is for administrators only, with the form token', async () => {
    const author = await signedIn('author', 33);
    expect((await author.get('/admin/import')).statusCode).toBe(403);
    expect((await upload(author, { name: 'export.xml', data: fixture })).statusCode).toBe(403);
    const admin = await signedIn('administrator', 34);
    await admin.get('/admin/import');
    admin.csrf = 'forged';
    expect((await upload(admin, { name: 'export.xml', data: fixture })).statusCode).toBe(403);
    expect((await admin.get('/admin/import/0123456789abcdef')).statusCode).toBe(404);
  });
});
