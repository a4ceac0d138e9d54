// node bench/comments.js (after npm run build): the demo post page read under autocannon
// load while comments are posted at the same time.
//
// Phases, each BENCH_DURATION seconds (default 8) on one `hearth serve` process:
//   1. readers only: the post page's req/s;
//   2. comments only: comments accepted/s with nobody reading;
//   3. readers + comments held for moderation, posted flat out (the page does not change);
//   4. readers + BENCH_COMMENT_RATE comments a second (default 10), approved at once: each
//      one drops the cached page, which is rendered again with one comment more;
//   5. readers + comments approved, posted flat out.
// Comments pass every spam check the honest way: a form token from /comments/token
// (commentMinSeconds is set to 0 for the run), unique text, and each from its own
// address (X-Forwarded-For, with HEARTH_TRUST_PROXY on), so the default rate limits hold.
// BENCH_CONNECTIONS readers (default 32), BENCH_POSTERS concurrent posters (default 4).
// HEARTH_DATABASE_URL (optional) runs Hearth on PostgreSQL.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from './load.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const duration = Number(process.env.BENCH_DURATION ?? 8);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const posters = Number(process.env.BENCH_POSTERS ?? 4);
const paced = Number(process.env.BENCH_COMMENT_RATE ?? 10);
const PAGE = '/benefits-of-infant-massage/';

const { openDatabase } = await import(path.join(root, 'dist/storage/index.js'));
const { SettingsService } = await import(path.join(root, 'dist/domain/settings/index.js'));

function serve(dataDir) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/cli/bin.js', 'serve'], {
      cwd: root,
      env: {
        ...process.env,
        HEARTH_DATA_DIR: dataDir,
        HEARTH_PORT: '0',
        HEARTH_LOG_LEVEL: 'warn',
        HEARTH_TRUST_PROXY: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onData = (chunk) => {
      out += chunk;
      const match = out.match(/Hearth is serving http:\/\/127\.0\.0\.1:(\d+)/);
      if (match) resolve({ child, port: Number(match[1]) });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => reject(new Error(`hearth serve exited with ${code}:\n${out}`)));
  });
}

function stop(server) {
  return new Promise((resolve) => {
    server.child.removeAllListeners('exit');
    server.child.once('exit', resolve);
    server.child.kill('SIGTERM');
  });
}

async function setSettings(dataDir, values) {
  const database = await openDatabase({ url: process.env.HEARTH_DATABASE_URL, dataDir });
  try {
    await new SettingsService(database.db).update(values);
  } finally {
    await database.close();
  }
}

/** Reads the post page for `duration` seconds; returns req/s and p99 latency. */
async function read(port) {
  const result = await load({ url: `http://127.0.0.1:${port}${PAGE}`, connections, duration });
  return { rps: result.requests.average, p99: result.latency.p99 };
}

let serial = 0;
/** Posts one comment from an address of its own; true when it was accepted (303). */
async function postOne(base, postId, token, worker) {
  const n = serial++;
  const res = await fetch(`${base}/comments`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
    },
    body: new URLSearchParams({
      post_id: String(postId),
      name: `Reader ${worker}`,
      body: `Bench comment ${n} from poster ${worker}: we tried the evening routine and it helped.`,
      token,
    }).toString(),
  });
  await res.arrayBuffer();
  return res.status === 303;
}

/**
 * Posts comments until `until`: `posters` loops flat out, or `rate` a second when given.
 * Returns how many were accepted and refused.
 */
async function postComments(port, postId, until, rate) {
  const base = `http://127.0.0.1:${port}`;
  const { token } = await (await fetch(`${base}/comments/token?post=${postId}`)).json();
  const counts = { accepted: 0, refused: 0 };
  const count = (ok) => {
    if (ok) counts.accepted++;
    else counts.refused++;
  };
  if (rate) {
    const pending = [];
    for (let next = Date.now(); next < until; next += 1000 / rate) {
      await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
      pending.push(postOne(base, postId, token, 0).then(count));
    }
    await Promise.all(pending);
    return counts;
  }
  const loop = async (worker) => {
    while (Date.now() < until) count(await postOne(base, postId, token, worker));
  };
  await Promise.all(Array.from({ length: posters }, (_, i) => loop(i)));
  return counts;
}

async function phase(port, postId, { readers, comments, rate }) {
  const started = Date.now();
  const until = started + duration * 1000;
  const [page, posted] = await Promise.all([
    readers ? read(port) : Promise.resolve(undefined),
    comments ? postComments(port, postId, until, rate) : Promise.resolve(undefined),
  ]);
  const seconds = (Date.now() - started) / 1000;
  return { page, posted, perSecond: posted ? posted.accepted / seconds : undefined };
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-bench-comments-'));
const results = [];
try {
  // First start installs the demo; the comment settings are then set for the run.
  await stop(await serve(dataDir));
  const base = { commentMinSeconds: 0 };
  const database = await openDatabase({ url: process.env.HEARTH_DATABASE_URL, dataDir });
  const postId = (
    await database.db.selectFrom('posts').select('id').where('slug', '=', PAGE.slice(1, -1)).executeTakeFirstOrThrow()
  ).id;
  await database.close();

  for (const [label, moderation, readers, comments, rate] of [
    ['readers only', 'hold-all', true, false],
    ['comments only, held', 'hold-all', false, true],
    ['readers + comments held', 'hold-all', true, true],
    [`readers + ${paced}/s approved`, 'approve-passing', true, true, paced],
    ['readers + comments approved', 'approve-passing', true, true],
  ]) {
    await setSettings(dataDir, { ...base, commentModeration: moderation });
    const server = await serve(dataDir);
    try {
      await load({ url: `http://127.0.0.1:${server.port}${PAGE}`, connections, duration: 2 }); // warm-up
      results.push({ label, ...(await phase(server.port, postId, { readers, comments, rate })) });
    } finally {
      await stop(server);
    }
  }
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
}

const database = process.env.HEARTH_DATABASE_URL ? 'postgresql' : 'sqlite';
console.log(
  `\nHearth comments bench: ${database}, ${connections} readers, ${posters} posters, ${duration} s per phase, node ${process.version}, ${os.cpus().length} cores\n`,
);
console.log('phase                          page req/s  p99 ms  comments/s  refused');
const baseline = results[0]?.page?.rps ?? 0;
for (const r of results) {
  const rps = r.page ? r.page.rps.toFixed(0) : '-';
  const drop = r.page && r !== results[0] ? ` (${(((r.page.rps - baseline) / baseline) * 100).toFixed(1)}%)` : '';
  console.log(
    `${r.label.padEnd(30)} ${`${rps}${drop}`.padStart(18)}  ${String(r.page?.p99 ?? '-').padStart(6)}  ${(r.perSecond?.toFixed(0) ?? '-').padStart(10)}  ${String(r.posted?.refused ?? '-').padStart(7)}`,
  );
}
