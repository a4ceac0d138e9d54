import { describe, expect, it } from 'vitest';
import { createMarkdownRenderer } from '../../src/content/markdown/index.js';
import { wordpressToMarkdown } from '../../src/domain/portability/wordpress/content.js';

const md = createMarkdownRenderer();
const convert = (html: string, options = {}) => wordpressToMarkdown(html, options);

describe('classic editor content', () => {
  it('applies the wpautop rule: blank lines are paragraphs, single newlines line breaks', () => {
    const { markdown } = convert('First line\nsecond line\n\nA new paragraph.');
    expect(markdown).toBe('First line\\\nsecond line\n\nA new paragraph.');
    expect(md.render(markdown)).toBe('<p>First line<br>\nsecond line</p>\n<p>A new paragraph.</p>\n');
  });

  it('converts headings, lists, links, bold, italic and blockquotes', () => {
    const html =
      '<h2>Our trip</h2>\nWe went <strong>far</strong> and <em>fast</em>, see <a href="https://example.org/map">the map</a>.\n\n' +
      '<ul>\n<li>tent</li>\n<li>stove</li>\n</ul>\n<ol start="3">\n<li>third</li>\n<li>fourth</li>\n</ol>\n' +
      '<blockquote>Not all who wander\nare lost.</blockquote>';
    expect(convert(html).markdown).toBe(
      '## Our trip\n\nWe went **far** and _fast_, see [the map](https://example.org/map).\n\n' +
        '- tent\n- stove\n\n3. third\n4. fourth\n\n> Not all who wander\\\n> are lost.',
    );
  });

  it('unwraps an image linked to its full-size file so Hearth makes it a figure, and converts simple tables', () => {
    const html =
      '<a href="https://old.blog/wp-content/uploads/cat.jpg"><img src="https://old.blog/wp-content/uploads/cat-300x200.jpg" alt="A cat" /></a>\n\n' +
      '<table><tr><th>Day</th><th>Miles</th></tr><tr><td>Mon</td><td><b>12</b></td></tr></table>';
    const { markdown } = convert(html);
    expect(markdown).toBe(
      '![A cat](https://old.blog/wp-content/uploads/cat-300x200.jpg)\n\n| Day | Miles |\n| --- | --- |\n| Mon | **12** |',
    );
    const rendered = md.render(markdown);
    expect(rendered).toContain(
      '<figure class="figure"><img src="https://old.blog/wp-content/uploads/cat-300x200.jpg" alt="A cat"',
    );
    expect(rendered).toContain('<td><strong>12</strong></td>');
  });

  it('decodes entities and keeps UTF-8 text exactly', () => {
    const { markdown } = convert('It&#8217;s &ldquo;fine&rdquo;&nbsp;now &amp; then: 中文 标签, Борщ, 😀');
    expect(markdown).toBe('It’s “fine” now & then: 中文 标签, Борщ, 😀');
  });

  it('keeps text that looks like markup as text', () => {
    const { markdown } = convert('Type &lt;b&gt; for bold, write &amp;amp; for &amp;.');
    expect(markdown).toBe('Type \\<b> for bold, write \\&amp; for &.');
    expect(md.render(markdown)).toBe('<p>Type &lt;b&gt; for bold, write &amp;amp; for &amp;.</p>\n');
  });
});

describe('Gutenberg blocks', () => {
  it('converts paragraph, heading, list, quote and separator blocks', () => {
    const html = [
      '<!-- wp:heading {"level":3} -->\n<h3 class="wp-block-heading">Part one</h3>\n<!-- /wp:heading -->',
      '<!-- wp:paragraph -->\n<p>A line<br>and another</p>\n<!-- /wp:paragraph -->',
      '<!-- wp:list -->\n<ul><!-- wp:list-item --><li>apples</li><!-- /wp:list-item --><!-- wp:list-item --><li>pears</li><!-- /wp:list-item --></ul>\n<!-- /wp:list -->',
      '<!-- wp:separator -->\n<hr class="wp-block-separator has-alpha-channel-opacity"/>\n<!-- /wp:separator -->',
      '<!-- wp:quote -->\n<blockquote class="wp-block-quote"><p>Less is more.</p><cite>Mies</cite></blockquote>\n<!-- /wp:quote -->',
    ].join('\n\n');
    const result = convert(html);
    expect(result.markdown).toBe(
      '### Part one\n\nA line\\\nand another\n\n- apples\n- pears\n\n---\n\n> Less is more.\n>\n> — Mies',
    );
    expect(result.unknownBlocks).toEqual([]);
  });

  it('turns an image block into a Hearth figure with its caption and alt text', () => {
    const html =
      '<!-- wp:image {"id":12,"sizeSlug":"large"} -->\n<figure class="wp-block-image size-large"><img src="https://old.blog/wp-content/uploads/2020/05/bath.jpg" alt="A baby in a bath" class="wp-image-12"/><figcaption class="wp-element-caption">Bath time, with the <em>yellow</em> duck.</figcaption></figure>\n<!-- /wp:image -->';
    const result = convert(html, {
      mediaUrl: (url: string) => (url.includes('/uploads/2020/05/bath.jpg') ? '/media/2020/05/bath.jpg' : undefined),
    });
    expect(result.markdown).toBe('![A baby in a bath](/media/2020/05/bath.jpg "Bath time, with the _yellow_ duck.")');
    expect(result.images).toEqual([
      { url: '/media/2020/05/bath.jpg', alt: 'A baby in a bath', caption: 'Bath time, with the _yellow_ duck.' },
    ]);
    expect(md.render(result.markdown)).toBe(
      '<figure class="figure"><img src="/media/2020/05/bath.jpg" alt="A baby in a bath" loading="lazy" decoding="async">' +
        '<figcaption>Bath time, with the <em>yellow</em> duck.</figcaption></figure>\n',
    );
  });

  it('turns a gallery block into one figure per image (Hearth has no gallery), then its caption', () => {
    const html =
      '<!-- wp:gallery {"linkTo":"none"} -->\n<figure class="wp-block-gallery has-nested-images columns-default">' +
      '<!-- wp:image {"id":1} -->\n<figure class="wp-block-image"><img src="https://old.blog/1.jpg" alt="Sea"/><figcaption class="wp-element-caption">Morning</figcaption></figure>\n<!-- /wp:image -->' +
      '<!-- wp:image {"id":2} -->\n<figure class="wp-block-image"><img src="https://old.blog/2.jpg" alt="Hills"/></figure>\n<!-- /wp:image -->' +
      '<figcaption class="blocks-gallery-caption wp-element-caption">Our week away</figcaption></figure>\n<!-- /wp:gallery -->';
    const { markdown, images } = convert(html);
    expect(markdown).toBe(
      '![Sea](https://old.blog/1.jpg "Morning")\n\n![Hills](https://old.blog/2.jpg)\n\nOur week away',
    );
    expect(images.map((i) => i.alt)).toEqual(['Sea', 'Hills']);
    const rendered = md.render(markdown);
    expect(rendered).toContain('<figure class="figure"><img src="https://old.blog/1.jpg" alt="Sea"');
    expect(rendered).toContain('<figcaption>Morning</figcaption></figure>');
    expect(rendered).toContain('<figure class="figure"><img src="https://old.blog/2.jpg" alt="Hills"');
  });

  it('also reads the older gallery markup (a list of figures)', () => {
    const html =
      '<!-- wp:gallery {"ids":[1,2]} -->\n<figure class="wp-block-gallery"><ul class="blocks-gallery-grid">' +
      '<li class="blocks-gallery-item"><figure><img src="https://old.blog/1.jpg" alt="One"/><figcaption class="blocks-gallery-item__caption">First</figcaption></figure></li>' +
      '<li class="blocks-gallery-item"><figure><img src="https://old.blog/2.jpg" alt="Two"/></figure></li></ul></figure>\n<!-- /wp:gallery -->';
    expect(convert(html).markdown).toBe('![One](https://old.blog/1.jpg "First")\n\n![Two](https://old.blog/2.jpg)');
  });

  it('turns an embed block into a link to what it embedded', () => {
    const html =
      '<!-- wp:embed {"url":"https://www.youtube.com/watch?v=dQw4w9WgXcQ","type":"video","providerNameSlug":"youtube"} -->\n' +
      '<figure class="wp-block-embed is-type-video"><div class="wp-block-embed__wrapper">\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n</div></figure>\n<!-- /wp:embed -->';
    const { markdown } = convert(html);
    expect(markdown).toBe('<https://www.youtube.com/watch?v=dQw4w9WgXcQ>');
    expect(md.render(markdown)).toContain('<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ" rel="noopener">');
  });

  it('shows a custom HTML block as code, never as live HTML', () => {
    const html =
      '<!-- wp:html -->\n<div class="box" onclick="steal()">Hi <script>alert(1)</script></div>\n<!-- /wp:html -->';
    const { markdown } = convert(html);
    expect(markdown).toBe('```html\n<div class="box" onclick="steal()">Hi <script>alert(1)</script></div>\n```');
    const rendered = md.render(markdown);
    expect(rendered).not.toContain('<script');
    expect(rendered).not.toContain('<div');
    expect(rendered).toContain('&lt;div class=&quot;box&quot; onclick=&quot;steal()&quot;&gt;');
  });

  it('converts the inner HTML of blocks it does not know, and names them', () => {
    const html =
      '<!-- wp:jetpack/callout {"tone":"warm"} -->\n<div class="callout"><p>Read <strong>this</strong> first.</p></div>\n<!-- /wp:jetpack/callout -->\n' +
      '<!-- wp:latest-posts /-->';
    const result = convert(html);
    expect(result.markdown).toBe('Read **this** first.');
    expect(result.unknownBlocks).toEqual(['jetpack/callout', 'latest-posts']);
  });
});

describe('shortcodes', () => {
  it('turns [caption] into a Hearth figure, dropping the link to the full-size file', () => {
    const html =
      '[caption id="attachment_5" align="aligncenter" width="300"]<a href="http://old.blog/wp-content/uploads/2019/01/dog.jpg">' +
      '<img class="size-medium wp-image-5" src="http://old.blog/wp-content/uploads/2019/01/dog-300x200.jpg" alt="A dog on a beach" width="300" height="200" /></a>' +
      ' Rex, &#8220;happiest&#8221; by the sea[/caption]';
    const result = convert(html);
    expect(result.markdown).toBe(
      '![A dog on a beach](http://old.blog/wp-content/uploads/2019/01/dog-300x200.jpg "Rex, “happiest” by the sea")',
    );
    expect(md.render(result.markdown)).toBe(
      '<figure class="figure"><img src="http://old.blog/wp-content/uploads/2019/01/dog-300x200.jpg" alt="A dog on a beach" loading="lazy" decoding="async">' +
        '<figcaption>Rex, “happiest” by the sea</figcaption></figure>\n',
    );
  });

  it('keeps a caption with quotes and Markdown characters exact through the figure title', () => {
    const { markdown } = convert('[caption]<img src="/a.jpg" alt="[x]"> Say "cheese" *now*[/caption]');
    expect(md.render(markdown)).toContain('alt="[x]"');
    expect(md.render(markdown)).toContain('<figcaption>Say “cheese” *now*</figcaption>');
  });

  it('lists [gallery] ids and keeps it as text until the attachments are known', () => {
    const unresolved = convert('Before\n\n[gallery ids="7,8" columns="2"]\n\nAfter');
    expect(unresolved.galleryIds).toEqual([7, 8]);
    expect(unresolved.unknownShortcodes).toEqual([]);
    expect(unresolved.markdown).toBe('Before\n\n\\[gallery ids="7,8" columns="2"\\]\n\nAfter');

    const attachments = new Map([
      [7, { url: '/media/7.jpg', alt: 'Seven', caption: 'The seventh' }],
      [8, { url: '/media/8.jpg', alt: 'Eight', caption: '' }],
    ]);
    const resolved = convert('[gallery ids="7,8"]', { attachment: (id: number) => attachments.get(id) });
    expect(resolved.markdown).toBe('![Seven](/media/7.jpg "The seventh")\n\n![Eight](/media/8.jpg)');
    expect(resolved.galleryIds).toEqual([7, 8]);
  });

  it('turns [embed], [video] and a bare URL on its own line into links', () => {
    const html =
      'Watch:\n\n[embed]https://vimeo.com/123[/embed]\n\nhttps://www.youtube.com/watch?v=a_b_c\n\n[video width="640" mp4="https://old.blog/clip.mp4"][/video]';
    expect(convert(html).markdown).toBe(
      'Watch:\n\n<https://vimeo.com/123>\n\n<https://www.youtube.com/watch?v=a_b_c>\n\n<https://old.blog/clip.mp4>',
    );
  });

  it('keeps unknown shortcodes visible and lists them once; plain [words] are text', () => {
    const result = convert(
      'Write to us: [contact-form-7 id="3" title="Contact"] or [footnote]see[/footnote] [sic] [[gallery]]',
    );
    expect(result.unknownShortcodes).toEqual(['contact-form-7', 'footnote']);
    expect(result.markdown).toBe(
      'Write to us: \\[contact-form-7 id="3" title="Contact"\\] or \\[footnote\\]see\\[/footnote\\] \\[sic\\] \\[gallery\\]',
    );
    expect(md.render(result.markdown)).toContain('[contact-form-7 id=“3” title=“Contact”]');
  });
});

describe('more and nextpage', () => {
  it('splits the excerpt at <!--more-->', () => {
    const result = convert('Intro with <em>style</em>.\n\n<!--more-->\n\nThe rest.');
    expect(result.excerptBreak).toBe(true);
    expect(result.excerptMarkdown).toBe('Intro with _style_.');
    expect(result.markdown).toBe('Intro with _style_.\n\nThe rest.');
  });

  it('joins <!--nextpage--> pages with a horizontal rule and counts them', () => {
    const result = convert(
      '<!-- wp:paragraph -->\n<p>One</p>\n<!-- /wp:paragraph -->\n<!-- wp:nextpage -->\n<!--nextpage-->\n<!-- /wp:nextpage -->\n<!-- wp:paragraph -->\n<p>Two</p>\n<!-- /wp:paragraph -->',
    );
    expect(result.pages).toBe(2);
    expect(result.excerptBreak).toBe(false);
    expect(result.markdown).toBe('One\n\n---\n\nTwo');
  });
});

describe('unsafe markup', () => {
  it('drops scripts and styles with their text, and event handlers', () => {
    const { markdown } = convert(
      'Hi<script>alert("x")</script><style>body{display:none}</style> there <img src="/p.jpg" alt="P" onerror="alert(1)">',
    );
    expect(markdown).toBe('Hi there ![P](/p.jpg)');
    expect(markdown).not.toMatch(/alert|display|onerror/);
  });

  it('turns an iframe into a link to its http(s) source, and drops other sources', () => {
    const { markdown } = convert(
      '<iframe src="https://www.google.com/maps/embed?pb=1" width="600"></iframe>\n\n<iframe src="javascript:alert(1)"></iframe>',
    );
    expect(markdown).toBe('<https://www.google.com/maps/embed?pb=1>');
  });

  it('drops javascript: and data: URLs from links and images, keeping the text', () => {
    const { markdown, images } = convert(
      '<a href="javascript:alert(1)">click</a> <a href=" JaVaScRiPt:alert(1)">again</a> <img src="data:image/png;base64,AAAA" alt="dot">',
    );
    expect(markdown).toBe('click again dot');
    expect(images).toEqual([]);
    expect(md.render(markdown)).toBe('<p>click again dot</p>\n');
  });

  it('keeps figures that hold no image: tables, pull quotes, video', () => {
    const md = (html: string) => wordpressToMarkdown(html).markdown;
    expect(
      md(
        '<!-- wp:table --><figure class="wp-block-table"><table><thead><tr><th>Item</th><th>Cost</th></tr></thead><tbody><tr><td>Nappies</td><td>£40</td></tr></tbody></table><figcaption>A year of cloth</figcaption></figure><!-- /wp:table -->',
      ),
    ).toBe('| Item | Cost |\n| --- | --- |\n| Nappies | £40 |\n\nA year of cloth');
    expect(
      md(
        '<!-- wp:pullquote --><figure class="wp-block-pullquote"><blockquote><p>Slow down.</p><cite>Gran</cite></blockquote></figure><!-- /wp:pullquote -->',
      ),
    ).toBe('> Slow down.\n>\n> — Gran');
    expect(
      md(
        '<!-- wp:video --><figure class="wp-block-video"><video controls src="https://v.example/walk.mp4"></video></figure><!-- /wp:video -->',
      ),
    ).toBe('<https://v.example/walk.mp4>');
  });

  it("drops a heading's link to itself, keeping its words", () => {
    expect(wordpressToMarkdown('<h2 id="pros"><a href="#pros">Pros</a></h2>').markdown).toBe('## Pros');
    expect(wordpressToMarkdown('<h3 id="x"><a class="anchor" href="#x">#</a>Cons</h3>').markdown).toBe('### Cons');
    expect(wordpressToMarkdown('<p><a href="#notes">see the notes</a></p>').markdown).toBe('[see the notes](#notes)');
  });

  it('shows the photos of a gallery it has, when one of them is missing', () => {
    const attachment = (id: number) =>
      id === 2 ? undefined : { url: `/media/p${id}.jpg`, alt: `Photo ${id}`, caption: '' };
    const out = wordpressToMarkdown('[gallery ids="1,2,3"]', { attachment });
    expect(out.markdown).toBe('![Photo 1](/media/p1.jpg)\n\n![Photo 3](/media/p3.jpg)');
    expect(out.unknownShortcodes).toEqual([]);
  });
});
