import { parse } from 'parse5';
import { describe, expect, it } from 'vitest';
import { createMarkdownRenderer, type RenderContext } from '../../src/content/markdown/index.js';
import { toImageInfo } from '../../src/domain/media/index.js';
import {
  type EmailPost,
  type EmailSite,
  PREFERENCES_PLACEHOLDER,
  renderDigestEmail,
  renderPostEmail,
  UNSUBSCRIBE_PLACEHOLDER,
} from '../../src/domain/newsletters/index.js';

const md = createMarkdownRenderer();

/** A stored photo as the media library describes it: AVIF, WebP and JPEG at 480, 960 and 1600 px. */
function storedPhoto(stem: string, width: number, height: number, alt: string, caption = '', credit = '') {
  const widths = [480, 960, 1600].filter((w) => w < width);
  const variants = widths.flatMap((w) =>
    (['avif', 'webp', 'jpeg'] as const).map((format) => ({
      width: w,
      height: Math.round((height * w) / width),
      format,
      path: `2026/12/${stem}-${w}.${format === 'jpeg' ? 'jpg' : format}`,
    })),
  );
  return toImageInfo({
    path: `2026/12/${stem}.jpg`,
    mime_type: 'image/jpeg',
    width,
    height,
    alt,
    caption,
    credit,
    variants: JSON.stringify(variants),
  });
}

const photos = new Map([
  [
    '/media/2026/12/harbour.jpg',
    storedPhoto(
      'harbour',
      2400,
      1600,
      'Boats in the harbour at dawn',
      'The harbour before the ferries',
      'Photo: Ida Brandt',
    ),
  ],
  ['/media/2026/12/kiln.jpg', storedPhoto('kiln', 1800, 1200, 'The kiln door, open')],
  ['/media/2026/12/glaze.jpg', storedPhoto('glaze', 1200, 1600, 'Three glaze tests on a shelf')],
  ['/media/2026/12/border.jpg', storedPhoto('border', 1200, 200, '')],
] as const);

const context: RenderContext = {
  image: (src) => photos.get(src as never),
  link: (href) => (href.startsWith('post:') ? `/${href.slice(5)}/` : undefined),
};

const markdown = `The first firing of the year went better than I feared.

![Boats in the harbour at dawn](/media/2026/12/harbour.jpg)

Read [my notes on clay](/notes-on-clay/), the [earlier post](post:first-firing) or [the kiln section](#the-kiln).

## The kiln

![](/media/2026/12/border.jpg)

::: note
This post was updated after the second firing.
:::

::: gallery
![The kiln door, open](/media/2026/12/kiln.jpg)

![Three glaze tests on a shelf](/media/2026/12/glaze.jpg "Glazes, left to right: ash, celadon, tenmoku")
:::

::: embed https://www.example.com/videos/kiln-opening
Opening the kiln, in four minutes.
:::

::: howto Load a kiln
1. **Stack the shelves.** Leave a finger's width between pots.
2. **Close the door.** Check the seal.
:::

| Cone | Temperature |
| ---- | ----------: |
| 6    | 1222 °C     |
| 10   | 1305 °C     |

\`\`\`js
const cone = 6;
\`\`\`

::: ps
Photos by me; the video by the guild.
:::
`;

const site: EmailSite = { title: 'Clay & Fire', url: 'https://clay.example.org', language: 'en' };
const links = { preferences: PREFERENCES_PLACEHOLDER, unsubscribe: UNSUBSCRIBE_PLACEHOLDER };

function post(overrides: Partial<EmailPost> = {}): EmailPost {
  return {
    title: 'The first firing',
    url: 'https://clay.example.org/first-firing-2026/',
    html: md.render(markdown, context),
    excerpt: 'The first firing of the year went better than I feared.',
    authorName: 'Ida Brandt',
    publishedAt: '2026-12-07T09:30:00.000Z',
    image: {
      url: 'https://clay.example.org/media/2026/12/harbour-960.jpg',
      alt: 'Boats in the harbour',
      width: 960,
      height: 640,
    },
    ...overrides,
  };
}

/** Parses a whole document as a browser would, collecting parse5's errors. */
function parseErrors(html: string): string[] {
  const errors: string[] = [];
  parse(html, { onParseError: (e) => errors.push(`${e.code} at ${e.startLine}:${e.startCol}`) });
  return errors;
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

/** Every href and src of the HTML. */
function addresses(html: string): string[] {
  return [...html.matchAll(/\s(?:href|src)="([^"]*)"/g)].map((m) => m[1] ?? '');
}

function imgTags(html: string): string[] {
  return [...html.matchAll(/<img\b[^>]*>/g)].map((m) => m[0]);
}

describe('renderPostEmail, the whole post', () => {
  const message = renderPostEmail({ site, post: post(), content: 'full', links });

  it('has the post title as subject and shows the blog, title, author, date and button', () => {
    expect(message.subject).toBe('The first firing');
    expect(message.html).toContain('>Clay &#38; Fire</a>');
    expect(message.html).toContain('>The first firing</a></h1>');
    expect(message.html).toContain('Ida Brandt · December 7, 2026');
    expect(message.html).toMatch(
      /<td class="em-btn"[^>]*bgcolor="#9a3412"[^>]*><a class="em-btn" href="https:\/\/clay.example.org\/first-firing-2026\/"/,
    );
    expect(message.html).toContain('>Read on the blog</a>');
  });

  it('keeps no picture, source, srcset, sizes, lazy loading, script, iframe or form', () => {
    for (const bad of [
      '<picture',
      '<source',
      'srcset=',
      'sizes=',
      'loading=',
      '<script',
      '<iframe',
      '<form',
      'application/ld+json',
    ]) {
      expect(message.html).not.toContain(bad);
    }
    // The site's classes are gone; only the message's own (em-*) remain.
    for (const m of message.html.matchAll(/class="([^"]*)"/g)) expect(m[1]).toMatch(/^(em-[a-z-]+ ?)+$/);
  });

  it('makes every link and image absolute (the placeholders aside)', () => {
    const all = addresses(message.html);
    expect(all.length).toBeGreaterThan(8);
    for (const a of all) {
      if (a === PREFERENCES_PLACEHOLDER || a === UNSUBSCRIBE_PLACEHOLDER) continue;
      expect(a).toMatch(/^https:\/\//);
    }
    expect(all).toContain('https://clay.example.org/notes-on-clay/');
    expect(all).toContain('https://clay.example.org/first-firing/');
    expect(all).toContain('https://clay.example.org/first-firing-2026/#the-kiln');
    expect(all).toContain('https://www.example.com/videos/kiln-opening');
  });

  it('shows each photo once as a JPEG about 600 px wide, sized to the column, its alt text kept', () => {
    const imgs = imgTags(message.html);
    // The feature image, the photo, the decorative border and the gallery's two photos.
    expect(imgs).toHaveLength(5);
    for (const img of imgs) {
      const width = Number(/ width="(\d+)"/.exec(img)?.[1]);
      expect(width).toBeGreaterThan(0);
      expect(width).toBeLessThanOrEqual(600);
      expect(img).toMatch(/ height="\d+"/);
      expect(img).toMatch(/ alt="[^"]*"/);
      expect(img).toMatch(/ src="https:\/\/clay\.example\.org\/media\/2026\/12\/[a-z]+-960\.jpg"/);
    }
    expect(imgs[1]).toContain('alt="Boats in the harbour at dawn" width="552" height="368"');
    // A decorative image keeps its empty alt text.
    expect(imgs[2]).toContain('src="https://clay.example.org/media/2026/12/border-960.jpg" alt=""');
    // A portrait photo keeps its proportions.
    expect(imgs[4]).toContain('width="552" height="736"');
  });

  it('keeps captions, the editor’s note, the gallery, the embed as a link, the steps, the table and the code', () => {
    expect(message.html).toContain('The harbour before the ferries <br><span>Photo: Ida Brandt</span></p>');
    expect(message.html).toContain('Editor’s note');
    expect(message.html).toContain('This post was updated after the second firing.');
    expect(message.html).toContain('Glazes, left to right: ash, celadon, tenmoku');
    expect(message.html).toContain('<a href="https://www.example.com/videos/kiln-opening" class="em-link"');
    expect(message.html).toContain(
      '<strong>example.com</strong> <br><span>https://www.example.com/videos/kiln-opening</span></a>',
    );
    expect(message.text).toContain('example.com\nhttps://www.example.com/videos/kiln-opening\n\nOpening the kiln');
    expect(message.html).toContain('<strong>Stack the shelves.</strong>');
    expect(message.html).toMatch(/<th align="right"[^>]*>Temperature<\/th>/);
    expect(message.html).toContain('font-family:ui-monospace');
    expect(message.html).toContain('const cone = 6;');
    expect(message.html).toContain('Photos by me; the video by the guild.');
  });

  it('has the placeholders once each, in both parts', () => {
    for (const part of [message.html, message.text]) {
      expect(count(part, PREFERENCES_PLACEHOLDER)).toBe(1);
      expect(count(part, UNSUBSCRIBE_PLACEHOLDER)).toBe(1);
    }
  });

  it('is a document parse5 reads without a single error, light and dark schemes declared', () => {
    expect(parseErrors(message.html)).toEqual([]);
    expect(message.html).toContain('<meta name="color-scheme" content="light dark">');
    expect(message.html).toContain('<meta name="supported-color-schemes" content="light dark">');
    expect(message.html).toContain('@media (prefers-color-scheme: dark)');
    expect(message.html).toMatch(/<html lang="en" dir="ltr">/);
  });

  it('sets no text colour without its background, nor without a class the dark palette recolours', () => {
    const tags = [...message.html.matchAll(/<[a-z0-9]+\b[^>]*\sstyle="([^"]*)"[^>]*>/g)];
    expect(tags.length).toBeGreaterThan(30);
    for (const [tag, style = ''] of tags) {
      if (!/(^|;)color:/.test(style)) continue;
      expect(style).toMatch(/background-color:/);
      expect(tag).toMatch(/ class="em-/);
    }
  });

  it('hides the excerpt as the preheader', () => {
    expect(message.html).toMatch(
      /<div class="em-preheader" style="display:none;[^"]*">The first firing of the year went better than I feared\./,
    );
  });

  it('writes the text part with headings, wrapped paragraphs, links, alt texts, steps and the footer links', () => {
    const { text } = message;
    expect(text).toContain('The first firing\n================');
    expect(text).toContain('The kiln\n--------');
    expect(text).toContain('my notes on clay (https://clay.example.org/notes-on-clay/)');
    expect(text).toContain('[Boats in the harbour at dawn]');
    expect(text).not.toContain('[]');
    expect(text).toContain('1. Stack the shelves. Leave a finger’s width between pots.\n2. Close the door.');
    expect(text).toContain('6 | 1222 °C');
    expect(text).toContain('https://www.example.com/videos/kiln-opening');
    expect(text).toContain('Read on the blog: https://clay.example.org/first-firing-2026/');
    expect(text).toContain(`Unsubscribe: ${UNSUBSCRIBE_PLACEHOLDER}`);
    for (const line of text.split('\n')) {
      if (!line.includes('://')) expect([...line].length).toBeLessThanOrEqual(72);
    }
    expect(text).not.toMatch(/<[a-z]/);
  });
});

describe('renderPostEmail, other posts', () => {
  it('sends the excerpt variant as title, feature image, excerpt and button', () => {
    const message = renderPostEmail({ site, post: post(), content: 'excerpt', links });
    expect(message.html).toContain('harbour-960.jpg');
    expect(message.html).toContain('The first firing of the year went better than I feared.');
    expect(message.html).toContain('>Read on the blog</a>');
    expect(message.html).not.toContain('Editor’s note');
    expect(message.text).not.toContain('notes-on-clay');
    expect(parseErrors(message.html)).toEqual([]);
  });

  it('renders a post without a body, image or date', () => {
    const message = renderPostEmail({
      site,
      post: post({ html: '', image: undefined, publishedAt: '', excerpt: '' }),
      content: 'full',
      links,
    });
    expect(message.html).toContain('>The first firing</a></h1>');
    expect(imgTags(message.html)).toHaveLength(0);
    expect(count(message.text, UNSUBSCRIBE_PLACEHOLDER)).toBe(1);
    expect(parseErrors(message.html)).toEqual([]);
  });

  it('drops what runs or loads from elsewhere in stored HTML, and links that are not web addresses', () => {
    const html =
      '<p>Hi <a href="javascript:alert(1)">there</a> <a href="mailto:ida@example.org">write</a>.</p>' +
      '<script>alert(1)</script><iframe src="https://evil.example/"></iframe>' +
      '<form action="/x"><input name="q"><button>Go</button></form>' +
      '<p style="color:red" class="lead" id="x" onclick="alert(1)">Styled</p>' +
      '<img src="/media/plain.webp" alt="A WebP only"><img src="https://images.example.net/a.png" alt="Remote">';
    const message = renderPostEmail({ site, post: post({ html }), content: 'full', links });
    expect(message.html).not.toMatch(/javascript:|<script|<iframe|<form|<input|<button|onclick|color:red|id="x"/);
    expect(message.html).toContain('Hi there <a href="mailto:ida@example.org" class="em-link"');
    expect(message.html).not.toContain('plain.webp');
    expect(message.html).toContain('src="https://images.example.net/a.png" alt="Remote"');
    expect(message.text).toContain('Hi there write (mailto:ida@example.org).');
  });

  it('never lets a writer’s text carry a reader’s link', () => {
    const message = renderPostEmail({
      site,
      post: post({ html: `<p>Mine: ${UNSUBSCRIBE_PLACEHOLDER}</p>`, excerpt: PREFERENCES_PLACEHOLDER }),
      content: 'full',
      links,
    });
    expect(count(message.html, UNSUBSCRIBE_PLACEHOLDER)).toBe(1);
    expect(count(message.html, PREFERENCES_PLACEHOLDER)).toBe(1);
    expect(count(message.text, UNSUBSCRIBE_PLACEHOLDER)).toBe(1);
  });

  it('keeps Greek, Japanese and Arabic as themselves, right to left for Arabic', () => {
    const greek = renderPostEmail({
      site: { ...site, title: 'Πηλός και φωτιά', language: 'el' },
      post: post({ title: 'Το πρώτο ψήσιμο', html: md.render('Ο κλίβανος άνοιξε στις **έξι**.') }),
      content: 'full',
      links,
    });
    expect(greek.html).toContain('Το πρώτο ψήσιμο');
    expect(greek.html).toContain('Ο κλίβανος άνοιξε στις <strong>έξι</strong>.');
    expect(greek.text).toContain('Πηλός και φωτιά');

    const japanese = renderPostEmail({
      site: { ...site, title: '土と火', language: 'ja' },
      post: post({ title: '初窯', html: md.render('窯を開けました。[記録](/ki-roku/)') }),
      content: 'full',
      links,
    });
    expect(japanese.html).toContain('窯を開けました。<a href="https://clay.example.org/ki-roku/" class="em-link"');
    expect(japanese.text).toContain('窯を開けました。記録 (https://clay.example.org/ki-roku/)');
    expect(japanese.html).toContain('<html lang="ja" dir="ltr">');

    const arabic = renderPostEmail({
      site: { ...site, title: 'طين ونار', language: 'ar' },
      post: post({ title: 'الحرق الأول', html: md.render('- فتحنا الفرن\n- كانت القطع سليمة') }),
      content: 'full',
      links,
    });
    expect(arabic.html).toContain('<html lang="ar" dir="rtl">');
    expect(arabic.html).toContain('الحرق الأول');
    expect(arabic.html).toContain('padding-right:24px');
    expect(arabic.html).toContain('text-align:right');
    expect(arabic.text).toContain('- فتحنا الفرن\n- كانت القطع سليمة');
    for (const m of [greek, japanese, arabic]) {
      expect(m.html).not.toMatch(/&#(?!3[489];|6[02];|39;)\d+;/);
      expect(parseErrors(m.html)).toEqual([]);
    }
  });
});

describe('renderDigestEmail', () => {
  const posts = [
    post(),
    post({
      title: 'Glaze notes',
      url: 'https://clay.example.org/glaze-notes/',
      excerpt: 'Ash, celadon and tenmoku.',
      image: undefined,
    }),
  ].map(({ html: _html, ...rest }) => rest);
  const message = renderDigestEmail({ site, posts, links });

  it('lists each post with its thumbnail, title, excerpt and link', () => {
    expect(message.subject).toBe('New on Clay & Fire');
    expect(message.html).toContain('>The first firing</a></h2>');
    expect(message.html).toContain('>Glaze notes</a></h2>');
    expect(message.html).toContain('Ash, celadon and tenmoku.');
    const imgs = imgTags(message.html);
    expect(imgs).toHaveLength(1);
    expect(imgs[0]).toContain('width="552" height="368"');
    for (const a of addresses(message.html)) {
      if (a !== PREFERENCES_PLACEHOLDER && a !== UNSUBSCRIBE_PLACEHOLDER) expect(a).toMatch(/^https:\/\//);
    }
    expect(parseErrors(message.html)).toEqual([]);
  });

  it('has a text part with every post’s link and the placeholders once each', () => {
    expect(message.text).toContain(
      'Glaze notes\nIda Brandt · December 7, 2026\nAsh, celadon and tenmoku.\nhttps://clay.example.org/glaze-notes/',
    );
    expect(message.text).toContain('https://clay.example.org/first-firing-2026/');
    for (const part of [message.html, message.text]) {
      expect(count(part, PREFERENCES_PLACEHOLDER)).toBe(1);
      expect(count(part, UNSUBSCRIBE_PLACEHOLDER)).toBe(1);
    }
  });
});
