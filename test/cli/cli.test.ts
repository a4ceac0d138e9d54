import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/main.js';
import { openDatabase } from '../../src/storage/index.js';
import { AdminClient } from '../helpers/admin-client.js';
import { createDatabase, databaseUrl, dropDatabase, postgresUrl } from '../helpers/postgres.js';

const require = createRequire(import.meta.url);

/** The CLI as a user runs it: the built `hearth` binary in a child process. */
const bin = path.resolve('dist/cli/bin.js');
const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-cli-'));
  dirs.push(dir);
  return dir;
};
const baseEnv = () => {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HEARTH_') && v !== undefined) env[k] = v;
  return env;
};
const hearth = (args: string[], env: Record<string, string> = {}, input?: string) =>
  spawnSync(process.execPath, [bin, ...args], {
    env: { ...baseEnv(), ...env },
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });

/** Starts `hearth serve`, resolves with its output once it listens (or exits). */
function serve(env: Record<string, string>): Promise<{ child: ChildProcess; output: string; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'serve'], { env: { ...baseEnv(), ...env } });
    let output = '';
    const done = (code: number | null) => resolve({ child, output, code });
    child.stdout.on('data', (d) => {
      output += d;
      if (output.includes('Hearth is serving') && output.includes('\n\n')) done(null);
      else if (output.includes('Hearth is serving') && !output.includes('no owner')) setTimeout(() => done(null), 200);
    });
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => done(code));
  });
}

beforeAll(() => {
  if (!fs.existsSync(bin)) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
});
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('hearth serve', () => {
  it('starts on the embedded default, prints the one-time setup link, and stops on SIGTERM', async () => {
    const dataDir = tempDir();
    const { child, output } = await serve({ HEARTH_DATA_DIR: dataDir, HEARTH_PORT: '0', HEARTH_DEMO: 'false' });
    expect(output).toMatch(/Hearth is serving http:\/\/127\.0\.0\.1:\d+ \(sqlite\)/);
    expect(output).toMatch(/\/setup\/[\w-]{20,}/);
    const port = output.match(/127\.0\.0\.1:(\d+)/)?.[1];
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(res.status).toBe(200);
    expect(fs.existsSync(path.join(dataDir, 'hearth.db'))).toBe(true);
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses a bad setting with a message that names it', () => {
    for (const [name, value] of [
      ['HEARTH_PORT', 'eighty'],
      ['HEARTH_TIMEZONE', 'Mars/Olympus'],
      ['HEARTH_PUBLIC_URL', 'ftp://blog'],
    ]) {
      const r = hearth(['serve'], { [name as string]: value as string, HEARTH_DATA_DIR: tempDir() });
      expect(r.status, name).toBe(1);
      expect(r.stderr).toContain(name);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('prints its usage for --help, -h and help, all of it or one command’s, and exits 0', () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const r = hearth(args);
      expect(r.status, args.join(' ')).toBe(0);
      expect(r.stdout).toContain('hearth serve [--no-demo]');
      expect(r.stdout).toContain('hearth export markdown DIR');
      expect(r.stderr).toBe('');
    }
    const user = hearth(['user', '--help']);
    expect(user.status).toBe(0);
    expect(user.stdout).toContain('hearth user create --name N --email E');
    expect(user.stdout).not.toContain('hearth serve');
    const build = hearth(['book', 'build', '-h']);
    expect(build.stdout).toContain('hearth book build SLUG');
    expect(hearth(['help', 'import']).stdout).toContain('hearth import ghost');
  });

  it('says in one line why the database cannot be opened', () => {
    const cases: [string, RegExp][] = [
      [
        'postgres://hearth@127.0.0.1:1/blog',
        /^hearth: Cannot open the database: nothing is listening at postgres:\/\/hearth@127\.0\.0\.1:1\/blog; is PostgreSQL running\?\n$/,
      ],
      ['postgres://[bad', /^hearth: Configuration: HEARTH_DATABASE_URL: is not a valid URL/],
      ['mysql://x', /^hearth: Configuration: HEARTH_DATABASE_URL: must start with postgres:\/\/ or sqlite:/],
    ];
    for (const [url, message] of cases) {
      const r = hearth(['serve'], { HEARTH_DATABASE_URL: url, HEARTH_DATA_DIR: tempDir() });
      expect(r.status, url).toBe(1);
      expect(r.stderr, url).toMatch(message);
    }
  });

  it('says what to do when the port is in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = String((blocker.address() as net.AddressInfo).port);
    try {
      const { output, code } = await serve({ HEARTH_DATA_DIR: tempDir(), HEARTH_PORT: port, HEARTH_DEMO: 'false' });
      expect(code).toBe(1);
      expect(output).toContain(
        `hearth: Port ${port} on 127.0.0.1 is already in use. Stop the other process or set HEARTH_PORT.`,
      );
    } finally {
      blocker.close();
    }
  });

  it('says what to do when the data directory cannot be written', () => {
    const file = path.join(tempDir(), 'not-a-dir');
    fs.writeFileSync(file, '');
    const r = hearth(['serve'], { HEARTH_DATA_DIR: path.join(file, 'data') });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^hearth: Cannot write to the data directory .*HEARTH_DATA_DIR\.\n$/);
  });

  it('says so when another process holds the database locked', () => {
    const dataDir = tempDir();
    expect(hearth(['migrate'], { HEARTH_DATA_DIR: dataDir }).status).toBe(0);
    // A second process takes an exclusive lock and holds it past Hearth's busy timeout.
    const script = `
      const D = require(${JSON.stringify(require.resolve('better-sqlite3'))});
      const db = new D(${JSON.stringify(path.join(dataDir, 'hearth.db'))});
      db.exec('begin exclusive'); process.stdout.write('locked'); setTimeout(() => {}, 20000);`;
    const locker = spawn(process.execPath, ['-e', script]);
    return new Promise<void>((resolve, reject) => {
      locker.stdout.once('data', () => {
        try {
          const r = hearth(
            ['user', 'create', '--name', 'Ann', '--email', 'ann@example.org', '--password-stdin'],
            { HEARTH_DATA_DIR: dataDir },
            'a long enough password\n',
          );
          expect(r.status).toBe(1);
          expect(r.stderr).toContain('is locked by another process');
          resolve();
        } catch (error) {
          reject(error);
        } finally {
          locker.kill();
        }
      });
    });
  }, 40_000);
});

describe('the setup link once an owner exists', () => {
  it('is refused after `hearth user create --role owner`, while serving and after a restart', async () => {
    const dataDir = tempDir();
    const env = { HEARTH_DATA_DIR: dataDir, HEARTH_PORT: '0', HEARTH_DEMO: 'false' };
    const first = await serve(env);
    const link = first.output.match(/http:\/\/\S+\/setup\/[\w-]{20,}/)?.[0] as string;
    expect(link).toBeDefined();
    const port = first.output.match(/127\.0\.0\.1:(\d+)/)?.[1];
    const setupPath = new URL(link).pathname;
    const made = hearth(
      ['user', 'create', '--name', 'Ann Owner', '--email', 'ann@example.org', '--role', 'owner', '--password-stdin'],
      { HEARTH_DATA_DIR: dataDir },
      'a long enough password\n',
    );
    expect(made.status).toBe(0);
    const post = (p: string) =>
      fetch(`http://127.0.0.1:${p}${setupPath}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ name: 'Eve', email: 'eve@example.org', password: 'another long password' }),
      });
    const whileServing = await post(port as string);
    expect(whileServing.status).toBe(409);
    expect(await whileServing.text()).toContain('already has an owner');
    expect((await fetch(`http://127.0.0.1:${port}${setupPath}`)).status).toBe(404);
    const exited = new Promise((r) => first.child.on('exit', r));
    first.child.kill('SIGTERM');
    await exited;

    const second = await serve(env);
    try {
      expect(second.output).not.toContain('/setup/');
      const port2 = second.output.match(/127\.0\.0\.1:(\d+)/)?.[1] as string;
      expect((await post(port2)).status).toBe(409);
    } finally {
      const stopped = new Promise((r) => second.child.on('exit', r));
      second.child.kill('SIGTERM');
      await stopped;
    }
    const app = await createApp(
      loadConfig({ HEARTH_DATA_DIR: dataDir, HEARTH_LOG_LEVEL: 'silent', HEARTH_DEMO: 'false' }),
    );
    try {
      const owners = await app.database.db.selectFrom('users').select('email').where('role', '=', 'owner').execute();
      expect(owners).toEqual([{ email: 'ann@example.org' }]);
    } finally {
      await app.close();
    }
  }, 60_000);
});

describe('hearth migrate on a schema a newer Hearth migrated', () => {
  it('stops with a clear message naming the unknown migrations', async () => {
    const dataDir = tempDir();
    const env = { HEARTH_DATA_DIR: dataDir };
    expect(hearth(['migrate'], env).status).toBe(0);
    const database = await openDatabase({ url: undefined, dataDir });
    try {
      await sql`insert into kysely_migration (name, timestamp) values ('9999-newer', ${new Date().toISOString()})`.execute(
        database.db,
      );
    } finally {
      await database.close();
    }
    const refused = hearth(['migrate'], env);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('The database was migrated by a newer Hearth');
    expect(refused.stderr).toContain('(9999-newer)');
    expect(refused.stderr).toContain('Upgrade this instance');
  });
});

describe('hearth migrate and hearth user create', () => {
  it('migrates, then creates an owner from a password on stdin, refusing bad input', () => {
    const dataDir = tempDir();
    const env = { HEARTH_DATA_DIR: dataDir };
    const first = hearth(['migrate'], env);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('Applied: 0001-initial');
    expect(hearth(['migrate'], env).stdout).toContain('up to date');

    const short = hearth(
      ['user', 'create', '--name', 'Ann', '--email', 'ann@example.org', '--password-stdin'],
      env,
      'short\n',
    );
    expect(short.status).toBe(2);
    expect(short.stderr).toContain('password: The password must be at least 12 characters long.');

    const ok = hearth(
      ['user', 'create', '--name', 'Ann Owner', '--email', 'Ann@Example.org', '--password-stdin'],
      env,
      'a long enough password\n',
    );
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('Created owner Ann Owner <ann@example.org>.');

    const again = hearth(
      ['user', 'create', '--name', 'Ann', '--email', 'ann@example.org', '--role', 'author', '--password-stdin'],
      env,
      'a long enough password\n',
    );
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('already exists');

    // A second owner only on purpose: by default (the role is owner) or asked, it is refused.
    for (const role of [[], ['--role', 'owner']]) {
      const second = hearth(
        ['user', 'create', '--name', 'Bo', '--email', 'bo@example.org', ...role, '--password-stdin'],
        env,
        'a long enough password\n',
      );
      expect(second.status).toBe(2);
      expect(second.stderr).toContain('This site already has an owner');
      expect(second.stderr).toContain('--force');
    }
    const forced = hearth(
      ['user', 'create', '--name', 'Bo', '--email', 'bo@example.org', '--force', '--password-stdin'],
      env,
      'a long enough password\n',
    );
    expect(forced.status).toBe(0);
    expect(forced.stdout).toContain('Created owner Bo <bo@example.org>.');

    const badRole = hearth(['user', 'create', '--name', 'B', '--email', 'b@example.org', '--role', 'king'], env, 'x');
    expect(badRole.status).toBe(2);
    expect(badRole.stderr).toContain('--role must be one of');

    // With an owner, start-up prints no setup link.
    const unknown = hearth(['frobnicate'], env);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });

  it('creates a user who can sign in to the admin', async () => {
    const dataDir = tempDir();
    const made = hearth(
      ['user', 'create', '--name', 'Cleo', '--email', 'cleo@example.org', '--role', 'editor', '--password-stdin'],
      { HEARTH_DATA_DIR: dataDir },
      'a long enough password\n',
    );
    expect(made.status).toBe(0);
    const app = await createApp(
      loadConfig({ HEARTH_DATA_DIR: dataDir, HEARTH_LOG_LEVEL: 'silent', HEARTH_DEMO: 'false' }),
    );
    try {
      const client = new AdminClient(app.server);
      expect((await client.signIn('cleo@example.org', 'a long enough password')).statusCode).toBe(303);
      expect((await client.get('/admin')).body).toContain('Signed in as <strong>Cleo</strong>');
    } finally {
      await app.close();
    }
  });
});

describe('hearth related', () => {
  it('shows a post’s related posts, pins and excludes by slug, rebuilds, and refuses bad input', async () => {
    const site = await demoSite();
    try {
      relatedCommands(site.env);
    } finally {
      await site.dispose();
    }
  });
});

describe('a running server and the CLI on one database', () => {
  it('shows what another process wrote, though the page was kept in memory', async () => {
    // SQLite tells a process of others' writes; on PostgreSQL that is not known yet, and
    // deploy.md says to turn the page cache off for several processes.
    const site = await demoSite(postgresUrl ? { HEARTH_PAGE_CACHE: 'false' } : {});
    const env = site.env;
    const { child, output } = await serve({ ...env, HEARTH_PORT: '0' });
    try {
      const port = output.match(/127\.0\.0\.1:(\d+)/)?.[1];
      const slug = 'benefits-of-infant-massage';
      const page = async () => (await fetch(`http://127.0.0.1:${port}/${slug}/`)).text();
      const [first] = computedRelated(hearth(['related', slug], env).stdout);
      const card = `<h3 class="card__title"><a href="/${first}/">`;
      expect(await page()).toContain(card);
      expect(await page()).toContain(card); // served from the page cache now

      const excluded = hearth(['related', slug, '--exclude', `${first}`], env);
      expect(excluded.status, excluded.stderr).toBe(0);
      expect(await page()).not.toContain(card);
    } finally {
      child.kill('SIGTERM');
      await site.dispose();
    }
  });
});

/**
 * A copy of the demo site for the CLI: its data folder and, on PostgreSQL, a copy of the
 * template database. `dispose` drops the database (the folder goes with the others).
 */
async function demoSite(extra: Record<string, string> = {}) {
  const dataDir = tempDir();
  const template = inject('templateDir');
  if (!template) throw new Error('the demo template is missing');
  fs.cpSync(template, dataDir, { recursive: true });
  const database = postgresUrl ? await createDatabase('hearth_cli', inject('templateDatabase')) : undefined;
  const env: Record<string, string> = {
    HEARTH_DATA_DIR: dataDir,
    ...(database ? { HEARTH_DATABASE_URL: databaseUrl(database) } : {}),
    ...extra,
  };
  return {
    env,
    async dispose() {
      if (database) await dropDatabase(database);
    },
  };
}

/** The computed related posts `hearth related SLUG` lists, by slug, best first. */
function computedRelated(stdout: string): string[] {
  return [...stdout.matchAll(/^ {2}(\S+) {2}.*\(\d\.\d{3}\)$/gm)].map((m) => m[1] as string);
}

/** The `hearth related` commands a writer runs, against a copy of the demo site. */
function relatedCommands(env: Record<string, string>) {
  const slug = 'benefits-of-infant-massage';

  const shown = hearth(['related', slug], env);
  expect(shown.status, shown.stderr).toBe(0);
  const computed = computedRelated(shown.stdout);
  expect(computed.length).toBeGreaterThanOrEqual(3);

  const [first, second] = computed;
  const pinned = hearth(['related', slug, '--pin', `${second}`, '--exclude', `${first}`], env);
  expect(pinned.status, pinned.stderr).toBe(0);
  expect(pinned.stdout).toMatch(new RegExp(`Pinned:\\n {2}${second} `));
  expect(pinned.stdout).toMatch(new RegExp(`Excluded:\\n {2}${first} `));

  const self = hearth(['related', slug, '--pin', slug], env);
  expect(self.status).toBe(2);
  expect(self.stderr).toContain('A post cannot be related to itself.');
  const missing = hearth(['related', slug, '--exclude', 'no-such-post'], env);
  expect(missing.status).toBe(2);
  expect(missing.stderr).toContain('no post has the slug "no-such-post"');
  expect(hearth(['related', 'nope'], env).status).toBe(2);
  expect(hearth(['related'], env).status).toBe(2);

  const cleared = hearth(['related', slug, '--clear'], env);
  expect(cleared.stdout).not.toContain('Pinned:');
  const rebuilt = hearth(['related', '--rebuild'], env);
  expect(rebuilt.status, rebuilt.stderr).toBe(0);
  expect(rebuilt.stdout).toMatch(/Related posts computed for \d+ posts/);
}
