import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/main.js';
import { openZip } from '../../src/shared/zip.js';

/** `hearth book build` as a user runs it: the built binary on the demo blog (SQLite), checked by EPUBCheck. */
const bin = path.resolve('dist/cli/bin.js');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-book-build-'));
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-book-out-'));
const url = `sqlite:${path.join(dataDir, 'hearth.db')}`;
const env = { HEARTH_DATA_DIR: dataDir, HEARTH_DATABASE_URL: url, HEARTH_LOG_LEVEL: 'silent' };
const EPUBCHECK = '/usr/share/java/epubcheck.jar';
const run = promisify(execFile);

const hearth = (args: string[]) => {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HEARTH_') && v !== undefined) clean[k] = v;
  return spawnSync(process.execPath, [bin, ...args], {
    cwd: outDir,
    env: { ...clean, ...env },
    encoding: 'utf8',
    timeout: 180_000,
  });
};

interface CheckMessage {
  severity: string;
  ID: string;
  message: string;
}

async function epubcheck(file: string): Promise<CheckMessage[]> {
  if (!fs.existsSync(EPUBCHECK)) throw new Error(`EPUBCheck is missing: ${EPUBCHECK}`);
  const report = `${file}.check.json`;
  await run('java', ['-jar', EPUBCHECK, file, '--json', report], { maxBuffer: 16 * 1024 * 1024 }).catch(() => {});
  const result = JSON.parse(fs.readFileSync(report, 'utf8')) as { messages: CheckMessage[] };
  return result.messages.filter((m) => ['FATAL', 'ERROR', 'WARNING'].includes(m.severity));
}

/** Opens the demo blog in this process to make books (the CLI makes none yet). */
async function withApp<T>(work: (app: Awaited<ReturnType<typeof createApp>>) => Promise<T>): Promise<T> {
  const app = await createApp(loadConfig(env, { demo: false }));
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

const owner = (app: Awaited<ReturnType<typeof createApp>>) =>
  app.database.db
    .selectFrom('users')
    .select(['id', 'role'])
    .where('slug', '=', 'maren-ashby')
    .executeTakeFirstOrThrow();

beforeAll(async () => {
  if (!fs.existsSync(bin)) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  const template = inject('templateDir');
  if (template && fs.existsSync(path.join(template, 'hearth.db'))) fs.cpSync(template, dataDir, { recursive: true });
  await createApp(loadConfig(env)).then((app) => app.close());
  await withApp(async (app) => {
    const maren = await owner(app);
    const books = app.services.books;
    const hands = await books.create(maren, { title: 'Gentle Hands', subtitle: 'Notes on touch', language: 'en' });
    await books.setAuthors(maren, hands.id, [{ name: 'Maren Ashby', fileAs: 'Ashby, Maren', role: 'aut' }]);
    await books.setContents(maren, hands.id, [
      {
        part: 'Touch',
        chapters: [
          {
            title: 'Before we start',
            body: 'Read [the babywearing chapter](/babywearing-for-beginners/) first, then [the archive](/category/green-living/).',
          },
          { post: 'benefits-of-infant-massage' },
          { post: 'babywearing-for-beginners' },
        ],
      },
      { part: 'Growing up', chapters: [{ post: 'reading-aloud-to-toddlers' }] },
    ]);
    const photo = await app.database.db
      .selectFrom('media')
      .select('id')
      .orderBy('width', 'desc')
      .executeTakeFirstOrThrow();
    await books.update(maren, hands.id, {
      coverMediaId: photo.id,
      frontMatter: 'For *everyone* who held a baby at three in the morning.',
      publisher: 'Hearth Test Press',
      subjects: ['Parenting'],
    });
    const gone = await books.create(maren, { title: 'Half There', language: 'en' });
    await books.setAuthors(maren, gone.id, [{ name: 'Maren Ashby' }]);
    await books.setContents(maren, gone.id, [
      { post: 'reading-aloud-to-toddlers' },
      { post: 'babywearing-for-beginners' },
    ]);
    const broken = await books.create(maren, { title: 'Lost Photo', language: 'en' });
    await books.setAuthors(maren, broken.id, [{ name: 'Maren Ashby' }]);
    await books.setContents(maren, broken.id, [
      { title: 'Gone', body: '![A bath](/media/2001/01/not-there.jpg)\n\nText.' },
    ]);
    // Photos put straight into the media folder, as big as a camera's and carrying EXIF,
    // so that the build (not the upload) is what shrinks them and strips their metadata.
    const raw = path.join(dataDir, 'media', 'book-test');
    fs.mkdirSync(raw, { recursive: true });
    await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#7a9' } })
      .jpeg()
      .withExif({ IFD0: { Artist: 'Camera Owner', Copyright: 'Somewhere 51.5N' } })
      .toFile(path.join(raw, 'camera.jpg'));
    await sharp({ create: { width: 1200, height: 2400, channels: 4, background: { r: 9, g: 9, b: 9, alpha: 0.5 } } })
      .webp()
      .toFile(path.join(raw, 'clear.webp'));
    const big = await books.create(maren, { title: 'Big Photos', language: 'en' });
    await books.setAuthors(maren, big.id, [{ name: 'Maren Ashby' }]);
    await books.setContents(maren, big.id, [
      {
        title: 'From the camera',
        body: '![A garden](/media/book-test/camera.jpg)\n\n![A shadow](/media/book-test/clear.webp)\n\n![Again](/media/book-test/camera.jpg)',
      },
    ]);
    const empty = await books.create(maren, { title: 'Blank Pages', language: 'en' });
    await books.setAuthors(maren, empty.id, [{ name: 'Maren Ashby' }]);
  });
}, 180_000);
afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe('hearth book build', () => {
  it('writes an EPUB that EPUBCheck passes, with small metadata-free photos and links kept inside the book', async () => {
    const built = hearth(['book', 'build', 'gentle-hands']);
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    const file = path.join(outDir, 'gentle-hands.epub');
    expect(built.stdout).toMatch(
      /^Wrote .*gentle-hands\.epub: [\d.]+ [KM]B, 4 chapters, [1-9]\d* images, in [\d.]+ s\.\n$/,
    );

    expect(await epubcheck(file)).toEqual([]);

    // Nothing changed: the second build uses the first one's file, written to another name.
    const again = hearth(['book', 'build', 'gentle-hands', '--out', 'again.epub']);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('(nothing changed since the last build: its file was used)');
    expect(fs.readFileSync(path.join(outDir, 'again.epub')).equals(fs.readFileSync(file))).toBe(true);
    expect(fs.readdirSync(outDir).filter((n) => n.endsWith('.part'))).toEqual([]);

    const zip = await openZip(file);
    try {
      const names = zip.entries.map((e) => e.name);
      const images = names.filter((n) => /(^|\/)(images\/|cover-image\.)/.test(n));
      expect(images.some((n) => /cover-image\.(jpg|png)$/.test(n))).toBe(true);
      expect(images.filter((n) => n.includes('images/')).length).toBeGreaterThan(0);
      for (const name of images) {
        const meta = await sharp(await zip.readBuffer(name)).metadata();
        expect(['jpeg', 'png']).toContain(meta.format);
        expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBeLessThanOrEqual(1600);
        expect(meta.exif).toBeUndefined();
        expect(meta.xmp).toBeUndefined();
        expect(meta.iptc).toBeUndefined();
      }
      const opf = (await zip.readBuffer(names.find((n) => n.endsWith('.opf')) as string)).toString('utf8');
      expect(opf).toContain('property="file-as">Ashby, Maren<');
      expect(opf).toContain('Hearth Test Press');
      expect(opf).toContain('Parenting');
      const front = names.find((n) => n.endsWith('front-matter.xhtml')) as string;
      expect((await zip.readBuffer(front)).toString('utf8')).toContain('<em>everyone</em>');
      const chapterFile = (n: number) => names.find((name) => name.endsWith(`chapter-${n}.xhtml`)) as string;
      const first = (await zip.readBuffer(chapterFile(1))).toString('utf8');
      expect(first).toContain('href="chapter-3.xhtml"');
      expect(first).toContain('href="http');
      expect(first).toMatch(/href="https?:\/\/[^"]+\/category\/green-living\/"/);
      const massage = (await zip.readBuffer(chapterFile(2))).toString('utf8');
      expect(massage).toMatch(/<img [^>]*src="images\/image-\d+\.(jpg|png)"/);
      expect(massage).not.toContain('/media/');
      expect(massage).not.toContain('<picture');
    } finally {
      zip.close();
    }
  }, 240_000);

  it('shrinks a big photo, strips its EXIF and keeps transparency as PNG', async () => {
    const before = await sharp(path.join(dataDir, 'media', 'book-test', 'camera.jpg')).metadata();
    expect(before.exif).toBeDefined();
    const out = path.join(outDir, 'big.epub');
    const built = hearth(['book', 'build', 'big-photos', '--out', out]);
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    expect(built.stdout).toContain('1 chapters, 2 images');
    expect(await epubcheck(out)).toEqual([]);
    const zip = await openZip(out);
    try {
      const images = zip.entries.map((e) => e.name).filter((n) => n.includes('images/'));
      const metas = await Promise.all(images.map(async (n) => sharp(await zip.readBuffer(n)).metadata()));
      expect(metas.map((m) => [m.format, m.width, m.height, m.exif, m.icc, m.hasAlpha])).toEqual([
        ['jpeg', 1600, 1067, undefined, undefined, false],
        ['png', 800, 1600, undefined, undefined, true],
      ]);
    } finally {
      zip.close();
    }
  }, 240_000);

  it('refuses a book with an unpublished chapter, naming it and leaving no file, and builds it leaving it out when told', async () => {
    await withApp(async (app) => {
      await app.database.db
        .updateTable('posts')
        .set({ status: 'draft' })
        .where('slug', '=', 'reading-aloud-to-toddlers')
        .execute();
    });
    const out = path.join(outDir, 'half.epub');
    const refused = hearth(['book', 'build', 'half-there', '--out', out]);
    expect(refused.status).not.toBe(0);
    expect(refused.status).not.toBe(2);
    expect(refused.stderr).toContain('cannot be built');
    expect(refused.stderr).toContain('Why We Still Read the Same Book Every Night');
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(outDir).filter((f) => f.includes('half'))).toEqual([]);

    const built = hearth(['book', 'build', 'half-there', '--out', out, '--leave-out-missing']);
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    expect(built.stdout).toMatch(/Left out: Why We Still Read the Same Book Every Night/);
    expect(built.stdout).toContain('1 chapters');
    expect(await epubcheck(out)).toEqual([]);
  }, 240_000);

  it('refuses an empty book, a photo that is not stored, an unknown book, an unknown format and a missing slug', () => {
    const empty = hearth(['book', 'build', 'blank-pages']);
    expect(empty.status).not.toBe(0);
    expect(empty.stderr).toContain('The book "blank-pages" has no chapters to build.');
    expect(fs.existsSync(path.join(outDir, 'blank-pages.epub'))).toBe(false);

    const lost = hearth(['book', 'build', 'lost-photo']);
    expect(lost.status).toBe(1);
    expect(lost.stderr).toContain(
      'The e-book cannot be made: Gone: the photo /media/2001/01/not-there.jpg is not stored.',
    );
    expect(fs.existsSync(path.join(outDir, 'lost-photo.epub'))).toBe(false);

    const unknown = hearth(['book', 'build', 'no-such-book']);
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain('There is no book "no-such-book"');

    const format = hearth(['book', 'build', 'gentle-hands', '--format', 'mobi']);
    expect(format.status).toBe(2);
    expect(format.stderr).toContain('unknown format "mobi"');

    const none = hearth(['book', 'build']);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('name one book');
  });
});
