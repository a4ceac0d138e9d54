import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { XMLValidator } from 'fast-xml-parser';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { createMarkdownRenderer, type PictureImage } from '../../src/content/markdown/index.js';
import { type EpubBook, toXhtml, writeEpub } from '../../src/domain/books/epub/index.js';
import { isHearthError } from '../../src/errors.js';

const EPUBCHECK = '/usr/share/java/epubcheck.jar';
const run = promisify(execFile);

interface CheckMessage {
  severity: string;
  ID: string;
  message: string;
  locations?: { path: string; line: number }[];
}

/** EPUBCheck's findings of severity FATAL, ERROR or WARNING. */
async function epubcheck(file: string): Promise<CheckMessage[]> {
  if (!existsSync(EPUBCHECK)) {
    throw new Error(`EPUBCheck is missing: ${EPUBCHECK} (install Debian's epubcheck package)`);
  }
  const report = path.join(path.dirname(file), 'epubcheck.json');
  // EPUBCheck exits 1 when it finds errors; the JSON report says which.
  await run('java', ['-jar', EPUBCHECK, file, '--json', report], { maxBuffer: 16 * 1024 * 1024 }).catch(() => {});
  const result = JSON.parse(await readFile(report, 'utf8')) as { messages: CheckMessage[] };
  return result.messages.filter((m) => ['FATAL', 'ERROR', 'WARNING'].includes(m.severity));
}

interface ZipEntryInfo {
  name: string;
  compressionMethod: number;
  extraFieldLength: number;
}

async function zipEntries(file: string): Promise<ZipEntryInfo[]> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: false }, (error, z) => (error ? reject(error) : resolve(z))),
  );
  return new Promise((resolve, reject) => {
    const entries: ZipEntryInfo[] = [];
    zip.on('entry', (e: yauzl.Entry) =>
      entries.push({ name: e.fileName, compressionMethod: e.compressionMethod, extraFieldLength: e.extraFieldLength }),
    );
    zip.on('end', () => resolve(entries));
    zip.on('error', reject);
  });
}

const photo = (r: number, g: number, b: number, format: 'jpeg' | 'png') =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: { r, g, b } } })
    .toFormat(format)
    .toBuffer();

// Every kind of markup Hearth's Markdown renderer writes, written for this test.
const FIGURE_CHAPTER = `<p>Warm your hands first &amp; check the room.</p>
<figure class="figure"><picture class="photo"><source type="image/avif" srcset="/media/x-640.avif 640w" sizes="100vw"><img src="images/oil.jpg" srcset="/media/x-640.jpg 640w" alt="A small bottle of oil beside a folded towel" width="64" height="48" loading="lazy" decoding="async"></picture><figcaption>Oil and towel, ready <span class="credit">Photo: the author</span></figcaption></figure>
<section class="howto" aria-labelledby="howto-1"><h2 id="howto-1" class="howto-title">Steps</h2>
<ol><li>Sit comfortably</li><li>Stroke the legs gently</li></ol></section>
<aside class="editor-note" aria-label="Editor’s note"><p>Ask your midwife first.</p></aside>
<script type="application/ld+json">{"@type":"HowTo"}</script>`;

const TABLE_CHAPTER = `<table><thead><tr><th scope="col">Age</th><th>Minutes</th></tr></thead>
<tbody><tr><td>0–3 months</td><td>5</td></tr><tr><td>3–12 months<td>10</tr></tbody></table>
<p>Oil helps<sup><a href="#fn-1" id="ref-1">1</a></sup>, and so does a calm room<sup><a href="#fn-2" id="ref-2">2</a></sup>.</p>
<pre><code class="language-js">if (a < b && c > d) { print("done") }
</code></pre>
<ol class="footnotes"><li id="fn-1">Cold-pressed. <a href="#ref-1">↩</a></li><li id="fn-2">Dim lights. <a href="#ref-2">↩</a></li></ol>
<p>See <a href="ch-first.xhtml#howto-1">the steps</a> or <a href="https://example.org/massage?a=1&b=2">the blog</a>.</p>`;

const SCRIPTS_CHAPTER = `<p lang="ja">赤ちゃんのマッサージ</p><p lang="ar" dir="rtl">تدليك الرضع</p>
<p lang="ru">Массаж для младенцев</p><p lang="el">Μασάζ βρεφών</p><p lang="hi">शिशु मालिश</p>
<p>Emoji 👶🏽 and a lone surrogate \uD800 and a bell \u0007 are fine.</p>
<p>Unclosed <b>bold <i>and italic</p><p>x<br>y&nbsp;z <img src=images/steps.png alt=Steps width=64></p>
<form action="/comments"><input name="x"><button>Send</button></form><iframe src="https://example.org"></iframe>
<p onclick="alert(1)" style="color:red" data-x="1" class="lead">Clean</p><nav><a href="/">Home</a></nav>`;

function demoBook(images: EpubBook['images'], cover: Buffer): EpubBook {
  return {
    identifier: '978-3-16-148410-0',
    title: 'Touch & <Tender>\u0001 Hands',
    subtitle: 'Massage for infants and toddlers',
    language: 'en',
    creators: [
      { name: 'Ada Example', fileAs: 'Example, Ada', role: 'aut' },
      { name: 'Bea Sample', fileAs: 'Sample, Bea', role: 'ill' },
    ],
    publisher: 'Hearth',
    rights: '© 2026 Ada Example. All rights reserved.',
    description: 'A gentle guide, chapter by chapter.',
    subjects: ['Infant massage', 'Parenting'],
    modified: new Date('2026-12-06T20:30:15.123Z'),
    cover: { data: cover, mediaType: 'image/jpeg' },
    frontMatter: { title: 'For Rosa', html: '<p><em>For Rosa, who was patient.</em></p>' },
    parts: [
      {
        title: 'Part one: Getting ready',
        chapters: [
          { id: 'ch-first', title: 'Before you begin', html: FIGURE_CHAPTER },
          { id: 'ch-table', title: 'How long, & how <often>\u0002', html: TABLE_CHAPTER },
        ],
      },
      {
        title: 'Part two: Around the world',
        chapters: [{ id: 'ch-scripts', title: 'Many languages', html: SCRIPTS_CHAPTER }],
      },
    ],
    images,
  };
}

let dir: string;
let images: EpubBook['images'];
let cover: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hearth-epub-'));
  images = [
    { href: 'images/oil.jpg', data: await photo(200, 170, 120, 'jpeg'), mediaType: 'image/jpeg' },
    { href: 'images/steps.png', data: await photo(90, 140, 200, 'png'), mediaType: 'image/png' },
  ];
  cover = await photo(240, 200, 180, 'jpeg');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeEpub', () => {
  it('writes a book that EPUBCheck passes with no errors and no warnings', async () => {
    const file = path.join(dir, 'book.epub');
    const { bytes } = await writeEpub(demoBook(images, cover), file);
    expect(bytes).toBe((await readFile(file)).length);

    const problems = await epubcheck(file);
    expect(problems.map((m) => `${m.severity} ${m.ID} ${m.message} ${JSON.stringify(m.locations?.[0])}`)).toEqual([]);

    const entries = await zipEntries(file);
    expect(entries[0]).toEqual({ name: 'mimetype', compressionMethod: 0, extraFieldLength: 0 });
    const raw = await readFile(file);
    expect(raw.subarray(30, 58).toString('ascii')).toBe('mimetypeapplication/epub+zip');
    expect(entries.map((e) => e.name)).toEqual(
      expect.arrayContaining(['META-INF/container.xml', 'EPUB/package.opf', 'EPUB/nav.xhtml', 'EPUB/cover.xhtml']),
    );
    // Nothing but the book is left beside it.
    expect((await readdir(dir)).filter((f) => f !== 'epubcheck.json')).toEqual(['book.epub']);
  });

  it('writes the metadata, the accessibility claims and a table of contents by part', async () => {
    const file = path.join(dir, 'meta.epub');
    await writeEpub(demoBook(images, cover), file);
    const opf = await unzipText(file, 'EPUB/package.opf');
    expect(opf).toContain('<dc:identifier id="pub-id">urn:isbn:9783161484100</dc:identifier>');
    expect(opf).toContain('<dc:title id="title">Touch &amp; &lt;Tender&gt; Hands</dc:title>');
    expect(opf).toContain('<meta refines="#creator-1" property="file-as">Example, Ada</meta>');
    expect(opf).toContain('<meta refines="#creator-2" property="role" scheme="marc:relators">ill</meta>');
    expect(opf).toContain('<meta property="dcterms:modified">2026-12-06T20:30:15Z</meta>');
    expect(opf).toContain('properties="cover-image"');
    expect(opf).toContain('<meta property="schema:accessModeSufficient">textual</meta>');
    expect(opf).toContain('<meta property="schema:accessibilityFeature">alternativeText</meta>');
    const nav = await unzipText(file, 'EPUB/nav.xhtml');
    expect(nav).toMatch(/Part one: Getting ready<\/a>\s*<ol>\s*<li><a href="ch-first.xhtml">Before you begin/);
    expect(nav).toContain('epub:type="bodymatter" href="ch-first.xhtml"');
    const chapter = await unzipText(file, 'EPUB/ch-scripts.xhtml');
    expect(chapter).toContain('赤ちゃんのマッサージ');
    expect(chapter).not.toMatch(/<form|<iframe|<nav|onclick|<script/);
  });

  it('says so when an image is missing (an image alt text is not claimed)', async () => {
    const book = demoBook(images, cover);
    const part = book.parts[0];
    if (part) part.chapters.push({ id: 'extra', title: 'Extra', html: '<p><img src="images/gone.png" alt="x"></p>' });
    const error = await writeEpub(book, path.join(dir, 'missing.epub')).catch((e: unknown) => e);
    expect(isHearthError(error) && error.code).toBe('HEARTH_ERR_BOOK_EPUB_INVALID');
    expect((error as Error).message).toContain('chapter extra: it shows the image "images/gone.png"');
  });

  it('refuses an image type EPUB does not hold, naming the image, and writes nothing', async () => {
    const book = demoBook(
      [...images, { href: 'images/x.webp', data: Buffer.from('RIFF'), mediaType: 'image/webp' }],
      cover,
    );
    const file = path.join(dir, 'webp.epub');
    const error = await writeEpub(book, file).catch((e: unknown) => e);
    expect(isHearthError(error) && error.code).toBe('HEARTH_ERR_BOOK_EPUB_IMAGE_TYPE');
    expect((error as Error).message).toBe(
      'The image "images/x.webp" is image/webp; an EPUB holds only JPEG, PNG, GIF or SVG images. Convert it first.',
    );
    expect(existsSync(file)).toBe(false);
  });

  it('leaves no file when the write fails, and keeps the old book when it fails over one', async () => {
    const failing = path.join(dir, 'no-such-dir', 'book.epub');
    await expect(writeEpub(demoBook(images, cover), failing)).rejects.toThrow();
    expect(existsSync(path.dirname(failing))).toBe(false);

    // A chapter id that is no file name fails before a byte is written: the old file stays.
    const file = path.join(dir, 'kept.epub');
    await writeFile(file, 'old book');
    const book = demoBook(images, cover);
    book.parts[1]?.chapters.push({ id: '../evil', title: 'Evil', html: '<p>x</p>' });
    await expect(writeEpub(book, file)).rejects.toThrow(/chapter \.\.\/evil: the id is not a unique file name/);
    expect(await readFile(file, 'utf8')).toBe('old book');
    expect((await readdir(dir)).some((f) => f.endsWith('.part'))).toBe(false);
  });

  it('refuses links that point nowhere in the book and identifiers that are neither ISBN nor UUID', async () => {
    const book = demoBook(images, cover);
    book.parts[0]?.chapters.push({ id: 'links', title: 'Links', html: '<p><a href="#nowhere">x</a></p>' });
    await expect(writeEpub(book, path.join(dir, 'l.epub'))).rejects.toThrow(
      'The e-book cannot be made: chapter links: the link "#nowhere" points to nothing in the book.',
    );
    await expect(
      writeEpub({ ...demoBook(images, cover), identifier: 'my book' }, path.join(dir, 'i.epub')),
    ).rejects.toThrow(/identifier: "my book" is neither an ISBN nor a UUID/);
  });

  it('writes a book with a UUID, no cover, no front matter and an untitled part that EPUBCheck passes', async () => {
    const file = path.join(dir, 'plain.epub');
    await writeEpub(
      {
        identifier: '3f0a3c1e-8a4b-4c1d-9e2f-0a1b2c3d4e5f',
        title: 'Notes',
        language: 'fr',
        creators: [{ name: 'Élodie Exemple' }],
        subjects: [],
        modified: new Date('2026-01-02T03:04:05Z'),
        labels: { contents: 'Table des matières', start: 'Début' },
        parts: [
          {
            title: null,
            chapters: [
              { id: 'one', title: 'Un', html: 'Texte brut, sans balise & <a href="two.xhtml#%C3%A9t%C3%A9">été</a>' },
              { id: 'two', title: 'Deux', html: '<h2 id="été">Été</h2>' },
            ],
          },
        ],
        images: [],
      },
      file,
    );
    expect(await epubcheck(file)).toEqual([]);
    const opf = await unzipText(file, 'EPUB/package.opf');
    expect(opf).toContain('urn:uuid:3f0a3c1e-8a4b-4c1d-9e2f-0a1b2c3d4e5f');
    expect(opf).not.toContain('schema:accessMode">visual');
    const nav = await unzipText(file, 'EPUB/nav.xhtml');
    expect(nav).toContain('<h1>Table des matières</h1>');
    expect(nav).toContain('<a epub:type="bodymatter" href="one.xhtml">Début</a>');
    expect(nav).toContain('xml:lang="fr"');
  });
});

// Every kind of block the Markdown pipeline makes, rendered by it, written for this test.
const EVERYTHING_MARKDOWN = `## Getting *ready* & calm

Text with **strong**, _emphasis_, \`code\`, ~~struck~~, a [link out](https://example.org/a?b=1&c=2),
a [link to the steps](post:steps) and "quotes" -- typographer... (c)

![Oil by the towel](/media/oil.jpg "Oil, warmed in the hands")

![](/media/steps.png)

> A quoted line
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
`;

describe('writeEpub with what the Markdown pipeline makes', () => {
  it('makes a book from rendered Markdown that EPUBCheck passes', async () => {
    const stored = (src: string, alt: string, caption: string): PictureImage => ({
      src,
      width: 64,
      height: 48,
      alt,
      caption,
      credit: 'Photo: the author',
      sources: [
        { type: 'image/avif', srcset: `${src}-640.avif 640w` },
        { type: 'image/jpeg', srcset: `${src}-640.jpg 640w` },
      ],
    });
    const library: Record<string, PictureImage> = {
      '/media/oil.jpg': stored('images/oil.jpg', 'Oil by the towel', ''),
      '/media/steps.png': stored('images/steps.png', 'Hands on a small leg', 'The second stroke'),
    };
    const html = createMarkdownRenderer().render(EVERYTHING_MARKDOWN, {
      image: (src) => library[src],
      link: (href) => (href === 'post:steps' ? 'ch-steps.xhtml' : undefined),
    });
    expect(html).toContain('<picture');
    const file = path.join(dir, 'markdown.epub');
    await writeEpub(
      {
        ...demoBook(images, cover),
        parts: [
          {
            title: 'All of it',
            chapters: [
              { id: 'ch-all', title: 'Everything', html },
              { id: 'ch-steps', title: 'Steps', html: '<p>Steps.</p>' },
            ],
          },
        ],
      },
      file,
    );
    const problems = await epubcheck(file);
    expect(problems.map((m) => `${m.severity} ${m.ID} ${m.message} ${JSON.stringify(m.locations?.[0])}`)).toEqual([]);
    const chapter = await unzipText(file, 'EPUB/ch-all.xhtml');
    expect(chapter).toContain('<img src="images/oil.jpg" alt="Oil by the towel" width="64" height="48"/>');
    expect(chapter).toContain('<aside class="editor-note"');
    expect(chapter).not.toContain('<script');
    expect(chapter).toContain('&lt;script&gt;');
  });
});

async function unzipText(file: string, name: string): Promise<string> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true }, (error, z) => (error ? reject(error) : resolve(z))),
  );
  return new Promise((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName !== name) return zip.readEntry();
      zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          zip.close();
          resolve(Buffer.concat(chunks).toString('utf8'));
        });
      });
    });
    zip.on('end', () => reject(new Error(`${name} is not in ${file}`)));
    zip.readEntry();
  });
}

describe('toXhtml', () => {
  const wellFormed = (xhtml: string) => XMLValidator.validate(`<root>${xhtml}</root>`);

  it.each([
    ['unclosed tags', '<p>one <b>two <i>three', '<p>one <b>two <i>three</i></b></p>'],
    ['void elements', 'a<br>b<hr>', 'a<br/>b<hr/>'],
    ['&nbsp; and a bare &', 'x&nbsp;y & z', 'x\u00a0y &amp; z'],
    ['unquoted attributes', '<img src=a.png alt=A width=10>', '<img src="a.png" alt="A" width="10"/>'],
    ['scripts and styles', '<p>a<script>alert("<b>")</script><style>p{}</style></p>', '<p>a</p>'],
    ['event attributes', '<p onclick="x()" onmouseover=y class=c>t</p>', '<p class="c">t</p>'],
    ['javascript links', '<a href="javascript:alert(1)">t</a>', '<a>t</a>'],
    ['control characters', 'a\u0000b\u0001c\u000bd\uFFFEe\uD800f\tg', 'abcdef\tg'],
    ['attribute quotes and <', '<p title=\'a "b" <c>\'>t</p>', '<p title="a &quot;b&quot; &lt;c&gt;">t</p>'],
    [
      'picture to img',
      '<picture><source srcset="a.avif"><img src="a.jpg" srcset="a2.jpg 2x" alt=""></picture>',
      '<img src="a.jpg" alt=""/>',
    ],
    ['an img without alt', '<img src="a.jpg">', '<img src="a.jpg" alt=""/>'],
    [
      'unknown elements keep their text',
      '<custom-el x=1>kept</custom-el><font color=red>too</font>',
      'keptthough'.replace('though', 'too'),
    ],
    ['comments', 'a<!-- b -- c -->d', 'ad'],
    ['forms and frames', '<form><input><button>Go</button></form><iframe src=x></iframe>t', 't'],
    ['duplicate ids', '<p id="a">1</p><p id="a">2</p>', '<p id="a">1</p><p>2</p>'],
    ['svg and math', '<svg><script>x</script><circle r="1"/></svg><math><mi>x</mi></math>t', 't'],
    ['blocks inside inline elements', '<b>bold<p>para</p></b>', 'bold<p>para</p>'],
    ['misplaced list items and cells', '<li>one</li><td>two</td><figcaption>c</figcaption>', 'onetwoc'],
    ['prefixed and strange attribute names', '<p xmlns:x="u" x:y="1" "a=1 a<b=2>t</p>', '<p>t</p>'],
  ])('%s', (_name, html, expected) => {
    const xhtml = toXhtml(html);
    expect(xhtml).toBe(expected);
    expect(wellFormed(xhtml)).toBe(true);
  });

  it('keeps tables, figures, code and asides as they are', () => {
    const xhtml = toXhtml(TABLE_CHAPTER + FIGURE_CHAPTER + SCRIPTS_CHAPTER);
    expect(wellFormed(xhtml)).toBe(true);
    expect(xhtml).toContain('<th scope="col">Age</th>');
    expect(xhtml).toContain('<td>3–12 months</td><td>10</td>');
    expect(xhtml).toContain('if (a &lt; b &amp;&amp; c &gt; d)');
    expect(xhtml).toContain(
      '<figcaption>Oil and towel, ready <span class="credit">Photo: the author</span></figcaption>',
    );
    expect(xhtml).toContain('<aside class="editor-note" aria-label="Editor’s note">');
    expect(xhtml).toContain('<p lang="ar" dir="rtl">تدليك الرضع</p>');
    expect(xhtml).toContain('Emoji 👶🏽 and a lone surrogate  and a bell  are fine.');
  });
});
