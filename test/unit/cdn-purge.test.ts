import http from 'node:http';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CdnPurge, type CdnPurgeOptions } from '../../src/render/cdn-purge.js';

/** What the purge endpoint received. */
interface Received {
  method: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A real HTTP purge endpoint on 127.0.0.1 that answers each call with the next status of
 * `statuses` (then 200), or never answers while `hang` is set.
 */
async function endpoint(options: { statuses?: number[]; hang?: boolean } = {}) {
  const received: Received[] = [];
  const statuses = [...(options.statuses ?? [])];
  const hanging: http.ServerResponse[] = [];
  const state = { hang: options.hang ?? false };
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push({ method: req.method ?? '', headers: req.headers, body });
      if (state.hang) {
        hanging.push(res);
        return;
      }
      res.statusCode = statuses.shift() ?? 200;
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/purge`;
  servers.push(server);
  return {
    url,
    received,
    state,
    tags: () => received.map((r) => (JSON.parse(r.body) as { tags: string[] }).tags),
    /** Answers the calls left hanging, and stops hanging. */
    release() {
      state.hang = false;
      for (const res of hanging.splice(0)) res.end('{}');
    },
  };
}

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

function purger(url: string, options: Partial<CdnPurgeOptions> = {}) {
  const errors: { message: string; tags: string[] }[] = [];
  const purge = new CdnPurge({
    url,
    method: 'PURGE',
    headers: { 'Fastly-Key': 'k-1' },
    onError: (error, tags) => errors.push({ message: error.message, tags }),
    batchMs: 20,
    retryBaseMs: 10,
    ...options,
  });
  return { purge, errors };
}

describe('CdnPurge', () => {
  it('gathers the tags of writes close together into one call, as JSON and a Surrogate-Key header', async () => {
    const cdn = await endpoint();
    const { purge, errors } = purger(cdn.url);
    purge.purge(['post:12', 'posts']);
    purge.purge(['comments:12', 'post:12']);
    purge.purge([]);
    await purge.settled();
    expect(cdn.received).toHaveLength(1);
    const [call] = cdn.received;
    expect(call?.method).toBe('PURGE');
    expect(call?.headers['surrogate-key']).toBe('post:12 posts comments:12');
    expect(call?.headers['fastly-key']).toBe('k-1');
    expect(call?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(call?.body ?? '')).toEqual({ tags: ['post:12', 'posts', 'comments:12'] });
    // A later write is another call.
    purge.purge(['site']);
    await purge.settled();
    expect(cdn.tags()).toEqual([['post:12', 'posts', 'comments:12'], ['site']]);
    expect(errors).toEqual([]);
  });

  it('retries a call the CDN answers with 500, with growing pauses', async () => {
    const cdn = await endpoint({ statuses: [500, 503] });
    const pauses: number[] = [];
    const { purge, errors } = purger(cdn.url, {
      sleep: async (ms) => {
        pauses.push(ms);
      },
    });
    purge.purge(['post:3']);
    await purge.settled();
    expect(cdn.tags()).toEqual([['post:3'], ['post:3'], ['post:3']]);
    // The batching delay, then 10 ms and 20 ms before the second and third tries.
    expect(pauses).toEqual([20, 10, 20]);
    expect(errors).toEqual([]);
  });

  it('gives up after its tries and says so, never throwing, when the CDN cannot be reached', async () => {
    const cdn = await endpoint();
    // A port nothing listens on: one just given up.
    const gone = http.createServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    const closed = `http://127.0.0.1:${(gone.address() as net.AddressInfo).port}/purge`;
    await new Promise((r) => gone.close(r));
    const { purge, errors } = purger(closed, { attempts: 3 });
    purge.purge(['post:4']);
    await purge.settled();
    expect(errors).toHaveLength(1);
    expect(errors[0]?.tags).toEqual(['post:4']);
    expect(errors[0]?.message).toMatch(/^purging post:4 failed after 3 tries: fetch failed: .*ECONNREFUSED/);
    // And it still works afterwards.
    const { purge: next } = purger(cdn.url);
    next.purge(['post:5']);
    await next.settled();
    expect(cdn.tags()).toEqual([['post:5']]);
  });

  it('says which status the CDN answered when it refuses every try', async () => {
    const cdn = await endpoint({ statuses: [403, 403] });
    const { purge, errors } = purger(cdn.url, { attempts: 2 });
    purge.purge(['site']);
    await purge.settled();
    expect(errors.map((e) => e.message)).toEqual([
      'purging site failed after 2 tries: the purge URL answered 403 Forbidden',
    ]);
  });

  it('counts a call that hangs past its time as failed', async () => {
    const cdn = await endpoint({ hang: true });
    const { purge, errors } = purger(cdn.url, { attempts: 2, timeoutMs: 100 });
    purge.purge(['post:6']);
    await purge.settled();
    expect(cdn.received).toHaveLength(2);
    expect(errors[0]?.message).toMatch(/failed after 2 tries: .*(timeout|aborted)/i);
    cdn.release();
  });

  it('never makes the caller wait, and keeps what waits bounded: past the bound, `site`', async () => {
    const cdn = await endpoint({ hang: true });
    const { purge, errors } = purger(cdn.url, { maxPendingTags: 10, timeoutMs: 5000 });
    purge.purge(['post:1']);
    // The first call is out and hanging; writes go on meanwhile, each returning at once.
    while (cdn.received.length === 0) await new Promise((r) => setTimeout(r, 5));
    const started = performance.now();
    for (let i = 2; i <= 1000; i++) purge.purge([`post:${i}`, `comments:${i}`]);
    expect(performance.now() - started).toBeLessThan(200);
    cdn.release();
    await purge.settled();
    // 1998 tags became one: every public page carries `site`.
    expect(cdn.tags()).toEqual([['post:1'], ['site']]);
    expect(errors).toEqual([]);
  });

  it('sends at most 30 tags a call (Cloudflare’s limit)', async () => {
    const cdn = await endpoint();
    const { purge } = purger(cdn.url);
    purge.purge(Array.from({ length: 65 }, (_, i) => `post:${i}`));
    await purge.settled();
    expect(cdn.tags().map((t) => t.length)).toEqual([30, 30, 5]);
    expect(cdn.tags().flat()).toHaveLength(65);
  });

  it('takes nothing after close, and close waits no longer than its grace', async () => {
    const cdn = await endpoint({ hang: true });
    const { purge } = purger(cdn.url, { timeoutMs: 10_000 });
    purge.purge(['post:1']);
    const started = performance.now();
    await purge.close(100);
    expect(performance.now() - started).toBeLessThan(1000);
    purge.purge(['post:2']);
    cdn.release();
    await purge.settled();
    expect(cdn.tags()).toEqual([['post:1']]);
  });
});
