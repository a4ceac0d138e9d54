// node bench/newsletter.js [--readers 10000]: sends a newsletter to 10,000 subscribers over
// real SMTP (an smtp-server on 127.0.0.1 in this process, which counts what it accepts and
// keeps nothing) with the rate limit set very high, and prints messages per second.
//
// The blog is the demo on SQLite in a temporary folder; the readers are written straight
// into the database. The time runs from scheduling to the send being done: listing the
// recipients in one transaction, then each message rendered for its reader, sent over the
// pooled transport (one connection) and recorded with its recipient in one transaction.
// Run `npm run build` first (npm run bench:newsletter does).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../dist/config.js';
import { createApp } from '../dist/main.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const READERS = Number(arg('readers', '10000'));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-bench-newsletter-'));

let accepted = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, _session, callback) {
    stream.on('data', () => {});
    stream.on('end', () => {
      accepted++;
      callback();
    });
  },
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const smtpUrl = `smtp://127.0.0.1:${server.server.address().port}`;

const app = await createApp(
  loadConfig({
    HEARTH_DATA_DIR: dir,
    HEARTH_LOG_LEVEL: 'silent',
    HEARTH_SMTP_URL: smtpUrl,
    HEARTH_NEWSLETTER_RATE: '1000000',
  }),
);
try {
  const db = app.database.db;
  const now = new Date().toISOString();
  const rows = Array.from({ length: READERS }, (_, i) => ({
    email: `reader-${i + 1}@example.test`,
    token: `bench-token-${String(i + 1).padStart(6, '0')}`,
    status: 'active',
    consent_at: now,
    created_at: now,
    updated_at: now,
  }));
  await db.transaction().execute(async (tx) => {
    for (let i = 0; i < rows.length; i += 500)
      await tx
        .insertInto('subscribers')
        .values(rows.slice(i, i + 500))
        .execute();
  });
  const post = await db
    .selectFrom('posts')
    .select(['id', 'title'])
    .where('type', '=', 'post')
    .where('status', '=', 'published')
    .orderBy('id')
    .executeTakeFirstOrThrow();
  const started = performance.now();
  const scheduled = await app.services.newsletters.schedule({ postId: post.id, content: 'full' });
  await app.services.newsletters.idle(30 * 60_000);
  const seconds = (performance.now() - started) / 1000;
  const done = await app.services.newsletters.get(scheduled.id);
  if (done.state !== 'done' || done.sent !== READERS || accepted !== READERS) {
    throw new Error(`expected ${READERS} sent and accepted, got ${done.state} ${done.sent} sent, ${accepted} accepted`);
  }
  console.log(`newsletter "${post.title}" to ${READERS} subscribers over SMTP (SQLite, node ${process.version}):`);
  console.log(`  ${seconds.toFixed(1)} s, ${(READERS / seconds).toFixed(0)} messages/s`);
} finally {
  await app.close();
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
}
