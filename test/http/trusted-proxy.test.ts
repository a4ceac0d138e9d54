import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { trustProxyWarning } from '../../src/http/plugins/trust-proxy.js';
import type { App } from '../../src/main.js';
import { AdminClient } from '../helpers/admin-client.js';
import { createTestApp, form, postIdBySlug } from '../helpers/app.js';
import { findBinary, freePort, rawRequest, startNginx, stopChild, waitUntilUp } from '../helpers/servers.js';

/*
 * Behind a reverse proxy the visitor's address is the X-Forwarded-For entry the proxy
 * added, not the leftmost one, which the visitor writes. Forged entries must not escape
 * the per-address limits: first through inject, then through a real nginx.
 */

const NGINX = findBinary('nginx');

describe('HEARTH_TRUST_PROXY', () => {
  const trust = (value: string) => loadConfig({ HEARTH_TRUST_PROXY: value }).trustProxy;

  it('reads false, true as proxies on this machine, a number of proxies, and addresses or CIDR ranges', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(trust('false')).toBe(false);
    expect(trust('true')).toEqual(['loopback']);
    expect(trust('1')).toBe(1);
    expect(trust('2')).toBe(2);
    expect(trust('10.0.0.5, 192.168.0.0/16,::1,fd00::/8,loopback')).toEqual([
      '10.0.0.5',
      '192.168.0.0/16',
      '::1',
      'fd00::/8',
      'loopback',
    ]);
  });

  it('refuses anything else with a message that names the variable', () => {
    for (const bad of ['maybe', '21', '10.0.0.300', '10.0.0.0/33', '10.0.0.1,,10.0.0.2', 'proxy.example.org']) {
      expect(() => trust(bad)).toThrow(
        /^Configuration: HEARTH_TRUST_PROXY: must be false, true \(a proxy on this machine\)/,
      );
    }
  });

  it('warns at start when hops are trusted and Hearth listens beyond this machine', () => {
    const warning = (env: Record<string, string>) => trustProxyWarning(loadConfig(env));
    expect(warning({ HEARTH_TRUST_PROXY: '2', HEARTH_HOST: '0.0.0.0' })).toMatch(
      /^HEARTH_TRUST_PROXY=2 believes whoever connects, and HEARTH_HOST=0\.0\.0\.0 .* can forge/,
    );
    expect(warning({ HEARTH_TRUST_PROXY: '2', HEARTH_HOST: '127.0.0.1' })).toBeUndefined();
    expect(warning({ HEARTH_TRUST_PROXY: '1', HEARTH_HOST: '::1' })).toBeUndefined();
    expect(warning({ HEARTH_TRUST_PROXY: 'true', HEARTH_HOST: '0.0.0.0' })).toBeUndefined();
    expect(warning({ HEARTH_TRUST_PROXY: '10.0.0.5', HEARTH_HOST: '0.0.0.0' })).toBeUndefined();
  });
});

describe('HEARTH_TRUST_PROXY=true', () => {
  it('believes X-Forwarded-For only from a proxy on this machine', async () => {
    const app = await createTestApp({ demo: false, trustProxy: loadConfig({ HEARTH_TRUST_PROXY: 'true' }).trustProxy });
    try {
      const fail = async (remote: string, xff: string) => {
        const client = new AdminClient(app.server, { ip: remote, headers: { 'x-forwarded-for': xff } });
        await client.get('/admin/login');
        await client.post('/admin/login', { email: 'nobody@example.org', password: 'not the password' });
      };
      await fail('127.0.0.1', '198.51.100.1, 203.0.113.9'); // nginx on this machine
      await fail('192.0.2.66', '203.0.113.50'); // connects directly: its header is ignored
      const keys = await app.database.db
        .selectFrom('login_attempts')
        .select('key')
        .where('key', 'like', 'ip:%')
        .execute();
      expect(keys.map((r) => r.key).sort()).toEqual(['ip:192.0.2.66', 'ip:203.0.113.9']);
    } finally {
      await app.close();
    }
  });
});

describe('one trusted proxy, through inject', () => {
  let app: App;
  beforeAll(async () => {
    app = await createTestApp({ trustProxy: loadConfig({ HEARTH_TRUST_PROXY: 'true' }).trustProxy });
  });
  afterAll(async () => {
    await app?.close();
  });
  // The proxy at 127.0.0.1 appends the visitor's real address, 203.0.113.9, to what they sent.
  const forged = (i: number) => ({ 'x-forwarded-for': `198.51.100.${i}, 10.9.8.${i}, 203.0.113.9` });

  it('locks the visitor’s real address after 20 failed sign-ins, whatever they forge', async () => {
    for (let i = 1; i <= 21; i++) {
      const client = new AdminClient(app.server, { ip: '127.0.0.1', headers: forged(i) });
      await client.get('/admin/login');
      const res = await client.post('/admin/login', { email: `nobody${i}@example.org`, password: 'not the password' });
      expect(res.statusCode, `attempt ${i}`).toBe(i <= 20 ? 401 : 429);
    }
    // Someone else behind the same proxy is not held back.
    const other = new AdminClient(app.server, { ip: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.77' } });
    await other.get('/admin/login');
    expect(
      (await other.post('/admin/login', { email: 'x@example.org', password: 'not the password' })).statusCode,
    ).toBe(401);
  });

  it('holds the comment rate limit for the real address, whatever they forge', async () => {
    const postId = await postIdBySlug(app, 'benefits-of-infant-massage');
    const statuses: number[] = [];
    for (let i = 1; i <= 6; i++) {
      const res = await app.server.inject({
        method: 'POST',
        url: '/comments',
        remoteAddress: '127.0.0.1',
        ...form({ post_id: String(postId), name: 'Flood', body: `Message number ${i}` }),
        headers: { ...form({}).headers, ...forged(i) },
      });
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([303, 303, 303, 303, 303, 429]);
  });
});

describe('the proxies named by address', () => {
  it('believes X-Forwarded-For only from them, and only the entries they added', async () => {
    const app = await createTestApp({
      demo: false,
      trustProxy: loadConfig({ HEARTH_TRUST_PROXY: '127.0.0.1,10.0.0.0/8' }).trustProxy,
    });
    try {
      const fail = async (remote: string, xff: string) => {
        const client = new AdminClient(app.server, { ip: remote, headers: { 'x-forwarded-for': xff } });
        await client.get('/admin/login');
        await client.post('/admin/login', { email: 'nobody@example.org', password: 'not the password' });
      };
      await fail('127.0.0.1', '198.51.100.1, 203.0.113.9, 10.2.3.4'); // visitor, then an inner proxy
      await fail('192.0.2.66', '203.0.113.50'); // not a proxy: its header is ignored
      const keys = await app.database.db
        .selectFrom('login_attempts')
        .select('key')
        .where('key', 'like', 'ip:%')
        .execute();
      expect(keys.map((r) => r.key).sort()).toEqual(['ip:192.0.2.66', 'ip:203.0.113.9']);
    } finally {
      await app.close();
    }
  });
});

// Under CI a missing nginx fails the file instead of skipping the test.
if (NGINX === undefined && process.env.CI)
  throw new Error('nginx is missing: .ci/run installs it (apt-get install nginx)');

/**
 * An HTTP request from 127.0.0.2: another address than nginx's own (127.0.0.1), so that
 * which of the two Hearth records shows whether it believed nginx.
 */
const fromOtherAddress = (
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
) => rawRequest(url, { ...options, localAddress: '127.0.0.2' });

describe.skipIf(NGINX === undefined)('the proxy named by address: a real nginx in front', () => {
  let app: App;
  let nginx: ChildProcess;
  let dir: string;
  let base = '';

  beforeAll(async () => {
    app = await createTestApp({ demo: false, trustProxy: loadConfig({ HEARTH_TRUST_PROXY: '127.0.0.1' }).trustProxy });
    await app.server.listen({ port: 0, host: '127.0.0.1' });
    const hearthPort = (app.server.server.address() as net.AddressInfo).port;
    const port = await freePort();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-nginx-'));
    nginx = startNginx(NGINX as string, dir, {
      port,
      server: `    location / {
      proxy_pass http://127.0.0.1:${hearthPort};
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }`,
    });
    base = `http://127.0.0.1:${port}`;
    await waitUntilUp(nginx, async () => (await fetch(`${base}/admin/login`)).status === 200, 'nginx');
  });
  afterAll(async () => {
    await stopChild(nginx, 'SIGQUIT');
    await app?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A browser's sign-in attempt through nginx, with a forged X-Forwarded-For. */
  async function attempt(email: string, xff: string): Promise<number> {
    const page = await fromOtherAddress(`${base}/admin/login`, { headers: { 'x-forwarded-for': xff } });
    const cookie = (page.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] as string;
    const res = await fromOtherAddress(`${base}/admin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, 'x-forwarded-for': xff },
      body: new URLSearchParams({ _csrf: csrf, email, password: 'not the password' }).toString(),
    });
    return res.status;
  }

  it('locks the address nginx saw after 20 failed sign-ins, whatever leftmost entries are forged', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 21; i++)
      statuses.push(await attempt(`nobody${i}@example.org`, `198.51.100.${i}, 10.1.1.${i}`));
    expect(statuses).toEqual([...Array(20).fill(401), 429]);
    // The address Hearth recorded is the one nginx saw (the test's, 127.0.0.2), not nginx's own.
    const rows = await app.database.db
      .selectFrom('login_attempts')
      .select('key')
      .where('key', 'like', 'ip:%')
      .execute();
    expect(rows.map((r) => r.key)).toEqual(['ip:127.0.0.2']);
  });
});
