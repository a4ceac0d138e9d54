// npm run bench:import: `hearth import wordpress` on a generated export of 10,000 posts with
// 50,000 comments and 2,000 photos (the issue's size), timed, with the importer's peak memory.
// The goal (issue 16): under 60 s and under 400 MiB. BENCH_POSTS, BENCH_COMMENTS and
// BENCH_PHOTOS change the size (BENCH_KEEP=1 keeps the files, BENCH_GENERATE_ONLY=1 only writes them, to profile); HEARTH_DATABASE_URL (optional) imports into PostgreSQL.
// The export is written by this script (made-up words); the photos are drawn by sharp.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const posts = Number(process.env.BENCH_POSTS ?? 10_000);
const comments = Number(process.env.BENCH_COMMENTS ?? 50_000);
const photos = Number(process.env.BENCH_PHOTOS ?? 2_000);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-bench-import-'));
const site = 'https://bench.example.org';

// A vocabulary of 6,000 made-up words, drawn with a Zipf-like skew (a few common, most rare), so
// that posts share words as real posts do: a handful of words repeated would make every post
// related to every other, which no blog is.
const SYLLABLES = 'ka lo mi ne ru sa te vi bo da fe gu ha ji ko la ma no pa ri so tu ve wa'.split(' ');
const WORDS = Array.from({ length: 6000 }, (_, i) => {
  let word = '';
  for (let n = i + 7; word.length < 4 || n > 0; n = Math.floor(n / SYLLABLES.length))
    word += SYLLABLES[n % SYLLABLES.length];
  return word;
});
let seed = 42;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const word = () => WORDS[Math.floor(WORDS.length * random() ** 3)];
const sentence = (n) =>
  Array.from({ length: n }, word)
    .join(' ')
    .replace(/^./, (c) => c.toUpperCase());
const cdata = (text) => `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
const date = (i) => new Date(Date.UTC(2012, 0, 1) + i * 3_600_000 * 7).toISOString().slice(0, 19).replace('T', ' ');

async function writeExport(file) {
  const out = fs.createWriteStream(file);
  const write = (text) => (out.write(text) ? undefined : new Promise((r) => out.once('drain', r)));
  await write(`<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Bench blog</title><link>${site}</link><description>Generated</description><language>en</language>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>${site}</wp:base_site_url><wp:base_blog_url>${site}</wp:base_blog_url>
`);
  for (let a = 0; a < 5; a++)
    await write(
      `<wp:author><wp:author_id>${a + 1}</wp:author_id><wp:author_login>${cdata(`writer${a}`)}</wp:author_login><wp:author_email>${cdata(`writer${a}@bench.example.org`)}</wp:author_email><wp:author_display_name>${cdata(`Writer ${a}`)}</wp:author_display_name></wp:author>\n`,
    );
  for (let c = 0; c < 20; c++)
    await write(
      `<wp:category><wp:term_id>${c + 1}</wp:term_id><wp:category_nicename>${cdata(`topic-${c}`)}</wp:category_nicename><wp:category_parent>${cdata(c >= 10 ? `topic-${c - 10}` : '')}</wp:category_parent><wp:cat_name>${cdata(`Topic ${c}`)}</wp:cat_name></wp:category>\n`,
    );
  for (let t = 0; t < 200; t++)
    await write(
      `<wp:tag><wp:term_id>${100 + t}</wp:term_id><wp:tag_slug>${cdata(`tag-${t}`)}</wp:tag_slug><wp:tag_name>${cdata(`Tag ${t}`)}</wp:tag_name></wp:tag>\n`,
    );
  const firstPhoto = posts + 1;
  for (let p = 0; p < photos; p++) {
    const id = firstPhoto + p;
    const file = `2015/${String((p % 12) + 1).padStart(2, '0')}/photo-${p}.jpg`;
    await write(
      `<item><title>${cdata(`photo-${p}`)}</title><wp:post_id>${id}</wp:post_id><wp:post_date_gmt>${cdata(date(p))}</wp:post_date_gmt><wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type><wp:attachment_url>${cdata(`${site}/wp-content/uploads/${file}`)}</wp:attachment_url><wp:postmeta><wp:meta_key>_wp_attached_file</wp:meta_key><wp:meta_value>${cdata(file)}</wp:meta_value></wp:postmeta><wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key><wp:meta_value>${cdata(sentence(6))}</wp:meta_value></wp:postmeta></item>\n`,
    );
  }
  let comment = 1;
  for (let i = 1; i <= posts; i++) {
    const paragraphs = Array.from({ length: 8 }, (_, k) => `<p>${sentence(40)}.</p>`).join('\n');
    const photo = i % 5 === 0 ? (i / 5 - 1) % photos : -1;
    const image =
      photo >= 0
        ? `\n[caption id="attachment_${firstPhoto + photo}" width="300"]<img src="${site}/wp-content/uploads/2015/${String((photo % 12) + 1).padStart(2, '0')}/photo-${photo}-300x200.jpg" alt="${sentence(5)}" class="wp-image-${firstPhoto + photo}" /> ${sentence(4)}[/caption]\n`
        : '';
    const body = `${paragraphs.slice(0, 400)}\n<!--more-->\n${paragraphs}${image}`;
    const n = Math.floor(comments / posts) + (i <= comments % posts ? 1 : 0);
    let thread = '';
    for (let k = 0; k < n; k++, comment++) {
      const parent = k > 0 && k % 2 === 1 ? comment - 1 : 0;
      thread += `<wp:comment><wp:comment_id>${comment}</wp:comment_id><wp:comment_author>${cdata(`Reader ${comment % 97}`)}</wp:comment_author><wp:comment_author_email>${cdata(`reader${comment % 97}@example.net`)}</wp:comment_author_email><wp:comment_date_gmt>${cdata(date(i + k))}</wp:comment_date_gmt><wp:comment_content>${cdata(`${sentence(25)}.`)}</wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_type>comment</wp:comment_type><wp:comment_parent>${parent}</wp:comment_parent></wp:comment>`;
    }
    await write(
      `<item><title>${cdata(`${sentence(5)} ${i}`)}</title><link>${site}/${date(i).slice(0, 4)}/post-${i}/</link><dc:creator>${cdata(`writer${i % 5}`)}</dc:creator><guid isPermaLink="false">${site}/?p=${i}</guid><content:encoded>${cdata(body)}</content:encoded><excerpt:encoded>${cdata('')}</excerpt:encoded><wp:post_id>${i}</wp:post_id><wp:post_date_gmt>${cdata(date(i))}</wp:post_date_gmt><wp:comment_status>open</wp:comment_status><wp:post_name>${cdata(`post-${i}`)}</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type><category domain="category" nicename="topic-${i % 20}">${cdata(`Topic ${i % 20}`)}</category><category domain="post_tag" nicename="tag-${i % 200}">${cdata(`Tag ${i % 200}`)}</category>${photo >= 0 ? `<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>${firstPhoto + photo}</wp:meta_value></wp:postmeta>` : ''}${thread}</item>\n`,
    );
  }
  await write('</channel></rss>\n');
  await new Promise((resolve, reject) => out.end((error) => (error ? reject(error) : resolve())));
}

async function drawPhotos(dir) {
  for (let p = 0; p < photos; p++) {
    const file = path.join(dir, `2015/${String((p % 12) + 1).padStart(2, '0')}/photo-${p}.jpg`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const data = await sharp({
      create: { width: 320, height: 240, channels: 3, background: { r: (p * 37) % 255, g: 140, b: 90 } },
    })
      .jpeg({ quality: 80 })
      .toBuffer();
    fs.writeFileSync(file, data);
  }
}

/** Runs the built CLI; returns its wall time and peak resident memory (VmHWM, polled). */
function run(args, env) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [path.join(root, 'dist/cli/bin.js'), ...args], {
      env: { ...process.env, ...env, HEARTH_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let peak = 0;
    let output = '';
    const poll = setInterval(() => {
      try {
        const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
        peak = Math.max(peak, kb);
      } catch {
        // gone already
      }
    }, 100);
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      if (!String(d).startsWith('{')) output += d;
    });
    child.on('close', (code) => {
      clearInterval(poll);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) reject(new Error(`hearth ${args.join(' ')} failed (${code}):\n${output}`));
      else resolve({ seconds, peakMiB: peak / 1024, output });
    });
  });
}

const exportFile = path.join(work, 'bench.xml');
const uploads = path.join(work, 'uploads');
console.log(`Writing an export of ${posts} posts, ${comments} comments, ${photos} photos…`);
await writeExport(exportFile);
await drawPhotos(uploads);
console.log(`Export: ${(fs.statSync(exportFile).size / 1024 / 1024).toFixed(1)} MiB.`);
if (process.env.BENCH_GENERATE_ONLY) {
  console.log(`Written to ${work} (BENCH_GENERATE_ONLY).`);
  process.exit(0);
}
const env = { HEARTH_DATA_DIR: path.join(work, 'data') };
fs.mkdirSync(env.HEARTH_DATA_DIR);
try {
  const first = await run(['import', 'wordpress', exportFile, '--media', uploads, '--progress', 'json'], env);
  console.log(first.output.split('\n').slice(0, 10).join('\n'));
  const again = await run(['import', 'wordpress', exportFile, '--media', uploads, '--progress', 'json'], env);
  const line = (name, r, goal) =>
    `${name.padEnd(22)} ${r.seconds.toFixed(1).padStart(6)} s ${r.peakMiB.toFixed(0).padStart(6)} MiB peak${goal ? `   (goal: ${goal})` : ''}`;
  console.log('');
  console.log(line('import', first, 'under 60 s and 400 MiB'));
  console.log(line('import again (no-op)', again));
  const met = first.seconds < 60 && first.peakMiB < 400;
  console.log(met ? 'Goal met.' : 'Goal NOT met.');
} finally {
  if (process.env.BENCH_KEEP) console.log(`Kept ${work} (BENCH_KEEP).`);
  else fs.rmSync(work, { recursive: true, force: true });
}
