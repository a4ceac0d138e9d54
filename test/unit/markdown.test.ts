import { describe, expect, it } from 'vitest';
import {
  CONTENT_SIZES,
  createMarkdownRenderer,
  looksLikeFileName,
  markdownImages,
  type PictureImage,
  pictureHtml,
  type RenderContext,
} from '../../src/content/markdown/index.js';

const md = createMarkdownRenderer();

const storedImage: PictureImage = {
  src: '/media/2026/10/bath-time.jpg',
  width: 1600,
  height: 1067,
  alt: 'A baby in a bath',
  caption: 'Bath time, with the yellow duck.',
  credit: 'Photo: Ana Lima',
  sources: [
    { type: 'image/webp', srcset: '/media/2026/10/bath-time-800.webp 800w, /media/2026/10/bath-time-1600.webp 1600w' },
    { type: 'image/jpeg', srcset: '/media/2026/10/bath-time-800.jpg 800w, /media/2026/10/bath-time-1600.jpg 1600w' },
  ],
};

/** A render context that knows one stored image and resolves `post:` links like the post service. */
const context: RenderContext = {
  image: (src) => (src === storedImage.src ? storedImage : undefined),
  link: (href) => (href.startsWith('post:') ? `/${href.slice(5)}/` : undefined),
};

/** The parsed JSON-LD payloads of every `<script type="application/ld+json">` in the HTML. */
function jsonLd(html: string): unknown[] {
  return [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)].map((m) =>
    JSON.parse(m[1] ?? ''),
  );
}

describe('raw HTML', () => {
  it('is escaped and shown as text, never rendered', () => {
    const html = md.render('<script>alert(1)</script>\n\nSome <b onclick=x()>bold</b> <img src=x onerror=alert(1)>');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<b ');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;b onclick=x()&gt;bold&lt;/b&gt;');
  });
});

describe('figures', () => {
  it('turns an image alone in its paragraph into a figure captioned by its title', () => {
    const html = md.render('![A dog on a beach](/dog.jpg "Rex, happiest by the sea")');
    expect(html).toBe(
      '<figure class="figure"><img src="/dog.jpg" alt="A dog on a beach" loading="lazy" decoding="async">' +
        '<figcaption>Rex, happiest by the sea</figcaption></figure>\n',
    );
  });

  it('leaves an image inside running text as an inline image, not a figure', () => {
    const html = md.render('Look: ![a dog](/dog.jpg "Rex") there.');
    expect(html).not.toContain('<figure');
    expect(html).toContain('<img src="/dog.jpg" alt="a dog" loading="lazy" decoding="async">');
  });

  it('has no figcaption when the image has no title', () => {
    const html = md.render('![A dog](/dog.jpg)');
    expect(html).toContain('<figure class="figure">');
    expect(html).not.toContain('<figcaption');
  });

  it.each(['IMG_2041.jpg', 'DSC01234', 'photo.png'])('drops a caption that is a file name: %s', (title) => {
    const html = md.render(`![A dog](/dog.jpg "${title}")`);
    expect(html).toContain('<figure class="figure">');
    expect(html).not.toContain('<figcaption');
    expect(html).not.toContain(title);
  });

  it('drops a stored caption that is a file name but keeps the credit', () => {
    const html = md.render(`![A bath](${storedImage.src})`, {
      image: () => ({ ...storedImage, caption: 'IMG_2041.jpg' }),
    });
    expect(html).not.toContain('IMG_2041');
    expect(html).toContain('<figcaption> <span class="credit">Photo: Ana Lima</span></figcaption>');
  });

  it('escapes a caption', () => {
    const html = md.render('![A dog](/dog.jpg "Rex <b>wins</b>")');
    expect(html).toContain('<figcaption>Rex &lt;b&gt;wins&lt;/b&gt;</figcaption>');
  });
});

describe('stored images', () => {
  const html = md.render(`![A baby splashing](${storedImage.src})`, context);

  it('become a responsive <picture> with a webp <source>, srcset, sizes and the fallback <img>', () => {
    const picture = html.match(/<picture>[\s\S]*?<\/picture>/)?.[0];
    expect(picture).toBeDefined();
    expect(picture).toContain(
      `<source type="image/webp" srcset="${storedImage.sources[0]?.srcset}" sizes="${CONTENT_SIZES}">`,
    );
    const img = picture?.match(/<img [^>]*>/)?.[0] ?? '';
    expect(img).toContain(`src="${storedImage.src}"`);
    expect(img).toContain(`srcset="${storedImage.sources[1]?.srcset}"`);
    expect(img).toContain(`sizes="${CONTENT_SIZES}"`);
    expect(img).toContain('width="1600"');
    expect(img).toContain('height="1067"');
    expect(img).toContain('loading="lazy"');
    expect(img).toContain('decoding="async"');
    // The Markdown alt text wins over the library's.
    expect(img).toContain('alt="A baby splashing"');
  });

  it('are captioned by the library caption and credited', () => {
    expect(html).toMatch(
      /^<figure class="figure"><picture>.*<\/picture><figcaption>Bath time, with the yellow duck\. <span class="credit">Photo: Ana Lima<\/span><\/figcaption><\/figure>\n$/,
    );
  });

  it('fall back to the library alt text when the Markdown has none', () => {
    expect(md.render(`![](${storedImage.src})`, context)).toContain('alt="A baby in a bath"');
  });

  it('give a shared (frozen) image the same markup as a fresh one, for each set of options', () => {
    const shared: PictureImage = { ...storedImage, sources: [...storedImage.sources] };
    Object.freeze(shared.sources);
    Object.freeze(shared);
    const options = [
      {},
      { eager: true },
      { alt: 'Other words' },
      { alt: '' },
      { sizes: '5rem', className: 'avatar' },
      { sizes: '5rem', className: 'avatar', alt: 'Other words' },
    ];
    const seen = new Set<string>();
    for (const o of [...options, ...options]) {
      const html = pictureHtml(shared, o);
      expect(html).toBe(pictureHtml({ ...storedImage }, o));
      seen.add(html);
    }
    expect(seen.size).toBe(options.length);
  });

  it('are not looked up for images the context does not know', () => {
    const other = md.render('![x](/elsewhere.jpg)', context);
    expect(other).not.toContain('<picture');
    expect(other).toContain('<img src="/elsewhere.jpg"');
  });
});

describe('links', () => {
  it('resolves post:slug links through context.link', () => {
    const html = md.render('Read [the first bath](post:first-bath) next.', context);
    expect(html).toContain('<a href="/first-bath/">the first bath</a>');
    expect(html).not.toContain('post:');
  });

  it('marks absolute http(s) links rel=noopener and refuses javascript: links', () => {
    const html = md.render('[out](https://example.org/) and [bad](javascript:alert(1))', context);
    expect(html).toContain('<a href="https://example.org/" rel="noopener">out</a>');
    expect(html).not.toContain('href="javascript:');
  });
});

describe('headings', () => {
  it('get ids from their text, transliterated and made unique', () => {
    const html = md.render('## Hello World\n\n### Café au lait\n\n## Hello World\n\n## 🎉');
    expect(html).toContain('<h2 id="hello-world">');
    expect(html).toContain('<h3 id="cafe-au-lait">');
    expect(html).toContain('<h2 id="hello-world-1">');
    expect(html).toContain('<h2 id="section">');
  });

  it('do not carry ids over from one render to the next', () => {
    expect(md.render('## Hello')).toContain('<h2 id="hello">');
    expect(md.render('## Hello')).toContain('<h2 id="hello">');
  });
});

describe('blocks', () => {
  it('renders ::: ps as a postscript aside', () => {
    expect(md.render('::: ps\nPhotos by Ana.\n:::')).toBe(
      '<aside class="postscript" aria-label="Postscript">\n<p>Photos by Ana.</p>\n</aside>\n',
    );
  });

  it("renders ::: note as an editor's note aside", () => {
    expect(md.render('::: note\nWe updated this post.\n:::')).toBe(
      '<aside class="editor-note" aria-label="Editor’s note">\n<p>We updated this post.</p>\n</aside>\n',
    );
  });
});

describe('gallery and embed blocks', () => {
  it('renders ::: gallery as a group of figures, one per photo', () => {
    const html = md.render('::: gallery\n![A duck](/media/duck.jpg)\n\n![A boat](/media/boat.jpg "Sunday")\n:::', {});
    expect(html.startsWith('<div class="gallery" role="group" aria-label="Gallery">\n<figure class="figure">')).toBe(
      true,
    );
    expect(html.match(/<figure class="figure">/g)).toHaveLength(2);
    expect(html).toContain('<figcaption>Sunday</figcaption>');
    expect(html.trimEnd().endsWith('</figure>\n</div>')).toBe(true);
  });

  it('renders ::: embed as a link card with its text as the caption, loading nothing from the other site', () => {
    const html = md.render('::: embed https://www.video.example/watch?v=ab&t=3\nOur lullaby, sung by the choir.\n:::');
    expect(html).toBe(
      '<figure class="embed">\n<a class="embed__link" href="https://www.video.example/watch?v=ab&#38;t=3"><span class="embed__site">video.example</span> <span class="embed__url">https://www.video.example/watch?v=ab&#38;t=3</span></a>\n<figcaption>Our lullaby, sung by the choir.</figcaption>\n</figure>\n',
    );
    expect(html).not.toMatch(/<iframe|<script/);
  });

  it('keeps an embed whose address is not a web address as text, with no link', () => {
    for (const address of ['javascript:alert(1)', '"><img src=x onerror=alert(1)>', 'ftp://files.example/x']) {
      const html = md.render(`::: embed ${address}\nText.\n:::`);
      expect(html).not.toContain('<a ');
      expect(html).not.toContain('<img');
      expect(html).toContain('<p class="embed__link">');
    }
  });
});

describe('how-to blocks', () => {
  const source = [
    '::: howto Bathe a newborn',
    'Everything you need fits on one towel.',
    '',
    '1. **Fill the tub.** Use water at about 37 °C.',
    '2. **Test it:** dip your elbow in',
    '   before the baby goes in.',
    '3. Lower the baby in gently.',
    ':::',
  ].join('\n');
  const html = md.render(source);

  it('renders a section with the title and an ol.howto-steps', () => {
    expect(html).toMatch(/^<section class="howto" aria-labelledby="(howto-\d+)">\n<h2 id="\1" class="howto-title">/);
    expect(html).toContain('class="howto-title">Bathe a newborn</h2>');
    expect(html).toContain('<ol class="howto-steps">');
    expect(html.match(/<li>/g)).toHaveLength(3);
    expect(html.trimEnd().endsWith('</section>')).toBe(true);
  });

  it('emits schema.org HowTo JSON-LD with numbered, named steps', () => {
    const data = jsonLd(html);
    expect(data).toHaveLength(1);
    expect(data[0]).toEqual({
      '@context': 'https://schema.org',
      '@type': 'HowTo',
      name: 'Bathe a newborn',
      description: 'Everything you need fits on one towel.',
      step: [
        {
          '@type': 'HowToStep',
          position: 1,
          name: 'Fill the tub',
          text: 'Fill the tub. Use water at about 37 °C.',
        },
        {
          '@type': 'HowToStep',
          position: 2,
          name: 'Test it',
          text: 'Test it: dip your elbow in before the baby goes in.',
        },
        { '@type': 'HowToStep', position: 3, text: 'Lower the baby in gently.' },
      ],
    });
  });

  it('cannot be broken out of by </script> in a step', () => {
    const attack = '::: howto Escape\n1. **Step** </script><script>alert(1)</script><!-- x\n:::';
    const out = md.render(attack);
    // Exactly one script element, of JSON-LD, and it ends where the generator ended it.
    expect(out.match(/<script/gi)).toHaveLength(1);
    expect(out.match(/<\/script/gi)).toHaveLength(1);
    expect(out).not.toContain('<!--');
    const data = jsonLd(out)[0] as { step: { text: string }[] };
    expect(data.step[0]?.text).toBe('Step </script><script>alert(1)</script><!-- x');
  });

  it('defaults the title to "How to"', () => {
    const out = md.render('::: howto\n1. One\n:::');
    expect(out).toContain('class="howto-title">How to</h2>');
    expect(jsonLd(out)[0]).toMatchObject({ '@type': 'HowTo', name: 'How to' });
  });
});

describe('looksLikeFileName', () => {
  it.each([
    'IMG_2041.jpg',
    'IMG_2041',
    'DSC01234',
    'dsc01234',
    'photo.png',
    'Sunset.JPEG',
    'PXL_20230101_123456',
    'Screenshot_20240102-101112',
    'my_photo_12',
    '  IMG_0001.HEIC  ',
  ])('is true for %j', (text) => {
    expect(looksLikeFileName(text)).toBe(true);
  });

  it.each([
    '',
    'A good dog',
    'Rex, happiest by the sea.',
    'Image 1 of the set: the harbour at dawn',
    'Photo 3: our cabin in the snow',
    'Notes on photo.png files',
    'A walk in 2024',
  ])('is false for %j', (text) => {
    expect(looksLikeFileName(text)).toBe(false);
  });
});

describe('markdownImages', () => {
  it('lists inline and reference images with their alt text, as CommonMark reads them', () => {
    const source = [
      'Text with ![a *small* duck](/media/duck.jpg "Title") inline.',
      '',
      '![][pond]',
      '',
      '`![not an image](/x.jpg)` and [a link](/y.jpg)',
      '',
      '[pond]: https://example.org/pond.png',
    ].join('\n');
    expect(markdownImages(source)).toEqual([
      { src: '/media/duck.jpg', alt: 'a small duck' },
      { src: 'https://example.org/pond.png', alt: '' },
    ]);
  });
});
