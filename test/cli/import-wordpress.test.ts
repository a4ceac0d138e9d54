import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { ImportReport } from '../../src/domain/portability/index.js';
import { type App, createApp } from '../../src/main.js';
import { htmlErrors } from '../helpers/nu-checker.js';
import { noisyPhoto, phoneJpeg } from '../helpers/photos.js';
import { buildZip } from '../helpers/zip-builder.js';

/** `hearth import wordpress` as a user runs it: the built binary, a real export, a real uploads folder. */
const bin = path.resolve('dist/cli/bin.js');
const fixture = path.resolve('test/fixtures/wxr-family-blog.xml');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-import-wp-'));
const uploads = path.join(work, 'wp-content', 'uploads');

function hearth(dataDir: string, args: string[]) {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HEARTH_') && v !== undefined) clean[k] = v;
  return spawnSync(process.execPath, [bin, ...args], {
    env: { ...clean, HEARTH_DATA_DIR: dataDir, HEARTH_LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 120_000,
  });
}

function importInto(
  dataDir: string,
  file: string,
  extra: string[] = [],
  media: string[] = ['--media', uploads],
): { status: number | null; report: ImportReport; out: string } {
  const reportFile = path.join(dataDir, `report-${Date.now()}-${Math.random()}.json`);
  fs.mkdirSync(dataDir, { recursive: true });
  const run = hearth(dataDir, ['import', 'wordpress', file, ...media, '--report', reportFile, ...extra]);
  const report = fs.existsSync(reportFile)
    ? (JSON.parse(fs.readFileSync(reportFile, 'utf8')) as ImportReport)
    : (undefined as never);
  return { status: run.status, report, out: `${run.stdout}${run.stderr}` };
}

async function openSite(dataDir: string): Promise<App> {
  return createApp(
    loadConfig(
      { HEARTH_DATA_DIR: dataDir, HEARTH_LOG_LEVEL: 'silent', HEARTH_PUBLIC_URL: 'http://blog.test' },
      { demo: false },
    ),
  );
}

/** Every row of the tables an import writes, to compare two states of a blog. */
async function rows(dataDir: string): Promise<Record<string, unknown[]>> {
  const app = await openSite(dataDir);
  try {
    const out: Record<string, unknown[]> = {};
    for (const table of [
      'users',
      'categories',
      'tags',
      'media',
      'posts',
      'post_tags',
      'comments',
      'redirects',
      'import_sources',
    ] as const)
      out[table] = await app.database.db.selectFrom(table).selectAll().execute();
    return out;
  } finally {
    await app.close();
  }
}

const mainDir = path.join(work, 'blog');
let first: ReturnType<typeof importInto>;
let site: App;

beforeAll(async () => {
  if (!fs.existsSync(bin)) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  fs.mkdirSync(path.join(uploads, '2023', '04'), { recursive: true });
  fs.mkdirSync(path.join(uploads, '2023', '05'), { recursive: true });
  fs.mkdirSync(path.join(uploads, '2023', '07'), { recursive: true });
  fs.writeFileSync(path.join(uploads, '2023/04/garden-beds.jpg'), await phoneJpeg(1200, 900));
  fs.writeFileSync(path.join(uploads, '2023/05/first-steps.png'), await noisyPhoto(640, 480).png().toBuffer());
  fs.writeFileSync(path.join(uploads, '2023/05/notes.jpg'), 'these are shopping notes, not a photo\n');
  fs.writeFileSync(path.join(uploads, '2023/07/orphan-300x200.jpg'), await noisyPhoto(300, 200).jpeg().toBuffer());
  first = importInto(mainDir, fixture);
  site = await openSite(mainDir);
}, 180_000);

afterAll(async () => {
  await site?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('hearth import wordpress', () => {
  it('imports everything and reports what it did not', () => {
    expect(first.status, first.out).toBe(0);
    const { counts } = first.report;
    expect(counts.authors).toEqual({ added: 2, existing: 0, matched: 0 });
    // Parenting, Sleep, Green living, and Mending (used by a post, not listed in the header).
    expect(counts.categories.added).toBe(4);
    expect(counts.tags.added).toBe(2);
    expect(counts.media.added).toBe(3); // two attachments, and a body image with no attachment
    expect(counts.posts.added).toBe(11);
    expect(counts.pages.added).toBe(2);
    expect(counts.comments.added).toBe(8); // the pingback is not a comment
    expect(first.report.missingMedia.map((m) => m.file).sort()).toEqual(['2023/05/notes.jpg', '2023/06/lost.jpg']);
    expect(first.report.heldBack.map((h) => h.title).sort()).toEqual(['Grandparents only', 'Only for us']);
    expect(first.report.renamed).toEqual([expect.objectContaining({ from: 'mending', to: 'mending-2' })]);
    expect(first.report.unknownShortcodes).toEqual([{ name: 'contact-form-7', posts: 1 }]);
    const skipped = first.report.skipped.map((s) => `${s.what}|${s.name}|${s.reason}`).join('\n');
    expect(skipped).toContain('post|When was this?|it has no valid publication date');
    expect(skipped).toContain('post|Thrown away|it is in the WordPress trash');
    expect(skipped).toContain('nav_menu_item|1 item|');
    expect(skipped).toContain('product|1 item|');
    expect(skipped).toContain('pingbacks and trackbacks|1|');
    expect(skipped).toMatch(/reply\|comment 508 .*parent comment 999 is not in the export/);
    // What a person reads on the terminal says the same.
    expect(first.out).toContain('posts       11 added');
    expect(first.out).toContain('Media missing (2)');
  });

  it('shows the posts with their photos, threads and statuses', async () => {
    const page = await site.server.inject('/raised-beds/');
    expect(page.statusCode).toBe(200);
    const html = page.body;
    expect(html).toContain('Raised beds, &amp; what we learned');
    expect(html).toMatch(/<picture>[\s\S]*\/media\/\d{4}\/\d{2}\/garden-beds-[0-9a-f]+/);
    expect(html).toContain('alt="Three wooden raised beds filled with dark soil"');
    expect(html).toContain('Seedlings on a windowsill'); // the body image with no attachment
    expect(html).toContain('[contact-form-7 id='); // kept visible
    for (const text of [
      'What wood did you use?',
      'Larch, <em>untreated</em>',
      'try larch',
      'Answering a comment that was deleted',
    ])
      expect(html).toContain(text);
    for (const text of ['Still in the queue', 'Buy now', 'Deleted by the moderator', 'linked here'])
      expect(html).not.toContain(text);
    // The reply to a reply sits inside its parent's thread.
    const larch = html.indexOf('Larch, <em>untreated</em>');
    expect(larch).toBeGreaterThan(html.indexOf('What wood did you use?'));
    expect(html.indexOf('try larch')).toBeGreaterThan(larch);

    const steps = await site.server.inject('/first-steps/');
    expect(steps.statusCode).toBe(200);
    expect(steps.body).toContain('Ten steps, then a sit-down');
    expect(steps.body).toContain('Every child walks when they are ready.');
    expect(steps.body).toContain('Tomás Ferreira');

    const untitled = await site.server.inject('/207/');
    expect(untitled.statusCode).toBe(200);
    expect(untitled.body).toContain('Rain all week. The snails are winning.');

    for (const hidden of ['/only-for-us/', '/grandparents-only/', '/planting-garlic/', '/when/'])
      expect((await site.server.inject(hidden)).statusCode, hidden).toBe(404);
  });

  it('stores the rows as the old blog had them', async () => {
    const db = site.database.db;
    const post = await db.selectFrom('posts').selectAll().where('slug', '=', 'raised-beds').executeTakeFirstOrThrow();
    expect(post.published_at).toBe('2023-04-01T09:00:00.000Z');
    expect(post.updated_at).toBe('2023-04-03T12:00:00.000Z');
    expect(post.featured).toBe(1);
    expect(post.feature_image_id).not.toBeNull();
    expect(post.seo_description).toBe('How we built raised beds with our children.');
    expect(post.excerpt).toBe('We built three beds from old scaffold boards. The beds in April');
    const category = await db
      .selectFrom('categories')
      .select('slug')
      .where('id', '=', post.category_id as number)
      .executeTakeFirst();
    expect(category?.slug).toBe('green-living');
    const tags = await db
      .selectFrom('post_tags')
      .innerJoin('tags', 'tags.id', 'post_tags.tag_id')
      .select('tags.slug')
      .where('post_id', '=', post.id)
      .orderBy('position')
      .execute();
    expect(tags.map((t) => t.slug)).toEqual(['compost', '育児', 'parenting']); // the second category kept as a tag
    const sleep = await db.selectFrom('categories').selectAll().where('slug', '=', 'sleep').executeTakeFirstOrThrow();
    const parenting = await db
      .selectFrom('categories')
      .selectAll()
      .where('slug', '=', 'parenting')
      .executeTakeFirstOrThrow();
    expect(sleep.parent_id).toBe(parenting.id);
    expect(sleep.description).toBe('Or the lack of it.');
    const pages = await db.selectFrom('posts').selectAll().where('type', '=', 'page').orderBy('menu_order').execute();
    expect(pages.map((p) => [p.slug, p.menu_order])).toEqual([
      ['about', 1],
      ['our-garden', 2],
    ]);
    expect(pages[1]?.parent_id).toBe(pages[0]?.id);
    const statuses = await db.selectFrom('posts').select(['slug', 'status']).where('type', '=', 'post').execute();
    const status = Object.fromEntries(statuses.map((s) => [s.slug, s.status]));
    expect(status).toMatchObject({
      'only-for-us': 'draft',
      'grandparents-only': 'draft',
      'planting-garlic': 'scheduled',
      'half-written-nappies': 'draft',
      when: 'draft',
      'first-steps': 'published',
    });
    const comments = await db
      .selectFrom('comments')
      .select(['status', 'depth', 'author_website'])
      .where('post_id', '=', post.id)
      .execute();
    expect(comments.map((c) => c.status).sort()).toEqual([
      'approved',
      'approved',
      'approved',
      'approved',
      'pending',
      'spam',
      'trash',
    ]);
    expect(Math.max(...comments.map((c) => c.depth))).toBe(3);
    const users = await db
      .selectFrom('users')
      .select(['slug', 'email', 'password_hash', 'role'])
      .orderBy('id')
      .execute();
    expect(users).toEqual([
      { slug: 'clara', email: 'clara@acorns.example.com', password_hash: null, role: 'author' },
      { slug: 'tomas', email: 'tomas@example.net', password_hash: null, role: 'author' },
    ]);
  });

  it('strips where a photo was taken, and stores sized copies', async () => {
    const media = await site.database.db
      .selectFrom('media')
      .selectAll()
      .where('original_name', '=', 'garden-beds.jpg')
      .executeTakeFirstOrThrow();
    expect(media.alt).toBe('Three wooden raised beds filled with dark soil');
    expect(media.caption).toBe('The beds in April, before anything came up.');
    expect(JSON.parse(media.variants).length).toBeGreaterThan(0);
    const original = fs.readFileSync(path.join(mainDir, 'media', media.path));
    const meta = await sharp(original).metadata();
    expect(meta.exif === undefined || !meta.exif.includes(Buffer.from('GPS'))).toBe(true);
  });

  it('sends every old address to its new one', async () => {
    const media = await site.database.db
      .selectFrom('media')
      .select('path')
      .where('original_name', '=', 'garden-beds.jpg')
      .executeTakeFirstOrThrow();
    const moved: [string, string][] = [
      ['/2023/04/raised-beds/', '/raised-beds/'],
      ['/2023/04/raised-beds', '/2023/04/raised-beds/'],
      ['/?p=201', '/raised-beds/'],
      ['/2023/05/first-steps/2/', '/first-steps/'], // the second page of a post split by <!--nextpage-->
      ['/wp-content/uploads/2023/04/garden-beds-1024x768.jpg', `/media/${media.path}`], // a sized copy
      ['/2023/08/mending/', '/mending/'],
      ['/2023/09/mending/', '/mending-2/'],
      ['/2023/07/207/', '/207/'],
      ['/about/our-garden/', '/our-garden/'],
      ['/category/parenting/sleep/', '/category/sleep/'],
      ['/2023/04/raised-beds/garden-beds/', `/media/${media.path}`],
      ['/?attachment_id=101', `/media/${media.path}`],
      ['/wp-content/uploads/2023/04/garden-beds.jpg', `/media/${media.path}`],
    ];
    for (const [from, to] of moved) {
      const res = await site.server.inject(from);
      expect([res.statusCode, res.headers.location], from).toEqual([301, to]);
    }
    // Addresses that are the same on Hearth need no redirect; private posts get none.
    for (const same of [
      '/category/parenting/',
      '/tag/compost/',
      '/tag/%E8%82%B2%E5%85%90/',
      '/author/clara/',
      '/about/',
    ])
      expect((await site.server.inject(same)).statusCode, same).toBe(200);
    expect((await site.server.inject('/2023/06/grandparents-only/')).statusCode).toBe(404);
    // A scheduled post had no public address on the old site: its short link gives nothing away.
    expect((await site.server.inject('/?p=205')).headers.location).toBeUndefined();
    expect((await site.server.inject('/2023/06/only-for-us/')).statusCode).toBe(404);
  });

  it('never lets imported markup run', async () => {
    const page = await site.server.inject('/tea-and-toast/');
    expect(page.statusCode).toBe(200);
    const article = page.body.slice(page.body.indexOf('<main'), page.body.indexOf('</main>'));
    expect(article).not.toMatch(/<script|onerror=|onclick=|javascript:|<iframe/i);
    expect(article).not.toContain('<b>Mallory</b>');
    expect(article).toContain('Breakfast');
  });

  it('renders valid HTML', async () => {
    const dir = fs.mkdtempSync(path.join(work, 'nu-'));
    const files: string[] = [];
    for (const url of [
      '/raised-beds/',
      '/first-steps/',
      '/tea-and-toast/',
      '/our-garden/',
      '/category/sleep/',
      '/tag/%E8%82%B2%E5%85%90/',
    ]) {
      const res = await site.server.inject(url);
      expect(res.statusCode, url).toBe(200);
      const file = path.join(dir, `${files.length}.html`);
      fs.writeFileSync(file, res.body);
      files.push(file);
    }
    expect(htmlErrors(files)).toEqual([]);
  });

  it('changes nothing when the same export is imported again', async () => {
    const before = await rows(mainDir);
    const again = importInto(mainDir, fixture);
    expect(again.status, again.out).toBe(0);
    for (const kind of ['authors', 'categories', 'tags', 'posts', 'pages', 'comments', 'redirects'] as const)
      expect(again.report.counts[kind].added, kind).toBe(0);
    expect(again.report.counts.posts.existing).toBe(11);
    expect(await rows(mainDir)).toEqual(before);
  });

  it('adds only what is new from a newer export', async () => {
    const newer = path.join(work, 'newer.xml');
    const extraComment = `<wp:comment><wp:comment_id>530</wp:comment_id><wp:comment_author><![CDATA[New Reader]]></wp:comment_author><wp:comment_date_gmt><![CDATA[2023-10-01 08:00:00]]></wp:comment_date_gmt><wp:comment_content><![CDATA[Found you through a friend.]]></wp:comment_content><wp:comment_approved><![CDATA[1]]></wp:comment_approved><wp:comment_parent>501</wp:comment_parent></wp:comment>`;
    const extraPost = `<item><title><![CDATA[Autumn leaves]]></title><link>https://acorns.example.com/2023/10/leaves/</link><dc:creator><![CDATA[tomas]]></dc:creator><content:encoded><![CDATA[Leaf mould takes two years.]]></content:encoded><wp:post_id>212</wp:post_id><wp:post_date_gmt><![CDATA[2023-10-02 10:00:00]]></wp:post_date_gmt><wp:post_name><![CDATA[leaves]]></wp:post_name><wp:status><![CDATA[publish]]></wp:status><wp:post_type><![CDATA[post]]></wp:post_type></item>`;
    const text = fs
      .readFileSync(fixture, 'utf8')
      .replace(
        '<wp:comment><wp:comment_id>503</wp:comment_id>',
        `${extraComment}<wp:comment><wp:comment_id>503</wp:comment_id>`,
      )
      .replace('</channel>', `${extraPost}</channel>`);
    fs.writeFileSync(newer, text);
    const run = importInto(mainDir, newer);
    expect(run.status, run.out).toBe(0);
    expect(run.report.counts.posts).toEqual({ added: 1, existing: 11, matched: 0 });
    expect(run.report.counts.comments.added).toBe(1);
    expect(run.report.counts.authors).toEqual({ added: 0, existing: 2, matched: 0 });
    const check = await openSite(mainDir);
    try {
      expect((await check.server.inject('/leaves/')).statusCode).toBe(200);
      expect((await check.server.inject('/raised-beds/')).body).toContain('Found you through a friend.');
    } finally {
      await check.close();
    }
  });

  it('writes nothing on a dry run', async () => {
    const dir = path.join(work, 'dry');
    const run = importInto(dir, fixture, ['--dry-run']);
    expect(run.status, run.out).toBe(0);
    expect(run.out).toContain('Dry run (nothing was written)');
    expect(run.report.counts.posts.added).toBe(11);
    expect(run.report.counts.media.added).toBe(3);
    const after = await rows(dir);
    expect(after.posts).toEqual([]);
    expect(after.import_sources).toEqual([]);
    expect(
      fs.existsSync(path.join(dir, 'media'))
        ? fs.readdirSync(path.join(dir, 'media'), { recursive: true }).filter((f) => String(f).includes('.'))
        : [],
    ).toEqual([]);
  });

  it('takes the photos from a zip of wp-content/uploads', async () => {
    const names = [
      '2023/04/garden-beds.jpg',
      '2023/05/first-steps.png',
      '2023/05/notes.jpg',
      '2023/07/orphan-300x200.jpg',
    ];
    const zip = path.join(work, 'uploads.zip');
    fs.writeFileSync(
      zip,
      buildZip(
        names.map((n) => ({ name: `site/wp-content/uploads/${n}`, data: fs.readFileSync(path.join(uploads, n)) })),
      ),
    );
    const dir = path.join(work, 'from-zip');
    const run = importInto(dir, fixture, [], ['--media-archive', zip]);
    expect(run.status, run.out).toBe(0);
    expect(run.report.counts.media.added).toBe(3);
    expect(run.report.missingMedia.map((m) => m.file).sort()).toEqual(['2023/05/notes.jpg', '2023/06/lost.jpg']);
    // A zip with a name that climbs out of its folder is refused whole, and nothing is written.
    const hostile = path.join(work, 'hostile.zip');
    fs.writeFileSync(hostile, buildZip([{ name: '../../etc/cron.d/x', data: Buffer.from('no') }]));
    const refused = importInto(path.join(work, 'hostile'), fixture, [], ['--media-archive', hostile]);
    expect(refused.status).toBe(1);
    expect(refused.out).toContain('../../etc/cron.d/x');
    expect((await rows(path.join(work, 'hostile'))).posts).toEqual([]);
  });

  it('downloads photos only from public addresses', async () => {
    // The old site is "here" (127.0.0.1): a download would reach into this machine, so it is refused.
    const local = fs.readFileSync(fixture, 'utf8').replaceAll('https://acorns.example.com', 'http://127.0.0.1:9');
    const file = path.join(work, 'local.xml');
    fs.writeFileSync(file, local);
    const run = importInto(path.join(work, 'fetch'), file, [], ['--fetch-media']);
    expect(run.status, run.out).toBe(0);
    expect(run.report.counts.media.added).toBe(0);
    expect(run.report.missingMedia.length).toBeGreaterThan(0);
    for (const m of run.report.missingMedia) expect(m.reason).toMatch(/not a public address/);
  });

  it('refuses exports it cannot read, and writes nothing', async () => {
    const cases: [string, string, RegExp][] = [
      ['not-xml.xml', 'This is a shopping list, not an export.\n', /cannot be read/],
      [
        'unknown-namespace.xml',
        fs
          .readFileSync(fixture, 'utf8')
          .replace('http://wordpress.org/export/1.2/"', 'http://example.org/not-wordpress/1.0/"'),
        /no WordPress export namespace/,
      ],
      ['truncated.xml', fs.readFileSync(fixture, 'utf8').slice(0, 9000), /cannot be read/],
      [
        'bomb.xml',
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><rss><channel><title>&b;</title></channel></rss>',
        /cannot be read/,
      ],
      [
        'external.xml',
        `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://${fixture}">]><rss><channel><title>&x;</title></channel></rss>`,
        /cannot be read/,
      ],
    ];
    for (const [name, content, message] of cases) {
      const dir = path.join(work, `bad-${name}`);
      const file = path.join(work, name);
      fs.writeFileSync(file, content);
      const run = importInto(dir, file);
      expect(run.status, name).toBe(1);
      expect(run.out, name).toMatch(message);
      const after = await rows(dir);
      expect(after.posts, name).toEqual([]);
      expect(after.users, name).toEqual([]);
    }
    const zipped = path.join(work, 'export.zip');
    fs.writeFileSync(zipped, buildZip([{ name: 'export.xml', data: fs.readFileSync(fixture) }]));
    const asZip = hearth(path.join(work, 'bad-zip'), ['import', 'wordpress', zipped]);
    expect(asZip.status).toBe(2);
    expect(asZip.stderr).toContain('is a zip: give the export (.xml) itself');
    const withUrl = hearth(path.join(work, 'bad-url'), ['import', 'wordpress', fixture, '--url', 'https://x.example']);
    expect(withUrl.status).toBe(2);
    expect(withUrl.stderr).toContain('--url is for Ghost exports');
    const missing = hearth(path.join(work, 'bad-missing'), ['import', 'wordpress', path.join(work, 'nope.xml')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('nope.xml is not a file');
  }, 120_000); // Eight runs of the CLI, each starting on a fresh database.
});
