import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { ImportReport } from '../../src/domain/portability/index.js';
import { type App, createApp } from '../../src/main.js';
import { noisyPhoto, phoneJpeg } from '../helpers/photos.js';

/** `hearth import markdown` as a user runs it: the built binary, a Hugo folder written here. */
const bin = path.resolve('dist/cli/bin.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-import-md-'));
const folder = path.join(work, 'hugo-blog');
const dataDir = path.join(work, 'data');

function importFolder(args: string[] = []): { status: number | null; report: ImportReport; out: string } {
  const reportFile = path.join(work, `report-${Date.now()}-${Math.random()}.json`);
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HEARTH_') && v !== undefined) clean[k] = v;
  const run = spawnSync(process.execPath, [bin, 'import', 'markdown', folder, '--report', reportFile, ...args], {
    env: { ...clean, HEARTH_DATA_DIR: dataDir, HEARTH_LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const report = fs.existsSync(reportFile)
    ? (JSON.parse(fs.readFileSync(reportFile, 'utf8')) as ImportReport)
    : (undefined as never);
  return { status: run.status, report, out: `${run.stdout}${run.stderr}` };
}

const write = (file: string, content: string | Buffer) => {
  fs.mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
  fs.writeFileSync(path.join(folder, file), content);
};

let first: ReturnType<typeof importFolder>;
let site: App;

beforeAll(async () => {
  if (!fs.existsSync(bin)) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  write('hugo.toml', 'title = "Small Hours"\n');
  write(
    'content/posts/night-walks/index.md',
    [
      '---',
      'title: Night walks with a newborn',
      'date: 2024-05-02T21:00:00+02:00',
      'categories: [Sleep]',
      'tags: [walks, newborn]',
      'aliases: [/2024/05/night-walks/]',
      'image: street.jpg',
      'description: Round the block, twice.',
      'author: Ana Lima',
      '---',
      'The pram rocks better than we do.',
      '',
      '![The street at night](street.jpg "Our street, 2 a.m.")',
      '',
      '![Shared](/images/moon.png)',
    ].join('\n'),
  );
  write('content/posts/night-walks/street.jpg', await phoneJpeg(800, 600));
  write('static/images/moon.png', await noisyPhoto(320, 240).png().toBuffer());
  write(
    'content/posts/escape.md',
    '+++\ntitle = "Escape"\ndate = 2024-06-01\n+++\n![secret](../../../outside.png) <div>boxed</div>\n',
  );
  write('content/posts/broken.md', '---\ntitle: [oops\n---\n');
  write('content/about.md', '---\ntitle: About\n---\nTwo tired parents.\n');
  fs.writeFileSync(path.join(work, 'outside.png'), await noisyPhoto(50, 50).png().toBuffer());
  // The blog is set up first: its owner writes the posts that name no author.
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HEARTH_') && v !== undefined) clean[k] = v;
  const owner = spawnSync(
    process.execPath,
    [bin, 'user', 'create', '--name', 'Owner', '--email', 'owner@blog.test', '--password-stdin'],
    {
      env: { ...clean, HEARTH_DATA_DIR: dataDir, HEARTH_LOG_LEVEL: 'silent' },
      input: 'a long and quiet night\n',
      encoding: 'utf8',
    },
  );
  if (owner.status !== 0) throw new Error(owner.stderr);
  first = importFolder();
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

describe('hearth import markdown', () => {
  it('imports the posts, the page and the photos in the folder, and reports the rest', () => {
    expect(first.status, first.out).toBe(0);
    const { counts } = first.report;
    expect(first.report.platform).toBe('markdown');
    expect(counts.posts.added).toBe(2);
    expect(counts.pages.added).toBe(1);
    expect(counts.media.added).toBe(2);
    expect(counts.categories.added).toBe(1);
    expect(counts.authors.added).toBe(1);
    expect(counts.tags.added).toBe(2);
    expect(first.report.missingMedia).toEqual([]);
    const skipped = first.report.skipped.map((s) => `${s.what}|${s.name}|${s.reason}`).join('\n');
    expect(skipped).toContain(
      'image|../../../outside.png in content/posts/escape.md|outside the folder; only files inside it are imported',
    );
    expect(skipped).toMatch(/file\|content\/posts\/broken\.md\|the YAML front matter does not parse/);
    expect(skipped).toContain('raw HTML|1 post|');
  });

  it('shows the post with its photos from the library, and sends the old address on', async () => {
    const page = await site.server.inject('/night-walks/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Night walks with a newborn');
    expect(page.body).toContain('Ana Lima');
    expect(page.body).toMatch(/<picture>[\s\S]*\/media\/\d{4}\/\d{2}\/street-[0-9a-f]+/);
    expect(page.body).toMatch(/\/media\/\d{4}\/\d{2}\/moon-[0-9a-f]+/);
    expect(page.body).not.toContain('](street.jpg');
    const old = await site.server.inject('/2024/05/night-walks/');
    expect(old.statusCode).toBe(301);
    expect(old.headers.location).toBe('/night-walks/');
    const about = await site.server.inject('/about/');
    expect(about.statusCode).toBe(200);
    const escaping = await site.server.inject('/escape/');
    expect(escaping.body).toContain('../../../outside.png');
    expect(escaping.body).toContain('&lt;div&gt;boxed&lt;/div&gt;');
  });

  it('adds nothing when the same folder is imported again', () => {
    const again = importFolder();
    expect(again.status, again.out).toBe(0);
    for (const kind of ['posts', 'pages', 'media', 'categories', 'tags'] as const)
      expect(again.report.counts[kind].added, kind).toBe(0);
    expect(again.report.counts.posts.existing).toBe(2);
  });

  it('refuses a file in place of a folder, and --media', () => {
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HEARTH_') && v !== undefined) clean[k] = v;
    const run = (args: string[]) =>
      spawnSync(process.execPath, [bin, 'import', 'markdown', ...args], {
        env: { ...clean, HEARTH_DATA_DIR: dataDir, HEARTH_LOG_LEVEL: 'silent' },
        encoding: 'utf8',
      });
    const file = run([path.join(folder, 'hugo.toml')]);
    expect(file.status).toBe(2);
    expect(file.stderr).toContain('is not a folder');
    const media = run([folder, '--media', folder]);
    expect(media.status).toBe(2);
    expect(media.stderr).toContain('--media is for exports');
  });
});
