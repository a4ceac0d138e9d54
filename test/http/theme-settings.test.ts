import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { AdminClient, fieldError } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';

/** The texts the public theme shows, edited in the admin settings; cards' photos; /feed/. */
const PASSWORD = 'correct horse battery';
let app: App;
let admin: AdminClient;

beforeAll(async () => {
  app = await createTestApp();
  await app.services.users.create({
    name: 'Ada Admin',
    email: 'ada@example.org',
    password: PASSWORD,
    role: 'administrator',
  });
  admin = new AdminClient(app.server, { ip: '192.0.2.40' });
  expect((await admin.signIn('ada@example.org', PASSWORD)).statusCode).toBe(303);
});
afterAll(async () => {
  await app?.close();
});

const base = {
  title: 'Willowfold',
  tagline: 'Small steps, green steps',
  timezone: 'UTC',
  dateFormat: 'long',
  postsPerPage: '7',
};
const texts = {
  description: 'Two parents, one garden & a lot of mending.\nWritten at the kitchen table.',
  aboutPage: 'about',
  footerText: 'Texts under CC BY-SA 4.0 — photos by the family.',
  footerLinks: 'Privacy | /privacy/\r\n\r\nNewsletter | https://letters.example.org/willow?a=1&b=2',
  socialLinks: 'Mastodon | https://social.example/@willow\nPixelfed | https://pix.example/willow',
};

describe('the theme texts in the site settings', () => {
  it('shows them in the form, saves them, and every public page shows them at once (cache dropped)', async () => {
    const before = await app.server.inject('/benefits-of-infant-massage/');
    expect(before.statusCode).toBe(200);
    expect(before.body).not.toContain('CC BY-SA 4.0');
    const form = await admin.get('/admin/settings');
    for (const id of ['description', 'aboutPage', 'footerText', 'footerLinks', 'socialLinks'])
      expect(form.body).toContain(`id="settings-${id}"`);
    const res = await admin.post('/admin/settings', { ...base, ...texts });
    expect(res.statusCode).toBe(303);
    const s = await app.services.settings.get();
    expect(s.footerLinks).toEqual([
      { label: 'Privacy', url: '/privacy/' },
      { label: 'Newsletter', url: 'https://letters.example.org/willow?a=1&b=2' },
    ]);
    expect(s.socialLinks).toHaveLength(2);
    expect(s.description).toBe('Two parents, one garden & a lot of mending.\nWritten at the kitchen table.');

    for (const url of ['/', '/benefits-of-infant-massage/', '/category/green-living/', '/about/']) {
      const page = await app.server.inject(url);
      const footer = /<footer class="site-footer">[\s\S]*<\/footer>/.exec(page.body)?.[0] ?? '';
      expect(footer, url).toContain('Two parents, one garden &amp; a lot of mending.');
      expect(footer).toContain('Texts under CC BY-SA 4.0 — photos by the family.');
      expect(footer).toContain('<a href="/privacy/">Privacy</a>');
      expect(footer).toContain('<a href="https://letters.example.org/willow?a=1&amp;b=2">Newsletter</a>');
      expect(footer).toContain('<a href="https://social.example/@willow" rel="me noopener">Mastodon</a>');
      expect(footer).toContain('<a href="/about/">About</a>');
      expect(footer).toContain('<a href="/feed/">RSS feed</a>');
    }
    // The form shows the links as they were typed, one a line.
    const again = await admin.get('/admin/settings');
    expect(again.body).toContain('Privacy | /privacy/\nNewsletter | https://letters.example.org/willow?a=1&amp;b=2');
  });

  it('takes the about page away from the menu and the footer when emptied, and keeps the rest', async () => {
    await admin.get('/admin/settings');
    expect((await admin.post('/admin/settings', { ...base, ...texts, aboutPage: '', footerText: '' })).statusCode).toBe(
      303,
    );
    const home = await app.server.inject('/');
    expect(home.body).not.toContain('href="/about/"');
    const year = new Date().getUTCFullYear();
    expect(home.body).toContain(`© ${year} Willowfold · Made with Hearth`);
    expect(home.body).toContain('Two parents, one garden');
    // A form without these fields (an older page) leaves them as they are.
    await admin.get('/admin/settings');
    expect((await admin.post('/admin/settings', base)).statusCode).toBe(303);
    expect((await app.services.settings.get()).socialLinks).toHaveLength(2);
  });

  it.each([
    ['footerLinks', { footerLinks: 'Bad | javascript:alert(1)' }, 'Footer link 1: the address must start with http://'],
    ['footerLinks', { footerLinks: 'Fine | /a/\nno bar here' }, 'Footer link 2: write a label, a bar and the address'],
    ['footerLinks', { footerLinks: Array.from({ length: 13 }, (_, i) => `L${i} | /l${i}/`).join('\n') }, 'At most 12'],
    ['socialLinks', { socialLinks: 'Mine | /me/' }, 'Social link 1: the address must start with https:// or http://.'],
    [
      'socialLinks',
      { socialLinks: `${'x'.repeat(61)} | https://example.org/` },
      'Social link 1: the label must be at most 60',
    ],
    ['footerText', { footerText: 'é'.repeat(201) }, 'The footer text must be one line of at most 200 characters.'],
    ['description', { description: 'word '.repeat(130) }, 'About the site must be at most 600 characters.'],
    ['aboutPage', { aboutPage: 'about us/team' }, 'The about page must be the slug of a page'],
  ])('refuses a bad %s with 400, naming the field, and saves nothing', async (field, change, message) => {
    const before = await app.services.settings.get();
    await admin.get('/admin/settings');
    const res = await admin.post('/admin/settings', { ...base, ...texts, ...change });
    expect(res.statusCode).toBe(400);
    expect(fieldError(res.body, `settings-${field}`)).toContain(message);
    // The form comes back with what was typed.
    expect(res.body).toContain(field === 'description' ? 'word word word' : 'Two parents, one garden');
    expect(await app.services.settings.get()).toEqual(before);
  });
});

describe('cards and feeds', () => {
  it("gives a card without a feature image the first photo of the post's body, with its alt text", async () => {
    const photo = (await app.services.posts.publishedBySlug('benefits-of-infant-massage'))?.featureImage;
    if (!photo) throw new Error('the demo post has no feature image');
    const author = (await app.services.users.forExport())[0];
    if (!author) throw new Error('no author');
    await app.services.posts.create({
      title: 'Just words, then a picture',
      body: `Some words first.\n\n![A basket of clean nappies](${photo.src})\n`,
      status: 'published',
      publishedAt: new Date().toISOString(),
      authorId: author.id,
    });
    await app.services.posts.create({
      title: 'No picture at all',
      body: 'Only words here.',
      status: 'published',
      publishedAt: new Date().toISOString(),
      authorId: author.id,
    });
    const home = (await app.server.inject('/')).body;
    const cards = home.split('<article class="card">').slice(1);
    const withPhoto = cards.find((c) => c.includes('Just words, then a picture')) ?? '';
    expect(withPhoto).toContain(`alt="A basket of clean nappies"`);
    expect(withPhoto).toContain(photo.src.replace(/\.\w+$/, ''));
    const without = cards.find((c) => c.includes('No picture at all')) ?? '';
    expect(without).toContain('card__image--none');
    expect(without).toContain('<span class="card__initial">N</span>');
  });

  it('answers the WordPress address /feed/ with the RSS feed', async () => {
    const res = await app.server.inject('/feed/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/rss\+xml/);
    expect(res.body).toContain('<rss');
  });
});
