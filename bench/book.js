// node bench/book.js [--formats epub,pdf] [--chapters 100] [--photos 300]: times `hearth book build`
// cold (--rebuild) and warm (nothing changed: the last file is used) with its peak memory, for
// the demo blog's book and for a generated book of 100 chapters with 300 photos.
//
// The generated blog is made through the services of the built code: an owner, then posts of
// a few hundred words each, with three photos apiece (3000×2000 JPEGs with noise, so they do
// not compress to nothing and must be scaled down), stored as files below the media folder
// and named in the posts' Markdown. Peak memory is GNU time's maximum resident set of the
// CLI process (Chromium's own processes run beside it for a PDF; see docs/performance.md).
// Run `npm run build` first.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { loadConfig } from '../dist/config.js';
import { createApp } from '../dist/main.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const FORMATS = arg('formats', 'epub,pdf').split(',');
const CHAPTERS = Number(arg('chapters', '100'));
const PHOTOS = Number(arg('photos', '300'));
const bin = path.resolve(import.meta.dirname, '../dist/cli/bin.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-bench-book-'));
const demoDir = path.join(root, 'demo');
const bigDir = path.join(root, 'big');
const out = path.join(root, 'out');
fs.mkdirSync(out);

const words =
  'the baby slept while we folded towels and the kettle sang on the stove as rain tapped softly at the window'.split(
    ' ',
  );
const paragraph = (seed, n = 90) =>
  Array.from({ length: n }, (_, i) => words[(seed * 13 + i * 7) % words.length])
    .join(' ')
    .replace(/^./, (c) => c.toUpperCase()) + '.';

async function makeDemo() {
  const app = await createApp(loadConfig({ HEARTH_DATA_DIR: demoDir, HEARTH_LOG_LEVEL: 'silent' }));
  await app.close();
}

async function makeBig() {
  const app = await createApp(loadConfig({ HEARTH_DATA_DIR: bigDir, HEARTH_LOG_LEVEL: 'silent' }, { demo: false }));
  try {
    const { services, database } = app;
    const owner = await services.users.create({
      name: 'Bench Writer',
      email: 'bench@example.org',
      password: 'correct horse battery',
      role: 'owner',
    });
    const actor = { id: owner.id, role: owner.role ?? 'owner' };
    const mediaDir = path.join(bigDir, 'media', 'bench');
    fs.mkdirSync(mediaDir, { recursive: true });
    for (let i = 1; i <= PHOTOS; i++) {
      const jpeg = await sharp({
        create: {
          width: 3000,
          height: 2000,
          channels: 3,
          background: { r: (i * 37) % 256, g: (i * 91) % 256, b: 120 },
          noise: { type: 'gaussian', mean: 128, sigma: 30 },
        },
      })
        .jpeg({ quality: 80 })
        .toBuffer();
      fs.writeFileSync(path.join(mediaDir, `photo-${i}.jpg`), jpeg);
    }
    const perChapter = Math.max(1, Math.round(PHOTOS / CHAPTERS));
    const ids = [];
    for (let c = 1; c <= CHAPTERS; c++) {
      const photos = Array.from({ length: perChapter }, (_, k) => (((c - 1) * perChapter + k) % PHOTOS) + 1);
      const body = [
        paragraph(c),
        ...photos.flatMap((p, k) => [
          `![Photo ${p} of chapter ${c}](/media/bench/photo-${p}.jpg)`,
          paragraph(c + k + 1),
        ]),
        `## Notes for chapter ${c}`,
        paragraph(c + 7),
        paragraph(c + 9),
      ].join('\n\n');
      const post = await services.posts.create({
        title: `Chapter ${c}: a day at home`,
        slug: `chapter-${c}`,
        body,
        status: 'published',
        publishedAt: new Date(Date.UTC(2025, 0, 1) + c * 86_400_000).toISOString(),
        authorId: owner.id,
      });
      ids.push(post.id);
    }
    const book = await services.books.create(actor, { title: 'A Hundred Days', language: 'en' });
    const parts = [];
    for (let p = 0; p < 5; p++) {
      const slice = ids.slice((p * CHAPTERS) / 5, ((p + 1) * CHAPTERS) / 5);
      parts.push({ part: `Part ${p + 1}`, chapters: slice.map((post) => ({ post })) });
    }
    await services.books.setContents(actor, book.id, parts);
    await database.db.deleteFrom('book_builds').execute();
    return book.slug;
  } finally {
    await app.close();
  }
}

/** Runs the CLI under GNU time; returns wall seconds and the CLI's peak RSS in MiB. */
function build(dataDir, slug, format, rebuild) {
  const file = path.join(out, `${slug}.${format}`);
  const args = [bin, 'book', 'build', slug, '--format', format, '--out', file, ...(rebuild ? ['--rebuild'] : [])];
  const env = { ...process.env, HEARTH_DATA_DIR: dataDir, HEARTH_LOG_LEVEL: 'silent' };
  delete env.HEARTH_DATABASE_URL;
  const started = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', 'MAXRSS %M', process.execPath, ...args], {
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0)
    throw new Error(`hearth book build ${slug} --format ${format} failed:\n${result.stderr.slice(-2000)}`);
  const rss = Number(/MAXRSS (\d+)/.exec(result.stderr)?.[1] ?? 0) / 1024;
  return { seconds, rss, bytes: fs.statSync(file).size };
}

const mb = (b) => `${(b / 1024 / 1024).toFixed(1)} MB`;
try {
  let started = performance.now();
  await makeDemo();
  console.log(`demo blog installed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  started = performance.now();
  const big = await makeBig();
  console.log(
    `generated ${CHAPTERS} chapters with ${PHOTOS} photos in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  console.log('book                 format  cold s  cold peak MiB  warm s  warm peak MiB  file');
  for (const [dir, slug] of [
    [demoDir, 'ten-quiet-minutes'],
    [bigDir, big],
  ]) {
    for (const format of FORMATS) {
      const cold = build(dir, slug, format, true);
      const warm = build(dir, slug, format, false);
      console.log(
        `${slug.padEnd(20)} ${format.padEnd(7)} ${cold.seconds.toFixed(1).padStart(6)}  ${cold.rss.toFixed(0).padStart(13)}  ${warm.seconds.toFixed(1).padStart(6)}  ${warm.rss.toFixed(0).padStart(13)}  ${mb(cold.bytes)}`,
      );
    }
  }
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
