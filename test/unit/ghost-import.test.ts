import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type GhostImportOptions,
  ghostImporter,
  ghostToMarkdown,
  readGhostExport,
} from '../../src/domain/portability/index.js';
import type { ImportContext, ImportEntry, ImportMedia, ImportPost } from '../../src/domain/portability/model.js';
import { HearthError } from '../../src/errors.js';

const fixture = (name: string) => fs.readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

/**
 * Takes the entries in as the writer does: a photo's URLs lead to its new address from the moment
 * its entry has been handed over (and not before).
 */
async function importAll(
  json: unknown,
  options: GhostImportOptions = {},
  known: 'urls' | 'ids' = 'urls',
): Promise<ImportEntry[]> {
  const byUrl = new Map<string, string>();
  const byId = new Map<string, ImportMedia>();
  const context: ImportContext = {
    mediaUrl: (url) => (known === 'urls' ? byUrl.get(url) : undefined),
    media: (id) => {
      const m = byId.get(id);
      return m ? { url: `/media/${m.file}`, alt: m.alt, caption: m.caption } : undefined;
    },
  };
  const entries: ImportEntry[] = [];
  // As the writer does: photos handed out are stored (and known to the context) only once an
  // entry that is not a photo comes, so an importer must settle before it asks about them.
  let pending: ImportMedia[] = [];
  for await (const entry of ghostImporter(readGhostExport(json), options)(context)) {
    entries.push(entry);
    if (entry.kind === 'media') pending.push(entry.media);
    else {
      for (const media of pending) {
        byId.set(media.id, media);
        for (const url of media.urls) byUrl.set(url, `/media/${media.file}`);
      }
      pending = [];
    }
  }
  return entries;
}

const withoutProgress = (entries: ImportEntry[]) => entries.filter((e) => e.kind !== 'progress' && e.kind !== 'settle');
const posts = (entries: ImportEntry[]): ImportPost[] => entries.flatMap((e) => (e.kind === 'post' ? [e.post] : []));

/** A post entry: Ghost's defaults for what a test does not name. */
function post(fields: Partial<ImportPost> & Pick<ImportPost, 'id' | 'slug' | 'title' | 'body'>): ImportEntry {
  return {
    kind: 'post',
    post: {
      type: 'post',
      excerpt: '',
      status: 'published',
      publishedAt: null,
      createdAt: '',
      updatedAt: '',
      authorId: null,
      categoryIds: [],
      tagIds: [],
      featureImageId: null,
      featured: false,
      parentId: null,
      menuOrder: 0,
      commentsEnabled: true,
      seoTitle: null,
      seoDescription: null,
      oldUrls: [],
      comments: [],
      heldBack: null,
      unknownShortcodes: [],
      ...fields,
    },
  };
}

function media(file: string, fields: Partial<ImportMedia> = {}, base = ''): ImportEntry {
  const url = `${base}/content/images/${file}`;
  return {
    kind: 'media',
    media: { id: file, file, url, urls: [url], alt: '', caption: '', credit: '', title: '', oldUrls: [], ...fields },
  };
}

const progress = (done: number, total: number): ImportEntry => ({ kind: 'progress', done, total });

describe('a Ghost 1.x export (top-level meta and data, markdown cards)', async () => {
  const exported = readGhostExport(fixture('ghost-1.x-mobiledoc.json'));
  const entries = await importAll(fixture('ghost-1.x-mobiledoc.json'));

  it('reads the version, the date and the settings', () => {
    expect(exported.version).toBe('1.25.5');
    expect(exported.major).toBe(1);
    expect(exported.exportedOn).toBe('2018-03-04T12:00:00.000Z');
    expect(exported.site).toEqual({
      title: 'Plot 14',
      description: 'An allotment diary',
      url: null,
      permalinks: '/:year/:month/:day/:slug/',
    });
  });

  it('hands out every entry, in order', () => {
    expect(entries).toEqual([
      { kind: 'site', site: { platform: 'ghost', key: 'Plot 14', url: null, title: 'Plot 14' } },
      {
        kind: 'author',
        author: {
          id: '5a9b0c1d2e3f405162738411',
          slug: 'morag',
          name: 'Morag Finlay',
          email: 'morag@plot14.example',
          bio: 'Grows leeks. Writes about it.',
          website: 'https://morag.example',
          oldUrls: ['/author/morag/'],
        },
      },
      {
        kind: 'author',
        author: {
          id: '5a9b0c1d2e3f405162738412',
          slug: 'iain',
          name: 'Iain',
          email: 'iain@plot14.example',
          bio: '',
          website: null,
          oldUrls: ['/author/iain/'],
        },
      },
      {
        kind: 'tag',
        tag: { id: '5a9b0c1d2e3f405162738421', slug: 'vegetables', name: 'Vegetables', oldUrls: ['/tag/vegetables/'] },
      },
      {
        kind: 'tag',
        tag: { id: '5a9b0c1d2e3f405162738422', slug: 'weather', name: 'Weather', oldUrls: ['/tag/weather/'] },
      },
      media('2018/03/frost-header.jpg'),
      media('2018/03/leeks.jpg', { alt: 'Leeks under frost' }),
      { kind: 'settle' },
      post({
        id: '5a9b0c1d2e3f405162738401',
        slug: 'frost-on-the-allotment',
        title: 'Frost on the Allotment',
        // Ghost rendered Markdown cards with a newline as a line break; the HTML block is converted.
        body: [
          'The first frost came early this year.\\',
          'The leeks did not mind.',
          '',
          '![Leeks under frost](/media/2018/03/leeks.jpg)',
          '',
          'Sown in _April_.',
          '',
          '## What survived',
          '',
          '- leeks',
          '- kale & chard',
        ].join('\n'),
        excerpt: 'Leeks, kale and a cold March.',
        publishedAt: '2018-03-04T10:30:00.000Z',
        createdAt: '2018-03-02T09:15:00.000Z',
        updatedAt: '2018-03-04T11:00:00.000Z',
        authorId: '5a9b0c1d2e3f405162738411',
        tagIds: ['5a9b0c1d2e3f405162738422', '5a9b0c1d2e3f405162738421'],
        featureImageId: '2018/03/frost-header.jpg',
        featured: true,
        seoTitle: 'Frost, leeks and kale',
        seoDescription: 'What a cold March did to the plot.',
        // The 1.x permalinks setting (dated permalinks on).
        oldUrls: ['/2018/03/04/frost-on-the-allotment/'],
      }),
      progress(1, 3),
      post({
        id: '5a9b0c1d2e3f405162738402',
        type: 'page',
        slug: 'about',
        title: 'About the Plot',
        body: 'Plot 14, since 2011.',
        publishedAt: '2018-01-10T08:00:00.000Z',
        createdAt: '2018-01-10T08:00:00.000Z',
        updatedAt: '2018-01-10T08:00:00.000Z',
        authorId: '5a9b0c1d2e3f405162738411',
        commentsEnabled: false,
        oldUrls: ['/about/'],
      }),
      progress(2, 3),
      post({
        id: '5a9b0c1d2e3f405162738403',
        slug: 'seed-order',
        title: 'Seed order (unfinished)',
        body: '- broad beans\n- parsnips',
        status: 'draft',
        createdAt: '2018-03-05T20:00:00.000Z',
        updatedAt: '2018-03-06T07:45:00.000Z',
        authorId: '5a9b0c1d2e3f405162738412',
      }),
      progress(3, 3),
    ]);
  });
});

describe('a Ghost 4.x export (mobiledoc sections and cards, posts_authors, posts_meta)', async () => {
  const entries = withoutProgress(await importAll(fixture('ghost-4.x-mobiledoc.json')));

  it('hands out every entry, in order', () => {
    expect(entries).toEqual([
      { kind: 'site', site: { platform: 'ghost', key: 'The Pier', url: null, title: 'The Pier' } },
      {
        kind: 'author',
        author: {
          id: '60bd0a1b2c3d4e5f60718601',
          slug: 'sam',
          name: 'Sam Okafor',
          email: 'sam@pier.example',
          bio: '',
          website: null,
          oldUrls: ['/author/sam/'],
        },
      },
      {
        kind: 'author',
        author: {
          id: '60bd0a1b2c3d4e5f60718602',
          slug: 'ruth',
          name: 'Ruth Ng',
          email: 'ruth@pier.example',
          bio: 'Tide tables and photographs.',
          website: 'https://ruth.example',
          oldUrls: ['/author/ruth/'],
        },
      },
      { kind: 'tag', tag: { id: '60bd0a1b2c3d4e5f60718401', slug: 'coast', name: 'Coast', oldUrls: ['/tag/coast/'] } },
      { kind: 'tag', tag: { id: '60bd0a1b2c3d4e5f60718402', slug: 'walks', name: 'Walks', oldUrls: ['/tag/walks/'] } },
      // The feature image and the body's sized copy (size/w1000/) are one photo.
      media('2021/06/pier.jpg', {
        urls: ['/content/images/2021/06/pier.jpg', '/content/images/size/w1000/2021/06/pier.jpg'],
        alt: 'The pier from the beach',
        caption: 'Photo: [Sam](https://sam.example)',
      }),
      media('2021/06/gull.jpg', { alt: 'A gull' }),
      media('2021/06/crab.jpg', { caption: 'A crab' }),
      post({
        id: '60bd0a1b2c3d4e5f60718201',
        slug: 'a-walk-to-the-pier',
        title: 'A Walk to the Pier',
        body: [
          'We walked to **the end** of the pier, as in [the frost post](/frost-on-the-allotment/).',
          '',
          '## Low tide',
          '',
          '![The pier at low tide](/media/2021/06/pier.jpg "Low tide, _6 June_")',
          '',
          '_Line one_\\',
          '`line_two`',
          '',
          '- rock pools',
          '- **crabs**',
          '',
          '1. walk out',
          '2. walk back',
          '',
          '> Time and tide wait for no one.',
          '',
          '![A gull](/media/2021/06/gull.jpg)',
          '',
          '![](/media/2021/06/crab.jpg "A crab")',
          '',
          'Found on the beach',
          '',
          '| High | Low |',
          '| --- | --- |',
          '| 06:12 | 12:30 |',
          '',
          '[Pier tide times](https://tides.example/pier)',
          '',
          '<https://video.example/watch?v=waves>',
          '',
          'Waves at dusk',
          '',
          '```python',
          'tide = high - 6.2 * hours',
          '```',
          '',
          '---',
          '',
          'Bring a **flask**.\\',
          'And boots.',
        ].join('\n'),
        publishedAt: '2021-06-06T18:30:00.000Z',
        createdAt: '2021-06-06T17:00:00.000Z',
        updatedAt: '2021-06-07T08:00:00.000Z',
        // The first of posts_authors by sort_order, not by file order.
        authorId: '60bd0a1b2c3d4e5f60718602',
        tagIds: ['60bd0a1b2c3d4e5f60718402', '60bd0a1b2c3d4e5f60718401'],
        featureImageId: '2021/06/pier.jpg',
        seoTitle: 'Walking the pier at low tide',
        seoDescription: 'Rock pools, a gull and a crab.',
        oldUrls: ['/a-walk-to-the-pier/'],
      }),
      post({
        id: '60bd0a1b2c3d4e5f60718202',
        type: 'page',
        slug: 'contact',
        title: 'Contact',
        body: 'Write to [hello@pier.example](mailto:hello@pier.example).',
        publishedAt: '2021-01-01T00:00:00.000Z',
        createdAt: '2021-01-01T00:00:00.000Z',
        updatedAt: '2021-01-01T00:00:00.000Z',
        authorId: '60bd0a1b2c3d4e5f60718601',
        commentsEnabled: false,
        oldUrls: ['/contact/'],
      }),
    ]);
  });

  it('puts the site address where Ghost wrote __GHOST_URL__ when it is given', async () => {
    const [first] = posts(await importAll(fixture('ghost-4.x-mobiledoc.json'), { siteUrl: 'https://pier.example/' }));
    expect(first?.body).toContain('[the frost post](https://pier.example/frost-on-the-allotment/)');
    expect(first?.body).toContain('![The pier at low tide](/media/2021/06/pier.jpg "Low tide, _6 June_")');
  });

  it('finds a photo by its id when the writer does not know the URL', async () => {
    const [first] = posts(await importAll(fixture('ghost-4.x-mobiledoc.json'), {}, 'ids'));
    expect(first?.body).toContain('![A gull](/media/2021/06/gull.jpg)');
  });
});

describe('a Ghost 5.x export (lexical)', async () => {
  const entries = withoutProgress(
    await importAll(fixture('ghost-5.x-lexical.json'), { siteUrl: 'https://crumb.example' }),
  );
  const base = 'https://crumb.example';

  it('hands out every entry, in order', () => {
    expect(entries).toEqual([
      {
        kind: 'site',
        site: { platform: 'ghost', key: 'https://crumb.example', url: 'https://crumb.example', title: 'Crumb Notes' },
      },
      {
        kind: 'author',
        author: {
          id: '63e4a1b2c3d4e5f601728501',
          slug: 'dana',
          name: 'Dana Kowalczyk',
          email: 'dana@crumb.example',
          bio: 'Baker on weekends.',
          website: null,
          oldUrls: ['/author/dana/'],
        },
      },
      { kind: 'tag', tag: { id: '63e4a1b2c3d4e5f601728401', slug: 'bread', name: 'Bread', oldUrls: ['/tag/bread/'] } },
      // Ghost writes italics as <i><em>: one emphasis, not bold.
      media('2023/02/loaf.jpg', { alt: 'A round loaf', caption: 'The _third_ try' }, base),
      // The bookmark's icon and thumbnail are not shown (a bookmark becomes a link): not imported.
      media('2023/02/crumb.jpg', { alt: 'The crumb' }, base),
      media('2023/02/spelt.jpg', { alt: 'Spelt ears', caption: 'Spelt, **before** milling' }, base),
      {
        kind: 'skip',
        skip: {
          what: 'feature image',
          name: 'Rye, Third Attempt',
          reason:
            "it is not one of the site's own photos (https://images.example/photo-999.jpg): only content/images is imported",
        },
      },
      post({
        id: '63e4a1b2c3d4e5f601728301',
        slug: 'rye-third-attempt',
        title: 'Rye, Third Attempt',
        body: [
          'The bread **rose** at last, _slowly_ and **_unevenly_**. See [the starter](https://crumb.example/starter/) and `flour_mix`.',
          '',
          '## Method',
          '',
          '1. Mix',
          '2. Wait',
          '   - overnight',
          '   - in the cold',
          '',
          '- flour',
          '- water\\',
          '  (warm)',
          '',
          '> Patience is an ingredient.',
          '',
          '> So is salt.',
          '',
          '![A round loaf](/media/2023/02/loaf.jpg "The _third_ try")',
          '',
          '::: note',
          '💡 Keep the starter warm.',
          ':::',
          '',
          '**Why rye?**',
          '',
          'It ferments faster.',
          '',
          'A _markdown_ card with raw HTML.',
          '',
          'Hydration: **75%**',
          '',
          '<https://maps.example/bakery>',
          '',
          '<https://video.example/watch?v=knead>',
          '',
          '[Rye flour, explained](https://flour.example/rye)',
          '',
          '![The crumb](/media/2023/02/crumb.jpg)',
          '',
          '![Someone else’s loaf](https://images.example/photo-123.jpg)',
          '',
          '```yaml',
          'flour: 500g',
          'water: 375g',
          '```',
          '',
          '---',
          '',
          'Crust: ~~crisp~~.',
        ].join('\n'),
        excerpt: 'Third time lucky.',
        publishedAt: '2023-02-10T12:00:00.000Z',
        createdAt: '2023-02-10T09:00:00.000Z',
        updatedAt: '2023-02-11T10:00:00.000Z',
        authorId: '63e4a1b2c3d4e5f601728501',
        tagIds: ['63e4a1b2c3d4e5f601728401'],
        featured: true,
        seoDescription: 'A sourdough diary.',
        oldUrls: ['/rye-third-attempt/'],
      }),
      post({
        id: '63e4a1b2c3d4e5f601728302',
        slug: 'bake-sale',
        title: 'Bake Sale on Saturday',
        body: 'Only for subscribers: the bake sale list.',
        status: 'draft',
        publishedAt: '2023-02-12T09:05:00.000Z',
        createdAt: '2023-02-12T09:00:00.000Z',
        updatedAt: '2023-02-12T09:05:00.000Z',
        authorId: '63e4a1b2c3d4e5f601728501',
        heldBack: 'sent by email only on Ghost, never shown on the site',
      }),
      post({
        id: '63e4a1b2c3d4e5f601728303',
        slug: 'spelt',
        title: 'Spelt Next Week',
        body: 'Coming soon.',
        status: 'scheduled',
        publishedAt: '2023-02-20T07:00:00.000Z',
        createdAt: '2023-02-13T09:00:00.000Z',
        updatedAt: '2023-02-13T09:00:00.000Z',
        authorId: '63e4a1b2c3d4e5f601728501',
        featureImageId: '2023/02/spelt.jpg',
      }),
    ]);
  });
});

describe('a Ghost 6.x export (members-only and paid posts, an #internal tag)', async () => {
  const all = await importAll(fixture('ghost-6.x-lexical.json'));
  const entries = withoutProgress(all);
  const member = (n: string, title: string, slug: string, heldBack: string) =>
    post({
      id: `68dd00aa11bb22cc33dd44${n}`,
      slug,
      title,
      // The paywall only marked where members' reading began: the whole text is kept.
      body: `${title}: the part everyone sees.\n\nThe part for members.`,
      status: 'draft',
      publishedAt: '2025-10-01T09:00:00.000Z',
      createdAt: '2025-10-01T08:00:00.000Z',
      updatedAt: '2025-10-01T08:00:00.000Z',
      authorId: '68dd00aa11bb22cc33dd4601',
      oldUrls: [`/${slug}/`],
      heldBack,
    });

  it('hands out every entry, in order', () => {
    expect(entries).toEqual([
      {
        kind: 'site',
        // A `url` setting names the site.
        site: {
          platform: 'ghost',
          key: 'https://workshop.example',
          url: 'https://workshop.example',
          title: 'The Workshop',
        },
      },
      {
        kind: 'author',
        author: {
          id: '68dd00aa11bb22cc33dd4601',
          slug: 'tomas',
          name: 'Tomás Reyes',
          email: 'tomas@workshop.example',
          bio: '',
          website: null,
          oldUrls: ['/author/tomas/'],
        },
      },
      { kind: 'tag', tag: { id: '68dd00aa11bb22cc33dd4501', slug: 'news', name: 'News', oldUrls: ['/tag/news/'] } },
      {
        kind: 'skip',
        skip: {
          what: 'tag',
          name: '#wide-header',
          reason: 'an #internal tag: Ghost uses it for themes and filters and never shows it to readers',
        },
      },
      media('2025/09/doors.webp', {}, 'https://workshop.example'),
      post({
        id: '68dd00aa11bb22cc33dd4401',
        slug: 'opening-the-workshop',
        title: 'Opening the Workshop',
        // The signup form has no place in Hearth; the email call to action was never on the web.
        body: 'The doors open on Monday. [Find us](https://workshop.example/map).',
        publishedAt: '2025-09-29T07:00:00.000Z',
        createdAt: '2025-09-28T10:00:00.000Z',
        updatedAt: '2025-09-29T10:00:00.000Z',
        authorId: '68dd00aa11bb22cc33dd4601',
        tagIds: ['68dd00aa11bb22cc33dd4501'],
        featureImageId: '2025/09/doors.webp',
        oldUrls: ['/opening-the-workshop/'],
        unknownShortcodes: ['signup'],
      }),
      member(
        '02',
        'Members Evening',
        'members-evening',
        'for members only on Ghost (visibility "members"); imported as a draft',
      ),
      member(
        '03',
        'Joinery Masterclass',
        'joinery-masterclass',
        'for paying members only on Ghost (visibility "paid"); imported as a draft',
      ),
      member(
        '04',
        'Patrons Tour',
        'patrons-tour',
        'for members of some tiers only on Ghost (visibility "tiers"); imported as a draft',
      ),
      post({
        id: '68dd00aa11bb22cc33dd4405',
        type: 'page',
        slug: 'hours',
        title: 'Opening Hours',
        body: 'Monday to Friday, 9 to 5.',
        publishedAt: '2025-09-01T10:00:00.000Z',
        createdAt: '2025-09-01T10:00:00.000Z',
        updatedAt: '2025-09-01T10:00:00.000Z',
        authorId: '68dd00aa11bb22cc33dd4601',
        commentsEnabled: false,
        oldUrls: ['/hours/'],
      }),
    ]);
  });

  it('counts its progress through the posts', () => {
    expect(all.filter((e) => e.kind === 'progress')).toEqual([1, 2, 3, 4, 5].map((n) => progress(n, 5)));
  });

  it('holds back a post for a members filter too', async () => {
    const json = JSON.parse(fixture('ghost-6.x-lexical.json').toString('utf8'));
    json.db[0].data.posts[0].visibility = 'filter';
    const [first] = posts(await importAll(json));
    expect(first?.status).toBe('draft');
    expect(first?.heldBack).toBe('for a members filter only on Ghost (visibility "filter"); imported as a draft');
  });
});

// ---------------------------------------------------------------------------------------------
// Bad input

function readError(json: unknown): HearthError {
  let caught: unknown;
  try {
    readGhostExport(json);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(HearthError);
  expect((caught as HearthError).status).toBe(400);
  return caught as HearthError;
}

/** A small 5.x export around the posts given. */
function exportOf(postRows: Record<string, unknown>[], version = '5.80.0'): Record<string, unknown> {
  return {
    db: [
      {
        meta: { exported_on: 1700000000000, version },
        data: {
          posts: postRows.map((row, i) => ({
            id: `p${i + 1}`,
            title: `Post ${i + 1}`,
            slug: `post-${i + 1}`,
            lexical: null,
            mobiledoc: null,
            html: `<p>Body ${i + 1}</p>`,
            type: 'post',
            status: 'published',
            visibility: 'public',
            created_at: '2023-11-14T10:00:00.000Z',
            updated_at: '2023-11-14T10:00:00.000Z',
            published_at: '2023-11-14T10:00:00.000Z',
            ...row,
          })),
          users: [],
          tags: [],
          settings: [{ key: 'title', value: 'Small' }],
        },
      },
    ],
  };
}

describe('readGhostExport refuses what is not a Ghost export, naming what is wrong', () => {
  it('text that is not JSON', () => {
    const error = readError('{"db": [');
    expect(error.code).toBe('HEARTH_ERR_IMPORT_GHOST');
    expect(error.message).toMatch(/^The Ghost export cannot be read: it is not JSON \(/);
  });

  it('bytes that are not UTF-8', () => {
    expect(readError(Buffer.from([0x7b, 0xff, 0x7d])).message).toBe(
      'The Ghost export cannot be read: it is not UTF-8 text',
    );
  });

  it('JSON of another shape', () => {
    expect(readError([]).message).toBe(
      'The Ghost export cannot be read: it is not a Ghost export (expected a JSON object with "db", or "meta" and "data")',
    );
    expect(readError('{"posts": []}').message).toBe(
      'The Ghost export cannot be read: it is not a Ghost export (it has no "db", nor "meta" and "data")',
    );
    expect(readError({ db: [] }).message).toBe(
      'The Ghost export cannot be read: "db" is not a list holding the export',
    );
    expect(readError({ db: [{ data: {} }] }).message).toBe(
      'The Ghost export cannot be read: it is not a Ghost export (db[0] has no "meta" and "data")',
    );
  });

  it('a field of the wrong kind, by its path', () => {
    const noPosts = exportOf([]);
    delete ((noPosts.db as { data: Record<string, unknown> }[])[0] as { data: Record<string, unknown> }).data.posts;
    expect(readError(noPosts).message).toMatch(/^The Ghost export cannot be read: db\[0\]\.data\.posts: /);
    expect(readError(exportOf([{}, { slug: 42 }])).message).toMatch(
      /^The Ghost export cannot be read: db\[0\]\.data\.posts\[1\]\.slug: /,
    );
    expect(readError({ meta: {}, data: { posts: [] } }).message).toMatch(
      /^The Ghost export cannot be read: meta\.version: /,
    );
  });

  it('a version before 1.x or after 6.x', () => {
    const newer = readError(exportOf([], '7.0.0'));
    expect(newer.code).toBe('HEARTH_ERR_IMPORT_GHOST_VERSION');
    expect(newer.message).toBe(
      'The export is from Ghost 7.0.0, which Hearth cannot import: it reads exports of Ghost 1.x to 6.x. Update Hearth, or export from a site on Ghost 6 or earlier.',
    );
    const database = readError(exportOf([], '003'));
    expect(database.code).toBe('HEARTH_ERR_IMPORT_GHOST_VERSION');
    expect(database.message).toBe(
      'The export is from Ghost 0.x (database version 003), which Hearth cannot import: it reads exports of Ghost 1.x to 6.x. Upgrade that site to Ghost 1 or later, then export its content again.',
    );
    expect(readError(exportOf([], '0.11.14')).message).toMatch(/^The export is from Ghost 0\.11\.14, /);
  });
});

describe('the importer reports what it cannot take in', () => {
  it('gives a post without a title a title, and says so', async () => {
    const entries = withoutProgress(await importAll(exportOf([{ title: '  ', slug: 'no-title' }])));
    expect(entries.slice(1)).toEqual([
      {
        kind: 'skip',
        skip: { what: 'post title', name: 'no-title', reason: 'it has no title; it is imported as "(Untitled)"' },
      },
      post({
        id: 'p1',
        slug: 'no-title',
        title: '(Untitled)',
        body: 'Body 1',
        publishedAt: '2023-11-14T10:00:00.000Z',
        createdAt: '2023-11-14T10:00:00.000Z',
        updatedAt: '2023-11-14T10:00:00.000Z',
        oldUrls: ['/no-title/'],
      }),
    ]);
  });

  it('skips a post whose date does not parse, naming it, and imports the others', async () => {
    const entries = withoutProgress(
      await importAll(
        exportOf([
          { published_at: 'last Tuesday' },
          { created_at: '2023-02-31 10:00:00' },
          { published_at: 1699956000000, created_at: '2023-11-14 09:00:00', updated_at: '2023-11-14T11:00:00+01:00' },
        ]),
      ),
    );
    expect(entries.slice(1)).toEqual([
      {
        kind: 'skip',
        skip: { what: 'post', name: 'Post 1', reason: 'its published_at "last Tuesday" is not a date' },
      },
      {
        kind: 'skip',
        skip: { what: 'post', name: 'Post 2', reason: 'its created_at "2023-02-31 10:00:00" is not a date' },
      },
      post({
        id: 'p3',
        slug: 'post-3',
        title: 'Post 3',
        body: 'Body 3',
        publishedAt: '2023-11-14T10:00:00.000Z',
        createdAt: '2023-11-14T09:00:00.000Z',
        updatedAt: '2023-11-14T10:00:00.000Z',
        oldUrls: ['/post-3/'],
      }),
    ]);
  });

  it('needs the old address to know absolute URLs of its own photos', async () => {
    const rows = [
      {
        feature_image: 'http://old.example/content/images/2019/05/own.jpg',
        html: '<p><img src="https://old.example/content/images/size/w300/2019/05/in%20body.png" alt="B"></p>',
      },
    ];
    const without = withoutProgress(await importAll(exportOf(rows, '2.38.0')));
    expect(without.filter((e) => e.kind === 'media')).toEqual([]);
    expect(without[1]).toEqual({
      kind: 'skip',
      skip: {
        what: 'feature image',
        name: 'Post 1',
        reason:
          "it is at http://old.example/content/images/2019/05/own.jpg: give the old site's address to import its own photos",
      },
    });
    expect(posts(without)[0]?.body).toBe('![B](https://old.example/content/images/size/w300/2019/05/in%20body.png)');

    // Given it, both schemes are the site's own (it moved to https), and a sized copy names its original.
    const given = withoutProgress(await importAll(exportOf(rows, '2.38.0'), { siteUrl: 'https://old.example' }));
    expect(given.filter((e) => e.kind === 'media')).toEqual([
      media(
        '2019/05/own.jpg',
        {
          urls: [
            'https://old.example/content/images/2019/05/own.jpg',
            'http://old.example/content/images/2019/05/own.jpg',
          ],
        },
        'https://old.example',
      ),
      media(
        '2019/05/in body.png',
        {
          url: 'https://old.example/content/images/2019/05/in%20body.png',
          urls: [
            'https://old.example/content/images/2019/05/in%20body.png',
            'https://old.example/content/images/size/w300/2019/05/in%20body.png',
          ],
          alt: 'B',
        },
        'https://old.example',
      ),
    ]);
    expect(posts(given)[0]).toMatchObject({
      featureImageId: '2019/05/own.jpg',
      body: '![B](/media/2019/05/in%20body.png)',
    });
  });

  it('keeps the old URL of a photo linked from a caption in the photo’s own caption', async () => {
    const html =
      '<figure><img src="/content/images/a.jpg" alt="A"><figcaption><a href="/content/images/a-big.jpg">big</a></figcaption></figure>';
    const entries = withoutProgress(await importAll(exportOf([{ html }])));
    expect(entries.filter((e) => e.kind === 'media')).toEqual([
      media('a-big.jpg'),
      media('a.jpg', { alt: 'A', caption: '[big](/content/images/a-big.jpg)' }),
    ]);
    expect(posts(entries)[0]?.body).toBe('![A](/media/a.jpg "[big](/media/a-big.jpg)")');
  });

  it('leaves duplicate slugs for the writer to make free', async () => {
    const entries = posts(await importAll(exportOf([{ slug: 'same' }, { slug: 'same' }])));
    expect(entries.map((p) => [p.id, p.slug])).toEqual([
      ['p1', 'same'],
      ['p2', 'same'],
    ]);
  });

  it('falls back to the HTML copy when the mobiledoc is not JSON, and skips a post with neither', async () => {
    const entries = withoutProgress(
      await importAll(
        exportOf(
          [
            { mobiledoc: '{"version":"0.3.1","sections":[', html: '<p>From the <b>HTML</b>.</p>' },
            { mobiledoc: 'not json', html: null },
            { lexical: '{"root": 5}', mobiledoc: JSON.stringify({ sections: [[1, 'p', [[0, [], 0, 'Mobiledoc.']]]] }) },
          ],
          '4.10.0',
        ),
      ),
    );
    expect(entries.slice(1)).toEqual([
      {
        kind: 'skip',
        skip: {
          what: 'post body',
          name: 'Post 1',
          reason: 'its mobiledoc field is not valid JSON; it was imported from its HTML copy',
        },
      },
      post({
        id: 'p1',
        slug: 'post-1',
        title: 'Post 1',
        body: 'From the **HTML**.',
        publishedAt: '2023-11-14T10:00:00.000Z',
        createdAt: '2023-11-14T10:00:00.000Z',
        updatedAt: '2023-11-14T10:00:00.000Z',
        oldUrls: ['/post-1/'],
      }),
      {
        kind: 'skip',
        skip: { what: 'post', name: 'Post 2', reason: 'its mobiledoc field is not valid JSON and it has no HTML copy' },
      },
      {
        kind: 'skip',
        skip: {
          what: 'post body',
          name: 'Post 3',
          reason: 'its lexical field is not a lexical document; it was imported from its mobiledoc field',
        },
      },
      post({
        id: 'p3',
        slug: 'post-3',
        title: 'Post 3',
        body: 'Mobiledoc.',
        publishedAt: '2023-11-14T10:00:00.000Z',
        createdAt: '2023-11-14T10:00:00.000Z',
        updatedAt: '2023-11-14T10:00:00.000Z',
        oldUrls: ['/post-3/'],
      }),
    ]);
  });
});

describe('ghostToMarkdown on broken documents', () => {
  it('falls back to the HTML copy when a document’s parts are of the wrong shape', () => {
    const mobiledoc = JSON.stringify({ sections: [[1, 'p', [[0, 5, 0, 'x']]]] });
    expect(ghostToMarkdown({ lexical: null, mobiledoc, html: '<p>Kept</p>' }, { siteUrl: null })).toEqual({
      markdown: 'Kept',
      images: [],
      unknownCards: [],
      from: 'html',
      problem: 'its mobiledoc field cannot be read (its parts are not of the shapes Ghost writes)',
    });
  });

  it('lists cards it has no meaning for, keeps a card’s HTML fallback, and drops email-only cards', () => {
    const mobiledoc = JSON.stringify({
      version: '0.3.1',
      atoms: [['mention', '@ana', {}]],
      markups: [],
      cards: [
        ['signup', { header: 'Join' }],
        ['email-cta', { html: '<p>Only in the email</p>' }],
        ['paywall', {}],
        ['nft', { url: 'https://nft.example/1' }],
        ['button', { buttonText: 'Donate', buttonUrl: 'https://give.example' }],
        ['file', { src: '/content/files/2022/01/plan.pdf', fileTitle: 'The plan', fileCaption: 'PDF, 2 pages' }],
      ],
      sections: [
        [
          1,
          'p',
          [
            [0, [], 0, 'Hi '],
            [1, [], 0, 0],
          ],
        ],
        [10, 0],
        [10, 1],
        [10, 2],
        [10, 3],
        [10, 4],
        [10, 5],
      ],
    });
    const content = ghostToMarkdown({ lexical: null, mobiledoc, html: null }, { siteUrl: 'https://old.example' });
    expect(content.from).toBe('mobiledoc');
    expect(content.unknownCards).toEqual(['signup', 'nft']);
    expect(content.markdown).toBe(
      'Hi @ana\n\n[Donate](https://give.example)\n\n[The plan](/content/files/2022/01/plan.pdf)\n\nPDF, 2 pages',
    );
  });
});

describe('ghostToMarkdown on Ghost’s HTML', () => {
  it('reads Ghost’s card markup and never keeps raw HTML', () => {
    const html = [
      '<p>Intro with <script>alert(1)</script>text.</p>',
      '<figure class="kg-card kg-image-card kg-card-hascaption"><img src="__GHOST_URL__/content/images/2024/01/a.jpg" class="kg-image" alt="A" loading="lazy" srcset="__GHOST_URL__/content/images/size/w600/2024/01/a.jpg 600w"><figcaption>Cap</figcaption></figure>',
      '<figure class="kg-card kg-bookmark-card"><a class="kg-bookmark-container" href="https://example.org/read"><div class="kg-bookmark-content"><div class="kg-bookmark-title">Worth reading</div><div class="kg-bookmark-description">Long text</div><div class="kg-bookmark-metadata"><img class="kg-bookmark-icon" src="https://example.org/icon.png" alt=""></div></div><div class="kg-bookmark-thumbnail"><img src="https://example.org/t.jpg" alt=""></div></a></figure>',
      '<div class="kg-card kg-callout-card kg-callout-card-grey"><div class="kg-callout-emoji">⚠️</div><div class="kg-callout-text">Mind the <a href="javascript:alert(1)">step</a>.</div></div>',
    ].join('\n');
    const content = ghostToMarkdown({ lexical: null, mobiledoc: null, html }, { siteUrl: 'https://old.example' });
    expect(content.from).toBe('html');
    expect(content.problem).toBeNull();
    expect(content.markdown).toBe(
      [
        'Intro with text.',
        '',
        '![A](https://old.example/content/images/2024/01/a.jpg "Cap")',
        '',
        '[Worth reading](https://example.org/read)',
        '',
        '::: note',
        '⚠️ Mind the step.',
        ':::',
      ].join('\n'),
    );
    expect(content.images).toEqual([
      { url: 'https://old.example/content/images/2024/01/a.jpg', alt: 'A', caption: 'Cap' },
    ]);
  });
});
