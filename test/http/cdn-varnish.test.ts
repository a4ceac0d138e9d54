import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { App } from '../../src/main.js';
import { cacheTagsFor } from '../../src/render/page-cache.js';
import { AdminClient } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';
import { findBinary, freePort, rawRequest, stopChild, waitUntilUp } from '../helpers/servers.js';

/*
 * A real Varnish, with the VCL that deploy/varnish/hearth.vcl ships, in front of a real
 * Hearth whose purge hook (HEARTH_PURGE_URL, method PURGE) points at it: pages are kept a
 * day, and a write through Hearth drops exactly the pages that carry its tags.
 */

const VARNISHD = findBinary('varnishd');

// Under CI a missing Varnish fails the file instead of skipping the tests.
if (VARNISHD === undefined && process.env.CI)
  throw new Error('varnishd is missing: .ci/run installs it (apt-get install varnish)');

const VCL = path.resolve(import.meta.dirname, '../../deploy/varnish/hearth.vcl');
const PASSWORD = 'a long password for the cdn test';

const request = rawRequest;

describe.skipIf(VARNISHD === undefined)('Varnish in front of Hearth, purged by tag', () => {
  let app: App;
  let varnish: ChildProcess;
  let dir: string;
  let base = '';
  let slugs: string[] = [];

  beforeAll(async () => {
    const varnishPort = await freePort();
    base = `http://127.0.0.1:${varnishPort}`;
    app = await createTestApp({
      trustProxy: loadConfig({ HEARTH_TRUST_PROXY: 'true' }).trustProxy,
      purge: loadConfig({ HEARTH_PURGE_URL: `${base}/`, HEARTH_PURGE_METHOD: 'PURGE' }).purge,
    });
    await app.server.listen({ port: 0, host: '127.0.0.1' });
    const hearthPort = (app.server.server.address() as net.AddressInfo).port;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-varnish-'));
    // The shipped VCL, with the port this Hearth listens on.
    const vcl = fs.readFileSync(VCL, 'utf8');
    expect(vcl).toContain('.port = "3000";');
    fs.writeFileSync(path.join(dir, 'hearth.vcl'), vcl.replace('.port = "3000";', `.port = "${hearthPort}";`));
    // -j none: no privilege separation (varnishd otherwise reads the VCL as another user);
    // -T none: no management port.
    varnish = spawn(
      VARNISHD as string,
      [
        '-F',
        '-j',
        'none',
        '-n',
        path.join(dir, 'work'),
        '-a',
        `127.0.0.1:${varnishPort}`,
        '-f',
        path.join(dir, 'hearth.vcl'),
        '-s',
        'malloc,32m',
        '-T',
        'none',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await waitUntilUp(varnish, async () => (await request(`${base}/healthz`)).status === 200, 'varnishd', 10);
    const rows = await app.database.db
      .selectFrom('posts')
      .select('slug')
      .where('status', '=', 'published')
      .where('type', '=', 'post')
      .orderBy('id')
      .limit(4)
      .execute();
    slugs = rows.map((r) => r.slug);
    expect(slugs).toHaveLength(4);
  }, 60_000);

  afterAll(async () => {
    await stopChild(varnish);
    await app?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Asks twice through Varnish: the second answer must come from its cache. */
  const cacheThroughVarnish = async (url: string) => {
    const first = await request(base + url);
    expect(first.status, url).toBe(200);
    const second = await request(base + url);
    expect(second.headers['x-cache'], url).toBe('HIT');
  };

  it('keeps a public page: the second request is a hit, with its age', async () => {
    const url = `/${slugs[0]}/`;
    const direct = await app.server.inject({ method: 'GET', url });
    // Hearth tells the purged cache a day, any other shared cache a minute.
    expect(direct.headers['surrogate-control']).toBe('max-age=86400');
    expect(direct.headers['cache-control']).toBe('public, max-age=0, s-maxage=60, must-revalidate');
    expect(direct.headers['surrogate-key']).toContain(`post:`);
    const first = await request(base + url);
    expect(first.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    const second = await request(base + url);
    expect(second.headers['x-cache']).toBe('HIT');
    expect(Number(second.headers.age)).toBeGreaterThanOrEqual(1);
    expect(second.body).toBe(first.body);
    // What clients and caches beyond Varnish see: the minute, without the tags.
    expect(second.headers['cache-control']).toBe('public, max-age=0, s-maxage=60, must-revalidate');
    expect(second.headers['surrogate-key']).toBeUndefined();
    expect(second.headers['surrogate-control']).toBeUndefined();
    // The admin is never kept.
    await request(`${base}/admin/login`);
    expect((await request(`${base}/admin/login`)).headers['x-cache']).toBe('MISS');
  });

  it('drops exactly the pages a comment approved through Hearth shows on, and keeps the others', async () => {
    const urls = [
      '/',
      ...slugs.map((s) => `/${s}/`),
      '/feed/',
      '/sitemap.xml',
      '/comments/feed/',
      `/${slugs[1]}/comments/atom.xml`,
    ];
    const tagsOf = new Map<string, string[]>();
    for (const url of urls) {
      const res = await app.server.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      tagsOf.set(url, String(res.headers['surrogate-key']).split(' '));
      await cacheThroughVarnish(url);
    }

    // A comment on the second post, sent through Varnish as a visitor would, and approved
    // by the owner in the admin.
    const post = await app.database.db
      .selectFrom('posts')
      .select('id')
      .where('slug', '=', slugs[1] as string)
      .executeTakeFirstOrThrow();
    const sent = await request(`${base}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        post_id: String(post.id),
        name: 'Wren Visitor',
        email: 'wren@example.org',
        body: 'A comment that the CDN must show once it is approved.',
      }).toString(),
    });
    expect(sent.status).toBe(303);
    const comment = await app.database.db
      .selectFrom('comments')
      .select(['id', 'status'])
      .where('post_id', '=', post.id)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(comment.status).not.toBe('approved');
    await app.services.users.create({
      name: 'Olive Owner',
      email: 'olive@example.org',
      password: PASSWORD,
      role: 'owner',
    });
    const owner = new AdminClient(app.server);
    await owner.signIn('olive@example.org', PASSWORD);
    await owner.get('/admin/comments?status=pending');
    const approved = await owner.post(`/admin/comments/${comment.id}/action`, { action: 'approve', tab: 'pending' });
    expect(approved.statusCode).toBe(303);
    await app.purge?.settled();

    const purgedTags = cacheTagsFor({ kind: 'comment', postId: post.id });
    const expected: Record<string, string> = {};
    const seen: Record<string, string> = {};
    for (const url of urls) {
      const touched = (tagsOf.get(url) ?? []).some((t) => purgedTags.includes(t));
      expected[url] = touched ? 'MISS' : 'HIT';
      const res = await request(base + url);
      seen[url] = String(res.headers['x-cache']);
      if (url === `/${slugs[1]}/`) expect(res.body).toContain('A comment that the CDN must show');
    }
    expect(seen).toEqual(expected);
    // Both kinds happened: the post's page and the comments feed went, other posts stayed.
    expect(seen[`/${slugs[1]}/`]).toBe('MISS');
    expect(seen[`/${slugs[2]}/`]).toBe('HIT');
  });

  it('shows a post edited through Hearth at once, though Varnish may keep it a day', async () => {
    const url = `/${slugs[3]}/`;
    await cacheThroughVarnish(url);
    const post = await app.database.db
      .selectFrom('posts')
      .select('id')
      .where('slug', '=', slugs[3] as string)
      .executeTakeFirstOrThrow();
    await app.services.posts.update(post.id, { title: 'A title changed behind the cache' });
    await app.purge?.settled();
    const res = await request(base + url);
    expect(res.headers['x-cache']).toBe('MISS');
    expect(res.body).toContain('A title changed behind the cache');
  });

  it('takes purges only from Hearth’s machine, and only well-formed tags', async () => {
    const fromElsewhere = await request(`${base}/`, {
      method: 'PURGE',
      headers: { 'surrogate-key': 'site' },
      localAddress: '127.0.0.2',
    });
    expect(fromElsewhere.status).toBe(403);
    for (const bad of ['', 'post:1|.*', 'site  posts', 'a"b']) {
      const res = await request(`${base}/`, { method: 'PURGE', headers: { 'surrogate-key': bad } });
      expect(res.status, bad).toBe(400);
    }
    // Nothing was dropped by these.
    await cacheThroughVarnish(`/${slugs[0]}/`);
    expect((await request(`${base}/${slugs[0]}/`)).headers['x-cache']).toBe('HIT');
  });
});
