import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

/*
 * What tests need to put real servers (nginx, Varnish) in front of Hearth on 127.0.0.1:
 * finding a binary, a free port, nginx with a temporary prefix, and a raw HTTP request.
 */

/** An executable from PATH, or Debian's /usr/sbin (not on a normal user's PATH), as .ci/run finds it. */
export function findBinary(name: string): string | undefined {
  return [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), '/usr/sbin']
    .map((dir) => path.join(dir, name))
    .find((file) => {
      try {
        fs.accessSync(file, fs.constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** An HTTP request from `localAddress` (127.0.0.1 unless said), answered in full, redirects not followed. */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, localAddress: options.localAddress ?? '127.0.0.1' },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * Starts nginx in the foreground with `dir` as its prefix (temporary files, pid, error log
 * there), serving `listen` with the given `http` block contents (upstreams, locations).
 */
export function startNginx(
  binary: string,
  dir: string,
  options: { port: number; server: string; upstream?: string; workerConnections?: number },
): ChildProcess {
  const temp = (name: string) => `${name} ${path.join(dir, name.replace(/_path$/, ''))};`;
  fs.writeFileSync(
    path.join(dir, 'nginx.conf'),
    `${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
daemon off;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} warn;
events { worker_connections ${options.workerConnections ?? 64}; }
http {
  access_log off;
  ${temp('client_body_temp_path')} ${temp('proxy_temp_path')} ${temp('fastcgi_temp_path')}
  ${temp('uwsgi_temp_path')} ${temp('scgi_temp_path')}
${options.upstream ?? ''}
  server {
    listen 127.0.0.1:${options.port};
${options.server}
  }
}
`,
  );
  return spawn(binary, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/** Waits until `up()` is true, failing early if the child has exited. */
export async function waitUntilUp(
  child: ChildProcess,
  up: () => Promise<boolean>,
  what: string,
  seconds = 5,
): Promise<void> {
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited: ${output}`);
    if (await up().catch(() => false)) return;
    if (i > seconds * 20) throw new Error(`${what} did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Stops a child and waits for it to exit. */
export async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}
