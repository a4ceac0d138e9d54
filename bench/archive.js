// node bench/archive.js [--scale 0.1]: times `hearth export` and `hearth import hearth` on a
// large blog and reports each one's peak RSS.
//
// Writes a blog of 10,000 published posts, 50,000 comments and 2,000 small photos (each an
// original and two variants on disk) straight into a temporary SQLite database (rows, not
// the post service: this measures the archive, not the editor), then runs the built CLI:
// `hearth export` of it, and `hearth import hearth` of that zip into an empty blog (which
// ends by building the search index). `--scale` multiplies every count. Run `npm run build`
// first.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { openDatabase } from '../dist/storage/index.js';

const scaleArg = process.argv.indexOf('--scale');
const scale = scaleArg > 0 ? Number(process.argv[scaleArg + 1]) : 1;
const POSTS = Math.round(10_000 * scale);
const COMMENTS = Math.round(50_000 * scale);
const IMAGES = Math.round(2_000 * scale);
const bin = path.resolve(import.meta.dirname, '../dist/cli/bin.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-bench-archive-'));
const source = path.join(root, 'source');
const target = path.join(root, 'target');
const zip = path.join(root, 'site.zip');

const words = 'hearth garden bread kettle morning letter window river lantern autumn walk soup quilt'.split(' ');
const text = (n, seed) => Array.from({ length: n }, (_, i) => words[(seed * 7 + i * 3) % words.length]).join(' ');
const at = (i) => new Date(Date.UTC(2020, 0, 1) + i * 3_600_000).toISOString();

async function generate() {
  const database = await openDatabase({ url: undefined, dataDir: source });
  await database.migrate();
  const db = database.db;
  const started = performance.now();
  await db.transaction().execute(async (tx) => {
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#c86' } })
      .jpeg()
      .toBuffer();
    const webp = await sharp(jpeg).webp().toBuffer();
    const media = [];
    for (let i = 1; i <= IMAGES; i++) {
      const stem = `2026/01/photo-${i}`;
      const variants = [
        { width: 32, height: 24, format: 'jpeg', path: `${stem}-32.jpg` },
        { width: 32, height: 24, format: 'webp', path: `${stem}-32.webp` },
      ];
      fs.mkdirSync(path.join(source, 'media', '2026/01'), { recursive: true });
      fs.writeFileSync(path.join(source, 'media', `${stem}.jpg`), jpeg);
      fs.writeFileSync(path.join(source, 'media', variants[0].path), jpeg);
      fs.writeFileSync(path.join(source, 'media', variants[1].path), webp);
      media.push({
        path: `${stem}.jpg`,
        mime_type: 'image/jpeg',
        width: 64,
        height: 48,
        bytes: jpeg.length,
        alt: `Photo ${i}`,
        caption: '',
        credit: '',
        variants: JSON.stringify(variants),
        created_at: at(i),
      });
    }
    const insertTx = async (table, rows) => {
      for (let i = 0; i < rows.length; i += 500)
        await tx
          .insertInto(table)
          .values(rows.slice(i, i + 500))
          .execute();
    };
    await insertTx('media', media);
    await insertTx('users', [
      {
        slug: 'writer',
        display_name: 'A Writer',
        email: 'writer@example.org',
        bio: '',
        website: null,
        avatar_media_id: null,
        role: 'owner',
        password_hash: null,
        created_at: at(0),
        updated_at: at(0),
      },
    ]);
    await insertTx(
      'categories',
      Array.from({ length: 5 }, (_, i) => ({
        slug: `cat-${i}`,
        name: `Category ${i}`,
        description: '',
        parent_id: null,
      })),
    );
    const posts = Array.from({ length: POSTS }, (_, k) => {
      const i = k + 1;
      const body = Array.from({ length: 6 }, (_, p) => text(60, i + p)).join('\n\n');
      return {
        type: 'post',
        slug: `post-${i}`,
        title: `Post ${i}: ${text(4, i)}`,
        excerpt: text(20, i),
        body,
        html: body
          .split('\n\n')
          .map((p) => `<p>${p}</p>`)
          .join('\n'),
        status: 'published',
        published_at: at(i),
        created_at: at(i),
        updated_at: at(i),
        feature_image_id: IMAGES > 0 ? ((i - 1) % IMAGES) + 1 : null,
        feature_image_alt: null,
        category_id: (i % 5) + 1,
        author_id: 1,
        editor_note: null,
        editor_note_html: null,
        editor_note_author_id: null,
        seo_title: null,
        seo_description: null,
      };
    });
    await insertTx('posts', posts);
    const comments = Array.from({ length: COMMENTS }, (_, k) => ({
      post_id: (k % POSTS) + 1,
      parent_id: null,
      author_name: `Reader ${k}`,
      author_email: `reader${k}@example.org`,
      author_website: null,
      body: text(30, k),
      body_html: `<p>${text(30, k)}</p>`,
      status: 'approved',
      created_at: at(POSTS + k),
      ip_hash: null,
      user_agent: null,
      spam_reasons: null,
      spam_score: null,
      body_hash: null,
      trained_as: null,
      staff_user_id: null,
    }));
    await insertTx('comments', comments);
  });
  await database.close();
  return (performance.now() - started) / 1000;
}

/** Runs the CLI in a child process that reports its own peak RSS as it exits. */
function hearth(args, dataDir) {
  const code = `process.on('exit', () => process.stderr.write('\\nMAXRSS ' + process.resourceUsage().maxRSS + '\\n'));
    await import(${JSON.stringify(bin)});`;
  const started = performance.now();
  const env = { ...process.env, HEARTH_DATA_DIR: dataDir, HEARTH_LOG_LEVEL: 'silent' };
  delete env.HEARTH_DATABASE_URL;
  // With -e, argv[1] is the first argument: `hearth` stands where bin.js's path would be.
  // BENCH_HEAP_MB caps the CLI's JavaScript heap: it fails if memory grows with the blog.
  const heap = process.env.BENCH_HEAP_MB ? [`--max-old-space-size=${process.env.BENCH_HEAP_MB}`] : [];
  const result = spawnSync(process.execPath, [...heap, '--input-type=module', '-e', code, '--', 'hearth', ...args], {
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`hearth ${args.join(' ')} failed:\n${result.stderr.slice(-2000)}`);
  const rss = Number(/MAXRSS (\d+)/.exec(result.stderr)?.[1] ?? 0) / 1024;
  return { seconds, rss, out: result.stdout.trim() };
}

try {
  console.log(`Blog: ${POSTS} posts, ${COMMENTS} comments, ${IMAGES} photos (3 files each), in ${root}`);
  console.log(`generated in ${(await generate()).toFixed(1)} s`);
  const exported = hearth(['export', zip], source);
  console.log(exported.out);
  console.log(
    `export: ${exported.seconds.toFixed(1)} s, peak RSS ${exported.rss.toFixed(0)} MB, zip ${(fs.statSync(zip).size / 1024 / 1024).toFixed(1)} MB`,
  );
  const restored = hearth(['import', 'hearth', zip], target);
  console.log(restored.out);
  console.log(`import hearth: ${restored.seconds.toFixed(1)} s, peak RSS ${restored.rss.toFixed(0)} MB`);
} finally {
  if (!process.env.BENCH_KEEP) fs.rmSync(root, { recursive: true, force: true });
}
