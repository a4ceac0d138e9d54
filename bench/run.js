// npm run bench: Hearth's public pages against a bare Fastify ceiling, in one run.
//
// Three servers run side by side, each its own process: a bare Fastify server sending
// fixed bodies of the same bytes as Hearth's pages (the ceiling), and Hearth with the
// page cache on and off. They are measured in turn with autocannon (each run a client
// process of its own), round after round: this machine's speed drifts by as much as a
// factor of two over seconds (a fixed CPU loop here took 640 to 1,290 ms), so a page is
// compared with the ceiling measured moments before it, and each figure is the median
// over the rounds. HEARTH_DATABASE_URL (optional) runs Hearth on PostgreSQL;
// BENCH_ROUNDS and BENCH_DURATION (seconds per run) set the length.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from './load.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const duration = Number(process.env.BENCH_DURATION ?? 4);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
// A browser's user agent, so that Hearth counts the requests as visits (analytics leaves
// programs out); the ceiling is sent the same header.
const headers = {
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0',
};
const pages = [
  ['home', '/'],
  ['post', '/benefits-of-infant-massage/'],
  ['category', '/category/green-living/'],
];

function start(command, args, env, pattern) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onData = (chunk) => {
      out += chunk;
      const match = out.match(pattern);
      if (match) resolve({ child, port: Number(match[1]) });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${out}`)));
  });
}

function stop(server) {
  return new Promise((resolve) => {
    server.child.removeAllListeners('exit');
    server.child.once('exit', resolve);
    server.child.kill('SIGTERM');
  });
}

/**
 * The server's CPU time so far (user and system, all its threads), in microseconds; from
 * /proc on Linux, undefined elsewhere. Per request it is steadier than requests/s: the
 * client runs on the same machine.
 */
function cpuMicros(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100; // clock ticks of 10 ms
  } catch {
    return undefined;
  }
}

/** One measured run of a page on a server (warmed up before the first round). */
async function measure(server, url) {
  const target = `http://127.0.0.1:${server.port}${url}`;
  const before = cpuMicros(server.child.pid);
  const result = await load({ url: target, connections, duration, headers });
  const after = cpuMicros(server.child.pid);
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    cpu: before === undefined || after === undefined ? undefined : (after - before) / result.requests.total,
  };
}

const median = (values) => {
  const sorted = values.filter((v) => v !== undefined).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function hearth(dataDir, cache, analytics = true) {
  return start(
    process.execPath,
    ['dist/cli/bin.js', 'serve'],
    {
      HEARTH_DATA_DIR: dataDir,
      HEARTH_PORT: '0',
      HEARTH_PAGE_CACHE: cache ? 'true' : 'false',
      HEARTH_ANALYTICS: analytics ? 'true' : 'false',
      HEARTH_LOG_LEVEL: 'warn',
    },
    /Hearth is serving http:\/\/127\.0\.0\.1:(\d+)/,
  );
}

/** Saves the page as Hearth serves it, for the bare server to send the same bytes. */
async function savePage(port, url, file) {
  const res = await fetch(`http://127.0.0.1:${port}${url}`);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  fs.writeFileSync(file, bytes);
  return bytes.length;
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-bench-'));
const servers = [];
const rows = [];
const runs = new Map(); // "page|server" -> one result per round
try {
  const sizing = await hearth(dataDir, true);
  const sizes = {};
  for (const [name, url] of pages) sizes[name] = await savePage(sizing.port, url, path.join(dataDir, `${name}.html`));
  await stop(sizing);

  const bare = await start(
    process.execPath,
    ['bench/bare-server.js', ...pages.map(([name, url]) => `${url}=${path.join(dataDir, `${name}.html`)}`)],
    {},
    /listening (\d+)/,
  );
  servers.push(bare);
  const contenders = [
    ['bare fastify', bare],
    ['hearth cache on', await hearth(dataDir, true)],
    ['hearth cache off', await hearth(dataDir, false)],
    // The same as "cache on" without counting visits: what analytics costs.
    ['hearth no analytics', await hearth(dataDir, true, false)],
  ];
  servers.push(contenders[1][1], contenders[2][1], contenders[3][1]);

  for (const [, url] of pages)
    for (const [, server] of contenders)
      await load({ url: `http://127.0.0.1:${server.port}${url}`, connections, duration: 2, headers });
  for (let round = 0; round < rounds; round++) {
    for (const [name, url] of pages) {
      for (const [label, server] of contenders) {
        const key = `${name}|${label}`;
        if (!runs.has(key)) runs.set(key, []);
        runs.get(key).push(await measure(server, url));
      }
    }
  }
  for (const [name] of pages) {
    const ceiling = runs.get(`${name}|bare fastify`);
    for (const [label] of contenders) {
      const results = runs.get(`${name}|${label}`);
      const ratios = results.map((r, i) => r.rps / ceiling[i].rps);
      rows.push({
        page: name,
        server: label,
        bytes: sizes[name],
        rps: median(results.map((r) => r.rps)),
        p99: median(results.map((r) => r.p99)),
        cpu: median(results.map((r) => r.cpu)),
        ratio: median(ratios),
        ratioMin: Math.min(...ratios),
        ratioMax: Math.max(...ratios),
      });
    }
  }
} finally {
  for (const server of servers) await stop(server);
  fs.rmSync(dataDir, { recursive: true, force: true });
}

const database = process.env.HEARTH_DATABASE_URL ? 'postgresql' : 'sqlite';
console.log(
  `\nHearth bench: ${database}, ${connections} connections, ${rounds} rounds of ${duration} s per server and page, node ${process.version}, ${os.cpus().length} cores`,
);
console.log('Medians over the rounds; each ratio is to the ceiling measured in the same round.\n');
console.log('page      server              bytes   req/s     p99 ms  ratio to ceiling (range)   server CPU µs/req');
for (const r of rows) {
  const range =
    r.server === 'bare fastify' ? '' : `(${(r.ratioMin * 100).toFixed(1)}-${(r.ratioMax * 100).toFixed(1)})`;
  console.log(
    `${r.page.padEnd(9)} ${r.server.padEnd(18)} ${String(r.bytes).padStart(6)}  ${r.rps.toFixed(0).padStart(7)}  ${String(r.p99).padStart(7)}  ${(r.ratio * 100).toFixed(1).padStart(6)}% ${range.padEnd(13)}  ${(r.cpu === undefined ? '-' : r.cpu.toFixed(0)).padStart(17)}`,
  );
}
const post = (server) => rows.find((r) => r.page === 'post' && r.server === server);
const analyticsCost = median(
  runs.get('post|hearth cache on').map((r, i) => r.rps / runs.get('post|hearth no analytics')[i].rps),
);
console.log(
  `\ncached post page with analytics / without, same rounds: ${(analyticsCost * 100).toFixed(1)}% (median of the rounds' ratios)`,
);
const goals = [
  ['cached post page >= 70% of the ceiling', post('hearth cache on').ratio >= 0.7],
  ['counting visits costs the cached post page < 5% of its requests/s', analyticsCost > 0.95],
  ['uncached post page >= 8% of the ceiling', post('hearth cache off').ratio >= 0.08],
];
console.log('');
for (const [goal, met] of goals) console.log(`${met ? 'met    ' : 'MISSED '} ${goal}`);
fs.mkdirSync(path.join(root, '.bench'), { recursive: true });
fs.writeFileSync(
  path.join(root, '.bench', `results-${database}.json`),
  JSON.stringify({ database, duration, rounds, connections, rows }, null, 2),
);
