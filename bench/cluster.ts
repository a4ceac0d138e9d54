// npm run bench (its last part): Hearth behind nginx with 1, 2 and 3 instances on one
// PostgreSQL, the post page cached and uncached; then the time from a write on one
// instance to the change on another. Runs under vitest (it shares the cluster harness of
// test/cluster/) with a throwaway PostgreSQL: `npm run bench:cluster`.
//
// On this 2-core machine three instances, nginx, PostgreSQL and the load client share two
// cores, so requests/s cannot grow with instances: the figures to read are how throughput
// holds as instances are added (the ratio to one instance, measured in the same run) and
// the CPU each request costs the instances. BENCH_ROUNDS and BENCH_DURATION set the length.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { Browser, type Instance, startCluster } from '../test/cluster/harness.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const duration = Number(process.env.BENCH_DURATION ?? 4);
const connections = 32;
const PAGE = '/benefits-of-infant-massage/';
const LOAD = fileURLToPath(new URL('./load.js', import.meta.url));

/** One autocannon run in a client process of its own (bench/load.js). */
function load(url: string): Promise<{ requests: { total: number; average: number }; latency: { p99: number } }> {
  return new Promise((resolve, reject) => {
    const client = spawn(process.execPath, [LOAD, JSON.stringify({ url, connections, duration })], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    client.stdout.on('data', (d) => (out += d));
    client.stderr.on('data', (d) => (err += d));
    client.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}: ${err}`));
      const result = JSON.parse(out);
      if (result.non2xx > 0 || result.errors > 0)
        return reject(new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`));
      resolve(result);
    });
  });
}

/** CPU time of the processes so far (user and system), in microseconds, from /proc. */
function cpuMicros(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    total += ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
  }
  return total;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))] as number;

test('requests/s through nginx with 1, 2 and 3 instances; write-to-change time', async () => {
  const cluster = await startCluster({ instances: 3 });
  try {
    const cached = cluster.instances.slice(0, 3);
    const uncached = await cluster.addInstances(3, { HEARTH_PAGE_CACHE: 'false' });
    const setups: { n: number; kind: string; url: string; behind: Instance[] }[] = [];
    for (const n of [1, 2, 3]) {
      setups.push({
        n,
        kind: 'cached',
        url: await cluster.loadBalancer(cached.slice(0, n)),
        behind: cached.slice(0, n),
      });
      setups.push({
        n,
        kind: 'uncached',
        url: await cluster.loadBalancer(uncached.slice(0, n)),
        behind: uncached.slice(0, n),
      });
    }
    // Warm every instance (page cache, compiled templates, connections).
    for (const s of setups) for (const i of s.behind) for (let k = 0; k < 20; k++) await fetch(`${i.url}${PAGE}`);
    const results = new Map<string, { rps: number[]; cpu: number[]; p99: number[] }>();
    for (let round = 0; round < rounds; round++) {
      for (const s of setups) {
        const pids = s.behind.map((i) => i.process?.pid as number);
        const before = cpuMicros(pids);
        const result = await load(`${s.url}${PAGE}`);
        const cpu = (cpuMicros(pids) - before) / result.requests.total;
        const key = `${s.n} ${s.kind}`;
        const entry = results.get(key) ?? { rps: [], cpu: [], p99: [] };
        entry.rps.push(result.requests.average);
        entry.cpu.push(cpu);
        entry.p99.push(result.latency.p99);
        results.set(key, entry);
      }
    }

    // The time from a write on one instance to the change on another's cached home page.
    const PASSWORD = 'correct horse battery staple';
    const made = cluster.hearth(
      ['user', 'create', '--name', 'Bench Owner', '--email', 'bench@example.org', '--password-stdin'],
      `${PASSWORD}\n`,
    );
    expect(made.status, made.stderr).toBe(0);
    const writer = new Browser(cached[0]?.url as string);
    await writer.signIn('bench@example.org', PASSWORD);
    const reader = `${cached[1]?.url}/`;
    const delays: number[] = [];
    for (let i = 0; i < 100; i++) {
      await fetch(reader);
      await writer.get('/admin/posts/new');
      const title = `Bench write ${i} ${Math.random().toString(36).slice(2)}`;
      const res = await writer.post('/admin/posts/new', { title, body: 'A write to time.', status: 'published' });
      expect(res.status).toBe(303);
      const written = performance.now();
      for (;;) {
        const body = await (await fetch(reader)).text();
        if (body.includes(title)) break;
        if (performance.now() - written > 5000) throw new Error('the change did not arrive in 5 s');
        await new Promise((r) => setTimeout(r, 1));
      }
      delays.push(performance.now() - written);
    }

    const base = (kind: string) => median(results.get(`1 ${kind}`)?.rps ?? [1]);
    console.log(
      `\nHearth cluster bench: PostgreSQL, nginx, ${rounds} rounds of ${duration} s, ${connections} connections, node ${process.version}, ${os.cpus().length} cores`,
    );
    console.log('instances  page      req/s   vs 1 instance  instances CPU/request  p99');
    for (const [key, r] of results) {
      const [n, kind] = key.split(' ') as [string, string];
      console.log(
        `${n.padEnd(10)} ${kind.padEnd(9)} ${Math.round(median(r.rps)).toString().padStart(6)}   ${(median(r.rps) / base(kind)).toFixed(2).padStart(6)}x       ${(median(r.cpu) / 1000).toFixed(3).padStart(8)} ms          ${median(r.p99)} ms`,
      );
    }
    console.log(
      `write on one instance to the change on another (100 writes): p50 ${percentile(delays, 50).toFixed(1)} ms, p99 ${percentile(delays, 99).toFixed(1)} ms, max ${Math.max(...delays).toFixed(1)} ms\n`,
    );
  } finally {
    await cluster.stop();
  }
}, 900_000);
