import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { ImportReport } from '../../src/domain/portability/index.js';
import { type App, createApp } from '../../src/main.js';
import { htmlErrors } from '../helpers/nu-checker.js';
import { noisyPhoto } from '../helpers/photos.js';
import { buildZip } from '../helpers/zip-builder.js';

/** `hearth import ghost` as a user runs it: the built binary, Ghost exports of two formats, a copy of content/images. */
const bin = path.resolve('dist/cli/bin.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-import-ghost-'));
const content = path.join(work, 'content');
const dataDir = path.join(work, 'blog');

function importGhost(
  fixture: string,
  extra: string[] = [],
): { status: number | null; report: ImportReport; out: string } {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HEARTH_') && v !== undefined) clean[k] = v;
  const reportFile = path.join(work, `report-${Math.random()}.json`);
  const run = spawnSync(
    process.execPath,
    [
      bin,
      'import',
      'ghost',
      path.resolve('test/unit/fixtures', fixture),
      '--media',
      content,
      '--report',
      reportFile,
      ...extra,
    ],
    { env: { ...clean, HEARTH_DATA_DIR: dataDir, HEARTH_LOG_LEVEL: 'silent' }, encoding: 'utf8', timeout: 120_000 },
  );
  const report = fs.existsSync(reportFile)
    ? (JSON.parse(fs.readFileSync(reportFile, 'utf8')) as ImportReport)
    : (undefined as never);
  return { status: run.status, report, out: `${run.stdout}${run.stderr}` };
}

let site: App;
let lexical: ReturnType<typeof importGhost>;
let mobiledoc: ReturnType<typeof importGhost>;

beforeAll(async () => {
  if (!fs.existsSync(bin)) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  fs.mkdirSync(path.join(content, 'images/2025/09'), { recursive: true });
  fs.mkdirSync(path.join(content, 'images/2021/06'), { recursive: true });
  fs.writeFileSync(path.join(content, 'images/2025/09/doors.webp'), await noisyPhoto(900, 600).webp().toBuffer());
  for (const name of ['pier', 'gull', 'crab'])
    fs.writeFileSync(path.join(content, `images/2021/06/${name}.jpg`), await noisyPhoto(640, 480).jpeg().toBuffer());
  fs.mkdirSync(dataDir, { recursive: true });
  lexical = importGhost('ghost-6.x-lexical.json', ['--url', 'https://workshop.example']);
  mobiledoc = importGhost('ghost-4.x-mobiledoc.json', ['--url', 'https://pier.example']);
  site = await createApp(
    loadConfig(
      { HEARTH_DATA_DIR: dataDir, HEARTH_LOG_LEVEL: 'silent', HEARTH_PUBLIC_URL: 'http://blog.test' },
      { demo: false },
    ),
  );
}, 180_000);

afterAll(async () => {
  await site?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('hearth import ghost', () => {
  it('imports a Ghost 6 (lexical) export, holding back members-only posts', async () => {
    expect(lexical.status, lexical.out).toBe(0);
    expect(lexical.report.counts.posts.added).toBe(4);
    expect(lexical.report.counts.pages.added).toBe(1);
    expect(lexical.report.counts.media.added).toBe(1);
    expect(lexical.report.missingMedia).toEqual([]);
    expect(lexical.report.heldBack.map((h) => h.title).sort()).toEqual([
      'Joinery Masterclass',
      'Members Evening',
      'Patrons Tour',
    ]);
    expect(lexical.report.skipped.map((s) => s.name)).toContain('#wide-header');
    const post = await site.server.inject('/opening-the-workshop/');
    expect(post.statusCode).toBe(200);
    expect(post.body).toMatch(/\/media\/\d{4}\/\d{2}\/doors-[0-9a-f]+/);
    for (const hidden of ['/members-evening/', '/joinery-masterclass/', '/patrons-tour/'])
      expect((await site.server.inject(hidden)).statusCode, hidden).toBe(404);
    expect((await site.server.inject('/hours/')).statusCode).toBe(200);
    expect((await site.server.inject('/tag/news/')).statusCode).toBe(200);
    expect((await site.server.inject('/tag/hash-wide-header/')).statusCode).toBe(404);
  });

  it('imports a Ghost 4 (mobiledoc) export with its gallery and sized images', async () => {
    expect(mobiledoc.status, mobiledoc.out).toBe(0);
    expect(mobiledoc.report.counts.posts.added).toBe(1);
    expect(mobiledoc.report.counts.pages.added).toBe(1);
    expect(mobiledoc.report.counts.media.added).toBe(3);
    const post = await site.server.inject('/a-walk-to-the-pier/');
    expect(post.statusCode).toBe(200);
    for (const name of ['pier', 'gull', 'crab'])
      expect(post.body).toMatch(new RegExp(`/media/\\d{4}/\\d{2}/${name}-[0-9a-f]+`));
    expect(post.body).not.toContain('__GHOST_URL__');
    expect(post.body).not.toContain('/content/images/');
  });

  it('renders valid HTML', async () => {
    const files: string[] = [];
    for (const url of ['/opening-the-workshop/', '/a-walk-to-the-pier/', '/hours/', '/contact/']) {
      const res = await site.server.inject(url);
      expect(res.statusCode, url).toBe(200);
      const file = path.join(work, `page-${files.length}.html`);
      fs.writeFileSync(file, res.body);
      files.push(file);
    }
    expect(htmlErrors(files)).toEqual([]);
  });

  it('adds nothing when the same export is imported again', () => {
    const again = importGhost('ghost-6.x-lexical.json', ['--url', 'https://workshop.example']);
    expect(again.status, again.out).toBe(0);
    expect(again.report.counts.posts).toEqual({ added: 0, existing: 4, matched: 0 });
    expect(again.report.counts.media).toEqual({ added: 0, existing: 1, matched: 0 });
  });

  it('imports a zip holding the export and its content/images', () => {
    const zip = path.join(work, 'workshop.zip');
    fs.writeFileSync(
      zip,
      buildZip([
        {
          name: 'workshop.ghost.2025-10-01.json',
          data: fs.readFileSync(path.resolve('test/unit/fixtures/ghost-6.x-lexical.json')),
        },
        {
          name: 'content/images/2025/09/doors.webp',
          data: fs.readFileSync(path.join(content, 'images/2025/09/doors.webp')),
        },
      ]),
    );
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HEARTH_') && v !== undefined) clean[k] = v;
    const fresh = path.join(work, 'from-zip');
    const reportFile = path.join(work, 'zip-report.json');
    const run = spawnSync(
      process.execPath,
      [bin, 'import', 'ghost', zip, '--url', 'https://workshop.example', '--report', reportFile],
      {
        env: { ...clean, HEARTH_DATA_DIR: fresh, HEARTH_LOG_LEVEL: 'silent' },
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as ImportReport;
    expect(report.counts.posts.added).toBe(4);
    expect(report.counts.media.added).toBe(1);
    expect(report.missingMedia).toEqual([]);
  });

  it('refuses what is not a Ghost export, and a bad address', () => {
    const notGhost = path.join(work, 'not-ghost.json');
    fs.writeFileSync(notGhost, JSON.stringify({ posts: [] }));
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HEARTH_') && v !== undefined) clean[k] = v;
    const run = (args: string[]) =>
      spawnSync(process.execPath, [bin, 'import', 'ghost', ...args], {
        env: { ...clean, HEARTH_DATA_DIR: dataDir, HEARTH_LOG_LEVEL: 'silent' },
        encoding: 'utf8',
      });
    const bad = run([notGhost]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/not a Ghost export/);
    const url = run([path.resolve('test/unit/fixtures/ghost-6.x-lexical.json'), '--url', 'javascript:alert(1)']);
    expect(url.status).toBe(2);
    expect(url.stderr).toContain('--url');
  });
});
