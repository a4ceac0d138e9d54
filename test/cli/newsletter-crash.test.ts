import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/main.js';
import { openDatabase } from '../../src/storage/index.js';

/*
 * The crash test: `hearth serve` sends a newsletter to 300 readers over real SMTP and is
 * killed (SIGKILL) while the server holds its 120th message, which is never accepted. A new
 * `hearth serve` on the same data takes the send over once its heartbeat is stale: every
 * reader gets the message once, the one cut short with the same Message-ID.
 */

const bin = path.resolve('dist/cli/bin.js');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-newsletter-crash-'));
const url = `sqlite:${path.join(dataDir, 'hearth.db')}`;
const env = { HEARTH_DATA_DIR: dataDir, HEARTH_DATABASE_URL: url, HEARTH_LOG_LEVEL: 'silent' };
const READERS = 300;
const KILL_AT = 120;

const baseEnv = () => {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HEARTH_') && v !== undefined) clean[k] = v;
  return clean;
};

let newsletterId = 0;

beforeAll(async () => {
  if (!fs.existsSync(bin)) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  const template = inject('templateDir');
  if (template && fs.existsSync(path.join(template, 'hearth.db'))) fs.cpSync(template, dataDir, { recursive: true });
  // The blog made, readers and the send written, before any server runs.
  const app = await createApp(loadConfig(env));
  try {
    const db = app.database.db;
    const now = new Date().toISOString();
    const rows = Array.from({ length: READERS }, (_, i) => ({
      email: `reader-${i + 1}@example.test`,
      token: `crash-token-${i + 1}`,
      status: 'active' as const,
      consent_at: now,
      created_at: now,
      updated_at: now,
    }));
    for (let i = 0; i < rows.length; i += 100)
      await db
        .insertInto('subscribers')
        .values(rows.slice(i, i + 100))
        .execute();
    const post = await db
      .selectFrom('posts')
      .select('id')
      .where('type', '=', 'post')
      .where('status', '=', 'published')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const row = await db
      .insertInto('newsletters')
      .values({
        kind: 'post',
        key: `post:${post.id}`,
        post_id: post.id,
        content: 'full',
        // Due only once this process has closed.
        send_at: new Date(Date.now() + 3_000).toISOString(),
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    newsletterId = row.id;
  } finally {
    await app.close();
  }
}, 60_000);

afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function serve(smtpUrl: string): ChildProcess {
  const child = spawn(process.execPath, [bin, 'serve'], {
    env: {
      ...baseEnv(),
      ...env,
      HEARTH_PORT: '0',
      HEARTH_SMTP_URL: smtpUrl,
      HEARTH_NEWSLETTER_RATE: '100000',
      HEARTH_JOB_STALE_MS: '1500',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return child;
}

describe('a newsletter send killed half-way', () => {
  it('is finished by the next server with no duplicate and no miss', async () => {
    const accepted = new Map<string, string[]>();
    let arrived = 0;
    let child: ChildProcess | undefined;
    let cutShort = '';
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          arrived++;
          const to = session.envelope.rcptTo[0]?.address ?? '';
          const messageId = /^Message-ID:\s*(\S+)/im.exec(Buffer.concat(chunks).toString('utf8'))?.[1] ?? '';
          if (arrived === KILL_AT) {
            // Killed while this message waits for its answer: it is never accepted.
            cutShort = `${to} ${messageId}`;
            child?.kill('SIGKILL');
            return;
          }
          accepted.set(to, [...(accepted.get(to) ?? []), messageId]);
          callback();
        });
      },
    });
    server.on('error', () => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const smtpUrl = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    const database = await openDatabase({ url, dataDir });
    const state = () =>
      database.db
        .selectFrom('newsletters')
        .select(['state', 'sent', 'total', 'failed'])
        .where('id', '=', newsletterId)
        .executeTakeFirstOrThrow();
    try {
      child = serve(smtpUrl);
      const killed = await new Promise<NodeJS.Signals | null>((resolve) =>
        child?.on('exit', (_code, signal) => resolve(signal)),
      );
      expect(killed).toBe('SIGKILL');
      expect(accepted.size).toBe(KILL_AT - 1);
      expect((await state()).state).toBe('sending');

      child = serve(smtpUrl);
      const until = Date.now() + 60_000;
      while ((await state()).state !== 'done' && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
      expect(await state()).toEqual({ state: 'done', sent: READERS, total: READERS, failed: 0 });
      const stopped = new Promise((resolve) => child?.on('exit', resolve));
      child.kill('SIGTERM');
      await stopped;

      const duplicates = [...accepted.values()].filter((ids) => ids.length > 1).length;
      const missing = Array.from({ length: READERS }, (_, i) => `reader-${i + 1}@example.test`).filter(
        (a) => !accepted.has(a),
      );
      expect(duplicates).toBe(0);
      expect(missing).toEqual([]);
      // The message cut short went again, as the same message.
      const [to, messageId] = cutShort.split(' ');
      expect(accepted.get(to as string)).toEqual([messageId]);
      const rows = await database.db
        .selectFrom('newsletter_recipients')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('newsletter_id', '=', newsletterId)
        .where('state', '=', 'sent')
        .executeTakeFirstOrThrow();
      expect(Number(rows.n)).toBe(READERS);
    } finally {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await database.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 120_000);
});
