import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { AdminClient } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';
import { htmlErrors } from '../helpers/nu-checker.js';

const PASSWORD = 'correct horse battery';
let app: App;

beforeAll(async () => {
  app = await createTestApp({ demo: false });
  for (const role of ['owner', 'author'] as const) {
    await app.services.users.create({ name: `${role} person`, email: `${role}@example.org`, password: PASSWORD, role });
  }
});
afterAll(async () => {
  await app?.close();
});

let lastIp = 0;
async function signedIn(role: string): Promise<AdminClient> {
  const client = new AdminClient(app.server, { ip: `192.0.2.${++lastIp}` });
  expect((await client.signIn(`${role}@example.org`, PASSWORD)).statusCode).toBe(303);
  return client;
}

const BODY = [
  'Plain words first.',
  '',
  '![A kettle on the hob](/media/kettle.jpg "Sunday morning")',
  '',
  '::: howto How to warm the pot',
  '1. **Boil.** Fresh water.',
  '2. **Swirl.** Then pour it away.',
  ':::',
  '',
  '::: ps',
  'Thanks to “Ana” & <friends>.',
  ':::',
  '',
  '<https://example.org/video>',
  '',
].join('\n');

describe('the editor page over HTTP', () => {
  it('saves a post from the plain form, as a browser without script sends it, keeping the Markdown exactly', async () => {
    const client = await signedIn('owner');
    const page = await client.get('/admin/posts/new');
    expect(page.body).toMatch(/<textarea id="post-body" name="body"/);
    // The toolbar and the status line are the script's: hidden without it.
    expect(page.body).toMatch(/<div class="toolbar" role="toolbar" aria-label="Formatting and blocks"[^>]* hidden>/);
    const saved = await client.post('/admin/posts/new', {
      title: 'Warming the pot',
      body: BODY.replace(/\n/g, '\r\n'),
      tags: 'tea, kitchen',
      status: 'draft',
      comments: 'on',
    });
    expect(saved.statusCode, saved.body).toBe(303);
    const id = Number(/\/admin\/posts\/(\d+)/.exec(String(saved.headers.location))?.[1]);
    const post = await app.services.editorial.forEditing({ id: 1, email: 'owner@example.org', role: 'owner' }, id);
    expect(post.body).toBe(BODY);
    const edit = await client.get(`/admin/posts/${id}`);
    expect(edit.body).toContain('Thanks to “Ana” &amp; &lt;friends&gt;.');
    // Tags already used are offered as suggestions.
    expect(edit.body).toMatch(
      /<datalist id="tag-suggestions"><option value="kitchen"><\/option><option value="tea"><\/option><\/datalist>/,
    );
  });

  it('allows CodeMirror’s styles by a nonce new on each response, and nothing more', async () => {
    const client = await signedIn('owner');
    const nonces = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const res = await client.get('/admin/posts/new');
      const csp = String(res.headers['content-security-policy']);
      const nonce = /style-src 'self' 'nonce-([A-Za-z0-9+/=]{24})'/.exec(csp)?.[1] as string;
      expect(nonce).toBeDefined();
      expect(res.body).toContain(`data-style-nonce="${nonce}"`);
      expect(csp).toContain("script-src 'self';");
      expect(csp).not.toContain('unsafe-inline');
      nonces.add(nonce);
    }
    expect(nonces.size).toBe(2);
    const other = await client.get('/admin');
    expect(other.headers['content-security-policy']).toContain("style-src 'self';");
  });

  it('loads the editor’s bundle by its hashed name, cached for a year', async () => {
    const client = await signedIn('owner');
    const page = await client.get('/admin/posts/new');
    const src = /<script src="(\/admin\/build\/editor-[A-Z0-9]+\.js)" type="module"><\/script>/.exec(page.body)?.[1];
    expect(src).toBeDefined();
    const bundle = await app.server.inject({ url: src as string, headers: { 'accept-encoding': 'br' } });
    expect(bundle.statusCode).toBe(200);
    expect(bundle.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(bundle.headers['content-encoding']).toBe('br');
    expect(bundle.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await app.server.inject({ url: '/admin/build/editor-NOPE.js' })).statusCode).toBe(404);
  });

  it('offers the editor’s note block to editors and above only', async () => {
    expect((await (await signedIn('owner')).get('/admin/posts/new')).body).toContain('data-md="note"');
    const author = await (await signedIn('author')).get('/admin/posts/new');
    expect(author.statusCode).toBe(200);
    expect(author.body).not.toContain('data-md="note"');
    expect(author.body).toContain('data-md="ps"');
  });

  it('is valid HTML, new and with a field in error', async () => {
    const client = await signedIn('owner');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-editor-'));
    const fresh = await client.get('/admin/posts/new');
    const wrong = await client.post('/admin/posts/new', { title: 'A', body: 'Text.', status: 'sometime' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('id="post-status-error"');
    const files = [
      ['new.html', fresh.body],
      ['error.html', wrong.body],
    ].map(([name, html]) => {
      const file = path.join(dir, name as string);
      fs.writeFileSync(file, html as string);
      return file;
    });
    expect(htmlErrors(files)).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
