import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createDatabase, databaseUrl, dropDatabase } from '../helpers/postgres.js';
import { startS3Server } from '../helpers/s3.js';
import { findBinary, freePort, startNginx, stopChild, waitUntilUp } from '../helpers/servers.js';
import { startSmtpServer } from '../helpers/smtp.js';

/*
 * A real deployment on one machine (issue 19): a fresh PostgreSQL database, an
 * S3-compatible server (s3rver) for the media, a real SMTP server, N Hearth processes (`hearth serve`, each with its own data folder) and nginx
 * from Debian as the load balancer, all on 127.0.0.1. Everything stops in `stop()`.
 */

const BIN = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));

export const NGINX = findBinary('nginx');
export { freePort };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Environment for a child: the machine's, less any HEARTH_* of the test run. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HEARTH_') && v !== undefined) env[k] = v;
  return { ...env, ...extra };
}

export class Instance {
  readonly port: number;
  readonly url: string;
  readonly dataDir: string;
  readonly env: Record<string, string>;
  process: ChildProcess | undefined;
  log = '';

  constructor(port: number, env: Record<string, string>) {
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-instance-'));
    this.env = { ...env, HEARTH_PORT: String(port), HEARTH_DATA_DIR: this.dataDir };
  }

  /** Starts `hearth serve` and waits until /readyz says ready. */
  async start(timeoutMs = 60_000): Promise<void> {
    const child = spawn(process.execPath, [BIN, 'serve'], {
      env: cleanEnv(this.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process = child;
    child.stdout?.on('data', (d) => (this.log += d));
    child.stderr?.on('data', (d) => (this.log += d));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`instance on ${this.port} exited (${child.exitCode}):\n${this.log}`);
      const ready = await fetch(`${this.url}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`instance on ${this.port} was not ready in time:\n${this.log}`);
      await sleep(100);
    }
  }

  /** Sends a signal and waits for the process to end. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const ended = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await ended;
  }

  get running(): boolean {
    return this.process !== undefined && this.process.exitCode === null && this.process.signalCode === null;
  }
}

export interface Cluster {
  /** nginx, in front of every instance. */
  url: string;
  instances: Instance[];
  databaseUrl: string;
  smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  s3: Awaited<ReturnType<typeof startS3Server>>;
  /** A query on the cluster's database. */
  query<T extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<T[]>;
  /** Starts more instances on the same database (e.g. with the page cache off). */
  addInstances(count: number, env?: Record<string, string>): Promise<Instance[]>;
  /** Another nginx in front of the given instances; stopped with the cluster. */
  loadBalancer(instances: Instance[]): Promise<string>;
  /** What the cluster's nginx wrote to its error logs (warnings and worse). */
  nginxErrors(): string;
  /** Runs the `hearth` CLI against the cluster's database. */
  hearth(args: string[], input?: string): { status: number | null; stdout: string; stderr: string };
  stop(): Promise<void>;
}

/**
 * Starts a cluster on a fresh database. The instances start at the same time on the empty
 * database, so they race to migrate it and install the demo, as a real rollout would.
 */
export async function startCluster(
  options: { instances?: number; env?: Record<string, string>; nginxExtra?: string } = {},
): Promise<Cluster> {
  const server = process.env.HEARTH_TEST_DATABASE_URL;
  if (!server) throw new Error('the cluster tests need PostgreSQL: run them with scripts/with-postgres.sh');
  if (!NGINX) throw new Error('nginx is missing: .ci/run installs it (apt-get install nginx)');
  const name = await createDatabase('hearth_cluster');
  const dbUrl = databaseUrl(name);
  const smtp = await startSmtpServer();
  const s3 = await startS3Server(['hearth-media']);
  const nginxPort = await freePort();
  const base = `http://127.0.0.1:${nginxPort}`;
  const env: Record<string, string> = {
    HEARTH_HOST: '127.0.0.1',
    HEARTH_DATABASE_URL: dbUrl,
    HEARTH_DATABASE_POOL_SIZE: '5',
    HEARTH_PUBLIC_URL: base,
    HEARTH_TRUST_PROXY: 'true',
    HEARTH_TIMEZONE: 'UTC',
    HEARTH_LOG_LEVEL: 'warn',
    HEARTH_SMTP_URL: smtp.url,
    HEARTH_MAIL_FROM: 'blog@example.org',
    HEARTH_MEDIA_URL: 's3://hearth-media/blog',
    ...s3.env,
    ...options.env,
  };
  const instances: Instance[] = [];
  for (let i = 0; i < (options.instances ?? 3); i++) instances.push(new Instance(await freePort(), env));
  const pool = new pg.Pool({ connectionString: dbUrl, max: 2 });
  const balancers: ChildProcess[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-lb-'));
  const loadBalancer = async (behind: Instance[], port?: number) => {
    const lbPort = port ?? (await freePort());
    const lbDir = fs.mkdtempSync(path.join(dir, 'nginx-'));
    const nginx = loadBalancerNginx(lbDir, lbPort, behind, options.nginxExtra ?? '');
    balancers.push(nginx);
    const url = `http://127.0.0.1:${lbPort}`;
    await waitUntilUp(nginx, async () => (await fetch(`${url}/healthz`)).ok, 'nginx');
    return url;
  };
  const stop = async () => {
    for (const nginx of balancers) await stopChild(nginx, 'SIGQUIT');
    await Promise.all(instances.map((i) => i.stop('SIGTERM')));
    await pool.end();
    await smtp.close();
    await s3.close();
    await dropDatabase(name);
    for (const i of instances) fs.rmSync(i.dataDir, { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(instances.map((i) => i.start()));
    await loadBalancer(instances, nginxPort);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: base,
    instances,
    databaseUrl: dbUrl,
    smtp,
    s3,
    query: async (text, values) => (await pool.query(text, values)).rows,
    async addInstances(count, extra = {}) {
      const added: Instance[] = [];
      for (let i = 0; i < count; i++) added.push(new Instance(await freePort(), { ...env, ...extra }));
      instances.push(...added);
      await Promise.all(added.map((i) => i.start()));
      return added;
    },
    loadBalancer: (behind) => loadBalancer(behind),
    nginxErrors: () =>
      fs
        .readdirSync(dir)
        .map((d) => path.join(dir, d, 'error.log'))
        .filter((f) => fs.existsSync(f))
        .map((f) => fs.readFileSync(f, 'utf8'))
        .join('\n'),
    hearth(args, input) {
      const run = spawnSync(process.execPath, [BIN, ...args], {
        env: cleanEnv({ ...env, HEARTH_DATA_DIR: instances[0]?.dataDir ?? dir }),
        input: input ?? '',
        encoding: 'utf8',
      });
      return { status: run.status, stdout: run.stdout, stderr: run.stderr };
    },
    stop,
  };
}

/**
 * nginx as a load balancer: round robin over the instances, a failed connection or a 502
 * to 504 retried on the next one (for requests nginx may repeat: not a POST that reached
 * an instance), keep-alive connections to the instances.
 */
function loadBalancerNginx(dir: string, port: number, instances: Instance[], extra: string): ChildProcess {
  return startNginx(NGINX as string, dir, {
    port,
    workerConnections: 1024,
    upstream: `  upstream hearth {
${instances.map((i) => `    server 127.0.0.1:${i.port} max_fails=1 fail_timeout=2s;`).join('\n')}
    keepalive 32;
  }`,
    server: `    client_max_body_size 30m;
    location / {
      proxy_pass http://hearth;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_next_upstream error timeout http_502 http_503 http_504;
      proxy_next_upstream_tries 3;
      proxy_connect_timeout 1s;
      ${extra}
    }`,
  });
}

/**
 * A browser over real HTTP: keeps cookies, remembers the last form token, sends forms.
 * Redirects are not followed, so a test sees each answer.
 */
export class Browser {
  readonly cookies = new Map<string, string>();
  csrf = '';
  base: string;
  headers: Record<string, string>;

  constructor(base: string, headers: Record<string, string> = {}) {
    this.base = base;
    this.headers = headers;
  }

  async request(
    url: string,
    init: { method?: string; body?: string | FormData; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; headers: Headers; body: string }> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(new URL(url, this.base), {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: { ...this.headers, ...(cookie ? { cookie } : {}), ...init.headers },
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const [key, ...rest] = (pair ?? '').split('=');
      const value = rest.join('=');
      const expired = attrs.some((a) => /^\s*expires=.*1970/i.test(a)) || value === '';
      if (key) {
        if (expired) this.cookies.delete(key.trim());
        else this.cookies.set(key.trim(), value);
      }
    }
    const body = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
    if (token) this.csrf = token;
    return { status: res.status, headers: res.headers, body };
  }

  get(url: string) {
    return this.request(url);
  }

  post(url: string, fields: Record<string, string>) {
    return this.request(url, {
      method: 'POST',
      body: new URLSearchParams({ _csrf: this.csrf, ...fields }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }

  async signIn(email: string, password: string): Promise<void> {
    await this.get('/admin/login');
    const res = await this.post('/admin/login', { email, password });
    if (res.status !== 303) throw new Error(`sign-in failed (${res.status}): ${res.body.slice(0, 500)}`);
    await this.get(res.headers.get('location') as string);
  }
}

/** Asks `url` until `ok` holds of the body, for at most `ms`; returns how long it took. */
export async function within(ms: number, url: string, ok: (body: string) => boolean): Promise<number> {
  const start = performance.now();
  for (;;) {
    const res = await fetch(url).then(
      async (r) => r.text(),
      () => '',
    );
    if (ok(res)) return performance.now() - start;
    if (performance.now() - start > ms) throw new Error(`${url} did not change within ${ms} ms`);
    await sleep(10);
  }
}
