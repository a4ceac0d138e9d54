import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { buildPdf } from '../../src/domain/books/index.js';
import { HearthError, ValidationError } from '../../src/errors.js';
import { createApp } from '../../src/main.js';

/**
 * `hearth book build SLUG --format pdf` as a user runs it: the built binary, Debian's
 * Chromium, and the PDF read back with poppler (pdfinfo, pdftotext, pdfimages).
 */
const bin = path.resolve('dist/cli/bin.js');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-pdftest-data-'));
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-pdftest-out-'));
const url = `sqlite:${path.join(dataDir, 'hearth.db')}`;
const env = { HEARTH_DATA_DIR: dataDir, HEARTH_DATABASE_URL: url, HEARTH_LOG_LEVEL: 'silent' };

const hearth = (args: string[], extra: Record<string, string> = {}) => {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HEARTH_') && v !== undefined) clean[k] = v;
  return spawnSync(process.execPath, [bin, ...args], {
    cwd: outDir,
    env: { ...clean, ...env, ...extra },
    encoding: 'utf8',
    timeout: 240_000,
  });
};

const tool = (name: string, args: string[]) => {
  const result = spawnSync(name, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${name} ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
};

function info(file: string): { pages: number; width: number; height: number } {
  const out = tool('pdfinfo', [file]);
  const size = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(out);
  return { pages: Number(/Pages:\s+(\d+)/.exec(out)?.[1]), width: Number(size?.[1]), height: Number(size?.[2]) };
}

const pageText = (file: string, page: number) =>
  tool('pdftotext', ['-layout', '-f', String(page), '-l', String(page), file, '-']);

interface ImageRow {
  page: number;
  type: string;
  height: number;
  object: number;
  yPpi: number;
}

function images(file: string): ImageRow[] {
  return tool('pdfimages', ['-list', file])
    .split('\n')
    .slice(2)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const c = line.trim().split(/\s+/);
      return {
        page: Number(c[0]),
        type: c[2] as string,
        height: Number(c[4]),
        object: Number(c[10]),
        yPpi: Number(c[13]),
      };
    });
}

// Text written for this test: paragraphs of a walk, numbered and of different lengths, so
// that pages break them at different lines.
const SENTENCES = [
  'We walked along the canal before breakfast while the baby slept in the sling.',
  'We counted herons and the boats that had not moved since spring.',
  'The towpath was wet, the light was low and nobody was in a hurry.',
  'That is the whole point of a morning like this one.',
  'A dog barked twice at the lock keeper and then lay down in the sun.',
];
const paragraphs = (topic: string, count: number) =>
  Array.from({ length: count }, (_, i) => {
    const length = 3 + ((i * 7) % 9);
    const words = Array.from({ length }, (_, k) => SENTENCES[(i + k) % SENTENCES.length]).join(' ');
    return `Paragraph ${i + 1} about ${topic}. ${words}`;
  }).join('\n\n');

const CHAPTERS = ['Morning Walks', 'The Tall Tree', 'Small Photos', 'Rainy Evenings', 'Going Home'];
const BOOK_TITLE = 'Printed Paths';
/** A post of the demo blog, also a chapter: links to it stay inside the PDF. */
const MASSAGE = 'benefits-of-infant-massage';

async function withApp<T>(work: (app: Awaited<ReturnType<typeof createApp>>) => Promise<T>): Promise<T> {
  const app = await createApp(loadConfig(env, { demo: false }));
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

beforeAll(async () => {
  if (!fs.existsSync(bin)) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  const template = inject('templateDir');
  if (template && fs.existsSync(path.join(template, 'hearth.db'))) fs.cpSync(template, dataDir, { recursive: true });
  await createApp(loadConfig(env)).then((app) => app.close());
  const raw = path.join(dataDir, 'media', 'pdf-test');
  fs.mkdirSync(raw, { recursive: true });
  await sharp({ create: { width: 2400, height: 1600, channels: 3, background: '#6a8' } })
    .jpeg()
    .toFile(path.join(raw, 'wide.jpg'));
  await sharp({ create: { width: 500, height: 4000, channels: 3, background: '#853' } })
    .jpeg()
    .toFile(path.join(raw, 'tall.jpg'));
  await sharp({ create: { width: 300, height: 200, channels: 3, background: '#358' } })
    .png()
    .toFile(path.join(raw, 'small.png'));
  await sharp({ create: { width: 1000, height: 1500, channels: 3, background: '#ccb' } })
    .jpeg()
    .toFile(path.join(raw, 'cover.jpg'));
  await withApp(async (app) => {
    const maren = await app.database.db
      .selectFrom('users')
      .select(['id', 'role'])
      .where('slug', '=', 'maren-ashby')
      .executeTakeFirstOrThrow();
    const books = app.services.books;
    const book = await books.create(maren, { title: BOOK_TITLE, subtitle: 'Walks with a sling', language: 'en' });
    expect(book.pageSize).toBe('a5');
    await books.setAuthors(maren, book.id, [{ name: 'Maren Ashby', role: 'aut' }]);
    await books.setContents(maren, book.id, [
      {
        part: 'Out',
        chapters: [
          {
            title: CHAPTERS[0] as string,
            body: `See [the tall tree](/no-such-post/) and [the way home](/no-such-post-either/).\n\n${paragraphs('mornings', 14)}`,
          },
          {
            title: CHAPTERS[1] as string,
            body: `${paragraphs('trees', 3)}\n\n![A very tall tree](/media/pdf-test/tall.jpg "The tallest tree on the towpath")\n\n${paragraphs('bark', 4)}`,
          },
          {
            title: CHAPTERS[2] as string,
            body: `![A wide field](/media/pdf-test/wide.jpg "The field behind the lock")\n\n${paragraphs('fields', 2)}\n\n![A small boat](/media/pdf-test/small.png)\n\n${paragraphs('boats', 6)}`,
          },
        ],
      },
      {
        part: 'Back',
        chapters: [
          { title: CHAPTERS[3] as string, body: `::: note\nWritten on a wet day.\n:::\n\n${paragraphs('rain', 20)}` },
          {
            title: CHAPTERS[4] as string,
            body: `${paragraphs('home', 2)}\n\nBack to [the morning walks](/${MASSAGE}/) and [the category](/category/green-living/).`,
          },
          { post: MASSAGE },
        ],
      },
    ]);
    const cover = await app.database.db.selectFrom('media').select('id').executeTakeFirst();
    await books.update(maren, book.id, {
      frontMatter: 'For the *early* walkers.',
      publisher: 'Towpath Press',
      ...(cover ? { coverMediaId: cover.id } : {}),
    });

    const letter = await books.create(maren, { title: 'Letter Sized', language: 'en', pageSize: 'letter' });
    await books.setAuthors(maren, letter.id, [{ name: 'Maren Ashby' }]);
    await books.setContents(maren, letter.id, [{ title: 'Only Chapter', body: paragraphs('paper', 3) }]);
    const outside = await books.create(maren, { title: 'Outside Photo', language: 'en' });
    await books.setAuthors(maren, outside.id, [{ name: 'Maren Ashby' }]);
    await books.setContents(maren, outside.id, [
      {
        title: 'Far Away',
        body: `![A photo elsewhere](https://photos.example.org/heron.jpg)\n\n${paragraphs('elsewhere', 1)}`,
      },
    ]);
    await expect(books.update(maren, letter.id, { pageSize: 'b5' as never })).rejects.toSatisfy(
      (error) => error instanceof ValidationError && 'pageSize' in error.fields,
    );
  });
}, 180_000);
afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe('hearth book build --format pdf', () => {
  it('writes an A5 PDF whose contents give the pages where the chapters start, on the right, with running heads', () => {
    const built = hearth(['book', 'build', 'printed-paths', '--format', 'pdf']);
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    const file = path.join(outDir, 'printed-paths.pdf');
    expect(built.stdout).toMatch(
      /^Wrote .*printed-paths\.pdf: [\d.]+ [KM]B, \d+ pages \(a5\), 6 chapters, \d+ images, in [\d.]+ s\.\n$/,
    );

    const { pages, width, height } = info(file);
    expect(pages).toBeGreaterThan(12);
    // A5 is 419.53 x 595.28 pt; Chromium rounds the page to whole CSS pixels (420 x 594.96).
    expect(Math.abs(width - 419.53)).toBeLessThan(1);
    expect(Math.abs(height - 595.28)).toBeLessThan(1);

    const texts = Array.from({ length: pages }, (_, i) => pageText(file, i + 1));
    const tocPage = texts.findIndex((t) => /^\s*Contents\s*$/m.test(t)) + 1;
    expect(tocPage).toBeGreaterThan(0);
    const toc = texts[tocPage - 1] as string;
    const starts: number[] = [];
    for (const title of CHAPTERS) {
      const entry = new RegExp(`${title}\\s+(\\d+)\\s*$`, 'm').exec(toc);
      expect(entry, `the contents list ${title} with a page number`).not.toBeNull();
      const listed = Number(entry?.[1]);
      const opening = texts.findIndex((t, i) => i >= tocPage && t.includes(title)) + 1;
      expect(listed, `${title} starts on the page the contents give`).toBe(opening);
      expect(listed % 2, `${title} starts on a right-hand (odd) page`).toBe(1);
      // The chapter's own heading is on that page, not only a running head.
      expect(texts[listed - 1]).toMatch(new RegExp(`^\\s*${title}\\s*$`, 'm'));
      starts.push(listed);
    }
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(texts.some((t) => /Out\s*$/m.test(t))).toBe(true);

    // Running heads: on a left page inside the first chapter the book's title, on a right page the chapter's.
    const first = starts[0] as number;
    const second = starts[1] as number;
    expect(second - first).toBeGreaterThan(2);
    const firstLine = (n: number) => (texts[n - 1] as string).split('\n').find((l) => l.trim() !== '') ?? '';
    expect(firstLine(first + 1).trim()).toBe(BOOK_TITLE);
    expect(firstLine(first + 2).trim()).toBe(CHAPTERS[0]);
    // Page numbers at the foot of a page of text.
    expect((texts[first] as string).trimEnd().split('\n').at(-1)?.trim()).toBe(String(first + 1));
    // Title page, front matter, the blog's blocks.
    expect(texts.some((t) => t.includes('Walks with a sling') && t.includes('Towpath Press'))).toBe(true);
    expect(texts.some((t) => t.includes('For the early walkers.'))).toBe(true);
    expect(texts.some((t) => t.includes('The tallest tree on the towpath'))).toBe(true);
    expect(texts.some((t) => t.includes('Written on a wet day.'))).toBe(true);

    // Widows and orphans: a paragraph split by a page leaves at least two lines on each side.
    for (const [i, title] of [
      [0, CHAPTERS[0]],
      [3, CHAPTERS[3]],
    ] as const) {
      const from = starts[i] as number;
      const to = (starts[i + 1] ?? pages + 1) - 1;
      for (let n = from; n <= to; n++) {
        const lines = (texts[n - 1] as string).split('\n').filter((l) => l.trim() !== '');
        if (lines.length === 0) continue;
        if (lines[0]?.trim() === BOOK_TITLE || lines[0]?.trim() === title) lines.shift();
        if (/^\s*\d+\s*$/.test(lines.at(-1) ?? '')) lines.pop();
        const starts = lines.map((l, k) => (/^\s*Paragraph \d+ about/.test(l) ? k : -1)).filter((k) => k >= 0);
        if (starts.length === 0) continue;
        const head = starts[0] as number;
        if (n !== from && head > 0) expect(head, `lines carried to the top of page ${n}`).toBeGreaterThanOrEqual(2);
        expect(lines.length - (starts.at(-1) as number), `lines at the foot of page ${n}`).toBeGreaterThanOrEqual(2);
      }
    }

    // A link to a post that is a chapter goes to the chapter in the PDF; others to the blog.
    const raw = fs.readFileSync(file).toString('latin1');
    const massage = `chapter-${CHAPTERS.length + 1}`;
    expect(raw.split(`/Dest /${massage}>>`).length - 1, 'the contents and a chapter link to it').toBe(2);
    expect(raw).toMatch(/\/URI \(https?:\/\/[^)]+\/category\/green-living\/\)/);
    expect(raw).not.toContain(`/${MASSAGE}/)`);

    // Every photo is drawn once, on one page, and fits on it.
    const rows = images(file).filter((r) => r.type === 'image');
    const byObject = new Map<number, Set<number>>();
    for (const row of rows) byObject.set(row.object, (byObject.get(row.object) ?? new Set()).add(row.page));
    expect(byObject.size).toBeGreaterThanOrEqual(3);
    for (const pagesOfImage of byObject.values()) expect(pagesOfImage.size).toBe(1);
    for (const row of rows) expect((row.height / row.yPpi) * 72).toBeLessThanOrEqual(height);
    const tall = rows.find((r) => r.height === 1600 && (r.height / r.yPpi) * 72 < height);
    expect(tall, 'the tall photo, shrunk to fit the page').toBeDefined();
    expect(fs.readdirSync(outDir).filter((f) => f.endsWith('.part'))).toEqual([]);
  }, 240_000);

  it('prints on the page size asked for, or else the book’s own', () => {
    const trade = path.join(outDir, 'trade.pdf');
    const built = hearth([
      'book',
      'build',
      'printed-paths',
      '--format',
      'pdf',
      '--page-size',
      'us-trade',
      '--out',
      trade,
    ]);
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    const size = info(trade);
    expect(Math.abs(size.width - 432)).toBeLessThan(1);
    expect(Math.abs(size.height - 648)).toBeLessThan(1);

    const letter = hearth(['book', 'build', 'letter-sized', '--format', 'pdf']);
    expect(letter.stderr).toBe('');
    expect(letter.status).toBe(0);
    expect(letter.stdout).toContain('(letter)');
    const own = info(path.join(outDir, 'letter-sized.pdf'));
    expect([Math.round(own.width), Math.round(own.height)]).toEqual([612, 792]);
  }, 240_000);

  it('says clearly when Chromium is missing, leaves no file, and the EPUB still builds', () => {
    const out = path.join(outDir, 'nothing.pdf');
    const missing = '/nowhere/chromium-not-installed';
    // --rebuild: the book was built before, and an unchanged book's file would be used.
    const failed = hearth(['book', 'build', 'letter-sized', '--format', 'pdf', '--out', out, '--rebuild'], {
      HEARTH_CHROMIUM_PATH: missing,
    });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain(`The PDF cannot be made: Chromium at ${missing} does not exist.`);
    expect(failed.stderr).toContain('HEARTH_CHROMIUM_PATH');
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(outDir).filter((f) => f.includes('nothing'))).toEqual([]);

    const crashing = hearth(['book', 'build', 'letter-sized', '--format', 'pdf', '--out', out, '--rebuild'], {
      HEARTH_CHROMIUM_PATH: '/bin/false',
    });
    expect(crashing.status).toBe(1);
    expect(crashing.stderr).toContain('The PDF cannot be made: Chromium at /bin/false did not start');
    expect(fs.readdirSync(outDir).filter((f) => f.includes('nothing'))).toEqual([]);

    const epub = hearth(
      ['book', 'build', 'letter-sized', '--format', 'epub', '--out', path.join(outDir, 'still.epub'), '--rebuild'],
      {
        HEARTH_CHROMIUM_PATH: missing,
      },
    );
    expect(epub.stderr).toBe('');
    expect(epub.status).toBe(0);
    expect(fs.existsSync(path.join(outDir, 'still.epub'))).toBe(true);
  }, 240_000);

  it('tells progress per chapter and once for the PDF; a render that runs out of time stops, closed and cleaned up', async () => {
    const ours = () => new Set(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('hearth-book-pdf-')));
    const before = ours();
    await withApp(async (app) => {
      const deps = {
        books: app.services.books,
        media: app.services.media,
        publicUrl: 'https://blog.example.org',
        chromiumPath: '/usr/bin/chromium',
      };
      const calls: [number, number, string][] = [];
      const out = path.join(outDir, 'progress.pdf');
      const result = await buildPdf(deps, 'letter-sized', out, {
        onProgress: (done, total, title) => calls.push([done, total, title]),
      });
      expect(calls).toEqual([
        [1, 2, 'Only Chapter'],
        [2, 2, 'PDF'],
      ]);
      expect(result).toMatchObject({ chapters: 1, images: 0, leftOut: [], pageSize: 'letter' });
      expect(result.pages).toBe(info(out).pages);

      const late = path.join(outDir, 'late.pdf');
      const error = await buildPdf({ ...deps, timeoutMs: 300 }, 'printed-paths', late).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HearthError);
      expect((error as HearthError).code).toBe('HEARTH_ERR_BOOK_PDF_CHROMIUM');
      expect((error as HearthError).message).toContain('took longer than 1 s to lay the book out');
      expect(fs.readdirSync(outDir).filter((f) => f.includes('late'))).toEqual([]);
    });
    expect([...ours()].filter((f) => !before.has(f))).toEqual([]);
  }, 240_000);

  it('refuses a chapter showing a photo from elsewhere, before starting Chromium', () => {
    const out = path.join(outDir, 'outside.pdf');
    const refused = hearth(['book', 'build', 'outside-photo', '--format', 'pdf', '--out', out]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('Far Away: it shows the image "https://photos.example.org/heron.jpg"');
    expect(fs.existsSync(out)).toBe(false);
  });

  it('refuses an unknown page size or format, and a page size for an EPUB', () => {
    const size = hearth(['book', 'build', 'letter-sized', '--format', 'pdf', '--page-size', 'b5']);
    expect(size.status).toBe(2);
    expect(size.stderr).toContain('unknown page size "b5"');
    const epub = hearth(['book', 'build', 'letter-sized', '--page-size', 'a4']);
    expect(epub.status).toBe(2);
    expect(epub.stderr).toContain('--page-size is for a PDF');
    const format = hearth(['book', 'build', 'letter-sized', '--format', 'mobi']);
    expect(format.status).toBe(2);
    expect(format.stderr).toContain('unknown format "mobi"');
  });
});

describe('the demo blog’s own book', () => {
  it('builds Ten Quiet Minutes as an EPUB that EPUBCheck passes and a PDF whose contents give the right pages', () => {
    const epubFile = path.join(outDir, 'ten-quiet-minutes.epub');
    const epub = hearth(['book', 'build', 'ten-quiet-minutes', '--out', epubFile, '--rebuild']);
    expect(epub.stderr).toBe('');
    expect(epub.status).toBe(0);
    expect(epub.stdout).toContain('5 chapters');
    const report = `${epubFile}.check.json`;
    spawnSync('java', ['-jar', '/usr/share/java/epubcheck.jar', epubFile, '--json', report], { encoding: 'utf8' });
    const messages = (
      JSON.parse(fs.readFileSync(report, 'utf8')) as { messages: { severity: string; message: string }[] }
    ).messages;
    expect(messages.filter((m) => ['FATAL', 'ERROR', 'WARNING'].includes(m.severity))).toEqual([]);

    const pdfFile = path.join(outDir, 'ten-quiet-minutes.pdf');
    const pdf = hearth(['book', 'build', 'ten-quiet-minutes', '--format', 'pdf', '--out', pdfFile, '--rebuild']);
    expect(pdf.stderr).toBe('');
    expect(pdf.status).toBe(0);
    const { pages, width } = info(pdfFile);
    expect(pages).toBeGreaterThan(10);
    expect(Math.abs(width - 419.53)).toBeLessThan(1);
    const texts = Array.from({ length: pages }, (_, i) => pageText(pdfFile, i + 1));
    const tocPage = texts.findIndex((t) => /^\s*Contents\s*$/m.test(t)) + 1;
    expect(tocPage).toBeGreaterThan(0);
    for (const title of ['Before you begin', 'Benefits of Infant Massage', 'Slow Walks: Puddles, Sticks and Snails']) {
      const escaped = title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const listed = Number(new RegExp(`${escaped}\\s+(\\d+)\\s*$`, 'm').exec(texts[tocPage - 1] as string)?.[1]);
      expect(listed, `${title} is in the contents with a page`).toBeGreaterThan(tocPage);
      // A long title may wrap: the pages are compared with their spaces and line breaks made one.
      const flat = (t: string) => t.replace(/\s+/g, ' ');
      const opening = texts.findIndex((t, i) => i >= tocPage && flat(t).includes(title)) + 1;
      expect(listed, `${title} starts on the page the contents give`).toBe(opening);
      expect(listed % 2).toBe(1);
    }
    // No photo crosses a page: each is drawn on one page only, and fits it.
    const byObject = new Map<number, Set<number>>();
    for (const row of images(pdfFile)) {
      if (row.type !== 'image') continue;
      byObject.set(row.object, (byObject.get(row.object) ?? new Set()).add(row.page));
    }
    expect(byObject.size).toBeGreaterThan(3);
    for (const pagesOfImage of byObject.values()) expect(pagesOfImage.size).toBe(1);
  }, 240_000);
});

describe('a title that tries to close the stylesheet', () => {
  it('stays text in the running heads and on the title page; no markup of it reaches the page', async () => {
    const title = 'Tea </style><p class="x">INJECTED</p><style> Time';
    await withApp(async (app) => {
      const maren = await app.database.db
        .selectFrom('users')
        .select(['id', 'role'])
        .where('slug', '=', 'maren-ashby')
        .executeTakeFirstOrThrow();
      const book = await app.services.books.create(maren, { title, slug: 'tea-time', language: 'en' });
      await app.services.books.setContents(maren, book.id, [{ post: 'slow-family-walks' }, { post: MASSAGE }]);
    });
    const file = path.join(outDir, 'tea-time.pdf');
    const built = hearth(['book', 'build', 'tea-time', '--format', 'pdf', '--out', file]);
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    const { pages } = info(file);
    const texts = Array.from({ length: pages }, (_, i) => pageText(file, i + 1));
    // "INJECTED" is only ever seen with the tags around it, as text: never as a paragraph of its own.
    const lines = texts.join('\n').split('\n');
    expect(lines.filter((l) => l.includes('INJECTED') && !l.includes('>INJECTED<'))).toEqual([]);
    expect(texts.filter((t) => t.includes('</style><p class="x">INJECTED</p><style>')).length).toBeGreaterThan(2);
    expect(pages).toBeGreaterThan(6);
  }, 240_000);
});

describe('a book of every kind of content the Markdown pipeline makes', () => {
  it('builds as an EPUB that EPUBCheck passes and as a PDF whose photos and contents are right', async () => {
    const everything = `Intro with **bold**, *em*, \`code\`, a [link](https://example.org/?a=1&b=2) and a footnote.[^1]

## A heading with “quotes” & an ampersand

> A quotation
> on two lines.

1. First
2. Second
   - nested
   - list

| Age | Minutes |
| --- | ------: |
| 0–3 months | 5 |
| 3–12 months | 10 |

\`\`\`js
if (a < b && c > d) console.log("<done>");
\`\`\`

![A wide garden](/media/pdf-test/wide.jpg "The garden in June")

::: note
Ask your midwife first.
:::

::: howto Three strokes
1. Warm the oil
2. Stroke the legs
:::

::: ps
Photos by the author.
:::

Raw <b>HTML</b> <script>alert(1)</script> stays text. Ελληνικά, русский, 日本語, עברית.

---

[^1]: Cold-pressed, unscented.
`;
    await withApp(async (app) => {
      const maren = await app.database.db
        .selectFrom('users')
        .select(['id', 'role'])
        .where('slug', '=', 'maren-ashby')
        .executeTakeFirstOrThrow();
      const book = await app.services.books.create(maren, {
        title: 'Everything at Once',
        slug: 'everything',
        language: 'en',
        frontMatter: 'For *testing*: every block, once.',
      });
      await app.services.books.setContents(maren, book.id, [
        { part: 'All of it', chapters: [{ title: 'Every block', body: everything }, { post: 'slow-family-walks' }] },
      ]);
    });
    const epubFile = path.join(outDir, 'everything.epub');
    const epub = hearth(['book', 'build', 'everything', '--out', epubFile]);
    expect(epub.stderr).toBe('');
    expect(epub.status).toBe(0);
    const report = `${epubFile}.check.json`;
    spawnSync('java', ['-jar', '/usr/share/java/epubcheck.jar', epubFile, '--json', report], { encoding: 'utf8' });
    const messages = (JSON.parse(fs.readFileSync(report, 'utf8')) as { messages: { severity: string }[] }).messages;
    expect(messages.filter((m) => ['FATAL', 'ERROR', 'WARNING'].includes(m.severity))).toEqual([]);

    const pdfFile = path.join(outDir, 'everything.pdf');
    const pdf = hearth(['book', 'build', 'everything', '--format', 'pdf', '--out', pdfFile]);
    expect(pdf.stderr).toBe('');
    expect(pdf.status).toBe(0);
    const { pages } = info(pdfFile);
    const texts = Array.from({ length: pages }, (_, i) => pageText(pdfFile, i + 1));
    const all = texts.join('\n');
    for (const seen of [
      'Three strokes',
      'Ask your midwife first.',
      'Photos by the author.',
      '3–12 months',
      'Ελληνικά',
      'Cold-pressed',
    ]) {
      expect(all, seen).toContain(seen);
    }
    expect(all).toContain('<script>alert(1)</script>');
    const tocPage = texts.findIndex((t) => /^\s*Contents\s*$/m.test(t)) + 1;
    const listed = Number(/Every block\s+(\d+)\s*$/m.exec(texts[tocPage - 1] as string)?.[1]);
    expect(texts[listed - 1]).toMatch(/^\s*Every block\s*$/m);
    const rows = images(pdfFile).filter((r) => r.type === 'image');
    expect(rows.length).toBeGreaterThan(1);
    expect(new Set(rows.map((r) => r.object)).size).toBe(rows.length);
  }, 240_000);
});
