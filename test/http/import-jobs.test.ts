import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningImport } from '../../src/domain/portability/index.js';
import { type App, createApp } from '../../src/main.js';
import { AdminClient } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';

/**
 * Admin imports with two instances on one database (issue 19): a job started on one is
 * followed from the other, one import runs at a time across both, and a job whose
 * instance stopped is marked failed by the other.
 */
const PASSWORD = 'a password for two instances';
const fixture = fs.readFileSync(path.resolve('test/fixtures/wxr-family-blog.xml'));
let a: App & { dataDir: string };
let b: App;

beforeAll(async () => {
  if (!fs.existsSync(path.resolve('dist/cli/bin.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  a = await createTestApp();
  // The second instance: the same configuration, so the same database and data folder.
  b = await createApp(a.config, { pause: async () => {} });
  await a.services.users.create({
    name: 'Ada Admin',
    email: 'ada@example.org',
    password: PASSWORD,
    role: 'administrator',
  });
}, 60_000);
afterAll(async () => {
  await b?.close();
  await a?.close();
});

async function signedIn(app: App, ip: number): Promise<AdminClient> {
  const client = new AdminClient(app.server, { ip: `192.0.2.${ip}` });
  expect((await client.signIn('ada@example.org', PASSWORD)).statusCode).toBe(303);
  await client.get('/admin/import');
  return client;
}

function upload(client: AdminClient, data: Buffer, fields: Record<string, string> = {}) {
  const boundary = '----twoinstances41';
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="export"; filename="export.xml"\r\nContent-Type: text/xml\r\n\r\n`,
    ),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return client.request({
    method: 'POST',
    url: `/admin/import?_csrf=${encodeURIComponent(client.csrf)}`,
    payload: Buffer.concat(parts),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
}

interface Status {
  id: string;
  state: string;
  done: number;
  total: number | null;
  error: string;
  report?: { counts: { posts: { added: number } } };
}

async function finished(client: AdminClient, url: string): Promise<Status> {
  for (let i = 0; i < 240; i++) {
    const res = await client.get(`${url}/status.json`);
    expect(res.statusCode).toBe(200);
    const job = res.json() as Status;
    if (job.state !== 'running') return job;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the import did not finish in 60 s');
}

/** A job row as another instance's running import leaves it, its heartbeat `ageMs` old. */
async function runningElsewhere(id: string, ageMs: number) {
  const at = new Date(Date.now() - ageMs).toISOString();
  await a.database.db
    .insertInto('import_jobs')
    .values({
      id,
      platform: 'wordpress',
      state: 'running',
      done: 3,
      total: 13,
      started_at: at,
      heartbeat_at: at,
      report: null,
      started_by: null,
    })
    .execute();
}

describe('import jobs across two instances', () => {
  it('starts an import on one instance and shows its progress and report on the other', async () => {
    const onA = await signedIn(a, 60);
    const onB = await signedIn(b, 61);
    const res = await upload(onA, fixture, { dry_run: 'on' });
    expect(res.statusCode).toBe(303);
    const url = res.headers.location as string;
    // Instance B knows the job at once, and sees it end with A's report.
    const early = await onB.get(`${url}/status.json`);
    expect(early.statusCode).toBe(200);
    expect(['running', 'done']).toContain(early.json().state);
    const job = await finished(onB, url);
    expect([job.state, job.error]).toEqual(['done', '']);
    expect(job.total).toBe(13);
    expect(job.done).toBe(13);
    expect(job.report?.counts.posts.added).toBe(11);
    const page = await onB.get(url);
    expect(page.body).toContain('The dry run is finished: nothing was written.');
    expect(page.body).toMatch(/<th scope="row">posts<\/th><td>11<\/td>/);
    expect((await onB.get('/admin/import')).body).toContain(`href="${url}"`);
  }, 90_000);

  it('refuses a second import on the other instance while one runs', async () => {
    const onA = await signedIn(a, 62);
    const onB = await signedIn(b, 63);
    const first = await upload(onA, fixture, { dry_run: 'on' });
    expect(first.statusCode).toBe(303);
    const second = await upload(onB, fixture, { dry_run: 'on' });
    expect(second.statusCode).toBe(409);
    expect(second.body).toContain('An import is running');
    expect((await finished(onB, first.headers.location as string)).state).toBe('done');
    // Once it is done, the other instance may import.
    await onB.get('/admin/import');
    const third = await upload(onB, fixture, { dry_run: 'on' });
    expect(third.statusCode).toBe(303);
    expect((await finished(onA, third.headers.location as string)).state).toBe('done');
  }, 90_000);

  it('lets the database decide between two instances claiming at once', async () => {
    const claims = await Promise.allSettled(
      [a, b].map((app, i) =>
        app.services.importJobs.begin({
          id: `00000000000000a${i}`,
          platform: 'ghost',
          dryRun: true,
          startedBy: null,
        }),
      ),
    );
    expect(claims.filter((c) => c.status === 'fulfilled')).toHaveLength(1);
    const lost = claims.find((c) => c.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toMatchObject({ code: 'HEARTH_ERR_IMPORT_RUNNING' });
    const won = (claims.find((c) => c.status === 'fulfilled') as PromiseFulfilledResult<RunningImport>).value;
    await won.finish({ error: 'ended by the test' });
  });

  it('shows the running instance’s progress: at once there, and on the other through the database', async () => {
    const job = await a.services.importJobs.begin({
      id: '00000000000000b0',
      platform: 'wordpress',
      dryRun: true,
      startedBy: null,
    });
    try {
      job.progress(5, 13);
      job.line('reading the export');
      const here = await a.services.importJobs.get(job.id);
      expect([here?.state, here?.done, here?.total, here?.message]).toEqual(['running', 5, 13, ['reading the export']]);
      if (a.database.dialect === 'postgres') {
        // The running instance writes its progress every two seconds.
        let there = await b.services.importJobs.get(job.id);
        for (let i = 0; i < 40 && there?.done !== 5; i++) {
          await new Promise((r) => setTimeout(r, 100));
          there = await b.services.importJobs.get(job.id);
        }
        expect([there?.done, there?.total, there?.message]).toEqual([5, 13, ['reading the export']]);
      }
    } finally {
      job.progress(13, 13);
      await job.finish({ error: 'ended by the test' });
    }
    const ended = await b.services.importJobs.get(job.id);
    expect([ended?.state, ended?.done, ended?.error]).toEqual(['failed', 13, 'ended by the test']);
  });

  it('marks failed a running job whose instance stopped, and then takes a new import', async () => {
    const onB = await signedIn(b, 64);
    // Alive elsewhere (a heartbeat 10 s ago): refused, and shown as running with its progress.
    await runningElsewhere('0123456789abcde0', 10_000);
    expect((await upload(onB, fixture, { dry_run: 'on' })).statusCode).toBe(409);
    const alive = (await onB.get('/admin/import/0123456789abcde0/status.json')).json() as Status;
    expect([alive.state, alive.done, alive.total]).toEqual(['running', 3, 13]);
    await a.database.db
      .updateTable('import_jobs')
      .set({ heartbeat_at: new Date(Date.now() - 120_000).toISOString() })
      .where('id', '=', '0123456789abcde0')
      .execute();
    // Silent for two minutes: its process stopped.
    const stale = (await onB.get('/admin/import/0123456789abcde0/status.json')).json() as Status;
    expect(stale.state).toBe('failed');
    expect(stale.error).toContain('gave no sign of life for a minute');
    const page = await onB.get('/admin/import/0123456789abcde0');
    expect(page.body).toContain('The import failed, and nothing was written');
    await onB.get('/admin/import');
    const next = await upload(onB, fixture, { dry_run: 'on' });
    expect(next.statusCode).toBe(303);
    expect((await finished(onB, next.headers.location as string)).state).toBe('done');
  }, 90_000);

  it('a stale job found when starting does not block the new import', async () => {
    const onA = await signedIn(a, 65);
    await runningElsewhere('0123456789abcde1', 300_000);
    const res = await upload(onA, fixture, { dry_run: 'on' });
    expect(res.statusCode).toBe(303);
    expect((await finished(onA, res.headers.location as string)).state).toBe('done');
    const old = await a.services.importJobs.get('0123456789abcde1');
    expect(old?.state).toBe('failed');
  }, 90_000);
});
