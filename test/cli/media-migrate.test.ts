import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/main.js';
import { mediaStoreFor } from '../../src/services.js';
import { startS3Server } from '../helpers/s3.js';

/** The CLI as a user runs it, in a child process that does not block s3rver in this one. */
const bin = path.resolve('dist/cli/bin.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-media-cli-'));
const dataDir = path.join(root, 'data');
let s3: Awaited<ReturnType<typeof startS3Server>>;

function hearth(args: string[], env: Record<string, string> = {}) {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('HEARTH_') && !k.startsWith('AWS_') && v !== undefined) clean[k] = v;
  }
  return new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      {
        env: { ...clean, ...s3.env, HEARTH_DATA_DIR: dataDir, HEARTH_LOG_LEVEL: 'silent', ...env },
        encoding: 'utf8',
        timeout: 120_000,
      },
      (error, stdout, stderr) =>
        resolve({ status: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Every file below a folder, relative, with `/`. */
function filesIn(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/** What migrate copies: every media file, and the built books (kept below private/books/). */
function toCopy(): string[] {
  const books = fs.existsSync(path.join(dataDir, 'books'))
    ? filesIn(path.join(dataDir, 'books'))
        .filter((name) => /^[0-9a-f]{64}\.(epub|pdf)$/.test(name))
        .map((name) => `private/books/${name}`)
    : [];
  return [...filesIn(path.join(dataDir, 'media')), ...books].sort();
}

/** Where a copied file came from in the data folder. */
function sourceOf(file: string): string {
  return file.startsWith('private/books/')
    ? path.join(dataDir, 'books', file.slice('private/books/'.length))
    : path.join(dataDir, 'media', file);
}

beforeAll(async () => {
  s3 = await startS3Server(['media']);
  // The demo blog, photos and all, as the test template installed it.
  fs.cpSync(inject('templateDir'), dataDir, { recursive: true });
});
afterAll(async () => {
  await s3?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const bucketStore = () => mediaStoreFor(loadConfig({ ...s3.env, HEARTH_MEDIA_URL: 's3://media/site' }));

describe('hearth media migrate', () => {
  it('--dry-run lists what it would copy and copies nothing', async () => {
    const local = toCopy();
    expect(local.length).toBeGreaterThan(20);
    // The demo's built book goes along.
    expect(local.some((f) => f.startsWith('private/books/') && f.endsWith('.epub'))).toBe(true);
    const run = await hearth(['media', 'migrate', '--to', 's3://media/site', '--dry-run']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n').sort()).toEqual(local);
    expect(run.stderr).toContain(`${local.length} to copy`);
    const listed = [];
    for await (const file of bucketStore().list()) listed.push(file);
    expect(listed).toEqual([]);
  });

  it('copies every file with a progress bar, then names the variables to set', async () => {
    const local = toCopy();
    // A file copied by an earlier run that stopped half way is not copied again.
    await bucketStore().putFile(local[0] as string, path.join(dataDir, 'media', local[0] as string));
    const run = await hearth(['media', 'migrate', '--to', 's3://media/site']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain(`1 already in s3://media/site, ${local.length - 1} to copy`);
    expect(run.stderr).toMatch(new RegExp(`media \\[[=\\-░█ ]*\\] ${local.length - 1}/${local.length - 1} files`));
    expect(run.stderr).toContain(`copied ${local.length - 1} files`);
    expect(run.stdout).toContain('HEARTH_MEDIA_URL=s3://media/site');
    const store = bucketStore();
    for (const file of local) {
      const bytes = await store.read(file);
      expect(bytes?.equals(fs.readFileSync(sourceOf(file))), file).toBe(true);
    }
  });

  it('copies nothing the second time', async () => {
    const run = await hearth(['media', 'migrate', '--to', 's3://media/site']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/, 0 to copy/);
    expect(run.stderr).toContain('copied 0 files');
  });

  it('the blog then serves its photos from the bucket, and builds books with them', async () => {
    const local = filesIn(path.join(dataDir, 'media'));
    const moved = path.join(root, 'moved');
    fs.cpSync(dataDir, moved, { recursive: true });
    fs.rmSync(path.join(moved, 'media'), { recursive: true });
    const config = loadConfig({
      ...s3.env,
      HEARTH_DATA_DIR: moved,
      HEARTH_MEDIA_URL: 's3://media/site',
      HEARTH_LOG_LEVEL: 'silent',
    });
    const app = await createApp(config, { pause: async () => {} });
    try {
      const res = await app.server.inject({ method: 'GET', url: `/media/${local[1]}` });
      expect(res.statusCode).toBe(200);
      expect(res.rawPayload.equals(fs.readFileSync(path.join(dataDir, 'media', local[1] as string)))).toBe(true);
      // A book build reads its photos through the store: from the bucket, none missing.
      const maren = await app.database.db
        .selectFrom('users')
        .select(['id', 'role'])
        .where('slug', '=', 'maren-ashby')
        .executeTakeFirstOrThrow();
      const book = await app.services.books.create(maren, { title: 'Small Hands', language: 'en' });
      await app.services.books.setContents(maren, book.id, [{ post: 'benefits-of-infant-massage' }]);
      const started = await app.services.bookBuilds.start(maren, book.slug, 'epub');
      let build = started;
      for (const until = Date.now() + 60_000; build.state !== 'done' && build.state !== 'failed'; ) {
        if (Date.now() > until) throw new Error('the book build did not finish');
        await new Promise((r) => setTimeout(r, 50));
        build = (await app.services.bookBuilds.get(started.id)) ?? build;
      }
      expect(build).toMatchObject({ state: 'done', error: '' });
      expect(build.images).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });

  it('refuses a bucket that does not exist, an endpoint that does not answer and a target that is not a bucket', async () => {
    const missing = await hearth(['media', 'migrate', '--to', 's3://no-such-bucket']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('the bucket "no-such-bucket" does not exist');
    const away = await hearth(['media', 'migrate', '--to', 's3://media'], {
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9',
    });
    expect(away.status).toBe(1);
    expect(away.stderr).toContain('cannot reach http://127.0.0.1:9');
    const notBucket = await hearth(['media', 'migrate', '--to', '/srv/photos']);
    expect(notBucket.status).not.toBe(0);
    expect(notBucket.stderr).toContain('--to: must be s3://bucket/optional/prefix');
    const none = await hearth(['media', 'migrate']);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('name the bucket to copy to');
  });
});
