// One autocannon run in a client process of its own. A client that has run before in the
// same process reads pages more slowly (measured here: a 36 KB page at ~33,000 req/s from
// a fresh client, ~19,000 from one that had run a few times), and a client in the server's
// own process takes its event loop: either way the figures would be the client's.
//
// As a module: `await load({ url, connections, duration, requests })` resolves to
// autocannon's result. As a script (`node bench/load.js '<options as JSON>'`) it is that
// client process, and prints the result as JSON.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const self = fileURLToPath(import.meta.url);

/** Runs autocannon with `options` in a new process; rejects on any non-2xx or error. */
export function load(options) {
  return new Promise((resolve, reject) => {
    const client = spawn(process.execPath, [self, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    client.stdout.on('data', (chunk) => (out += chunk));
    client.stderr.on('data', (chunk) => (err += chunk));
    client.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`autocannon ${options.url} exited with ${code}:\n${err}`));
      const result = JSON.parse(out);
      if (result.non2xx > 0 || result.errors > 0)
        return reject(new Error(`${options.url}: ${result.non2xx} non-2xx, ${result.errors} errors`));
      resolve(result);
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === self) {
  const result = await autocannon(JSON.parse(process.argv[2]));
  process.stdout.write(JSON.stringify(result));
}
