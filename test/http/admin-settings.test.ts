import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { AdminClient, fieldError } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';
import { phoneJpeg } from '../helpers/photos.js';

const PASSWORD = 'correct horse battery';
let app: App;
let admin: AdminClient;

beforeAll(async () => {
  app = await createTestApp();
  for (const role of ['administrator', 'editor', 'author'] as const) {
    await app.services.users.create({ name: `${role} person`, email: `${role}@example.org`, password: PASSWORD, role });
  }
  admin = await signedIn('administrator', 20);
});
afterAll(async () => {
  await app?.close();
});

async function signedIn(role: string, ip: number): Promise<AdminClient> {
  const client = new AdminClient(app.server, { ip: `192.0.2.${ip}` });
  expect((await client.signIn(`${role}@example.org`, PASSWORD)).statusCode).toBe(303);
  return client;
}

const good = {
  title: 'Ida writes',
  tagline: 'Notes from a small house',
  timezone: 'Europe/Berlin',
  dateFormat: 'iso',
  postsPerPage: '3',
  feedContent: 'excerpt',
  menu_label_0: 'Start',
  menu_url_0: '/',
  menu_position_0: '2',
  menu_label_1: 'Recipes',
  menu_url_1: 'https://example.org/recipes',
  menu_position_1: '1',
  menu_label_2: '',
  menu_url_2: '',
  menu_position_2: '3',
};

/** A multipart/form-data body with text fields and one file, as a browser sends it. */
function multipart(fields: Record<string, string>, file?: { field: string; name: string; data: Buffer }) {
  const boundary = '----hearthtest7MA4YWxkTrZu0gW';
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: image/jpeg\r\n\r\n`,
      ),
      file.data,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe('site settings', () => {
  it('shows the form to an administrator and refuses an editor (403), also when sending it', async () => {
    const page = await admin.get('/admin/settings');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<label for="settings-title">Title</label>');
    const editor = await signedIn('editor', 21);
    expect((await editor.get('/admin/settings')).statusCode).toBe(403);
    await editor.get('/admin');
    const res = await editor.post('/admin/settings', good);
    expect(res.statusCode).toBe(403);
    expect((await app.services.settings.get()).title).not.toBe(good.title);
  });

  it.each([
    ['timezone', { timezone: 'Mars/Olympus_Mons' }, 'is not a time zone'],
    ['postsPerPage', { postsPerPage: '0' }, 'Posts per page must be a whole number from 1 to 50.'],
    ['postsPerPage', { postsPerPage: '500' }, 'Posts per page must be a whole number from 1 to 50.'],
    ['title', { title: '  ' }, 'Please enter a title for the site.'],
    ['menu-2-url', { menu_url_0: 'javascript:alert(1)' }, 'Menu link 2: the address must start with http://'],
    ['menu-1-label', { menu_label_1: '' }, 'Menu link 1: please enter a label.'],
  ])('refuses a bad %s with 400, naming the field, and saves nothing', async (field, change, message) => {
    const before = await app.services.settings.get();
    await admin.get('/admin/settings');
    const res = await admin.post('/admin/settings', { ...good, ...change });
    expect(res.statusCode).toBe(400);
    expect(fieldError(res.body, `settings-${field}`)).toContain(message);
    expect(await app.services.settings.get()).toEqual(before);
  });

  it('saves settings, audits them, and the next public page view shows them (cache dropped)', async () => {
    expect((await app.server.inject('/')).body).not.toContain('Ida writes');
    await admin.get('/admin/settings');
    const res = await admin.post('/admin/settings', good);
    expect(res.statusCode).toBe(303);
    const s = await app.services.settings.get();
    expect(s).toMatchObject({
      title: 'Ida writes',
      timezone: 'Europe/Berlin',
      dateFormat: 'iso',
      postsPerPage: 3,
      feedContent: 'excerpt',
    });
    expect(s.menu).toEqual([
      { label: 'Recipes', url: 'https://example.org/recipes' },
      { label: 'Start', url: '/' },
    ]);
    const home = await app.server.inject('/');
    expect(home.body).toContain('<span>Ida writes</span>');
    expect(home.body).toContain('Notes from a small house');
    // The configured menu, in its order, in place of the category menu.
    const nav = /<nav class="site-nav"[\s\S]*?<\/nav>/.exec(home.body)?.[0] ?? '';
    expect(nav).toMatch(/href="https:\/\/example.org\/recipes">Recipes<\/a>[\s\S]*href="\/" aria-current="page">Start/);
    expect(nav).not.toContain('/category/');
    expect(home.body.match(/class="card"/g)?.length ?? 0).toBeLessThanOrEqual(3);
    expect(home.body).toMatch(/<time datetime="[^"]+">\d{4}-\d{2}-\d{2}<\/time>/);
    const audit = await app.services.audit.recent(5);
    expect(audit.find((e) => e.action === 'settings_changed')?.details.changed).toContain('title');

    await admin.get('/admin/settings');
    const bad = await admin.post('/admin/settings', { ...good, feedContent: 'everything' });
    expect(bad.statusCode).toBe(400);
    expect(fieldError(bad.body, 'settings-feedContent')).toContain('whole posts or excerpts');
    expect((await app.services.settings.get()).feedContent).toBe('excerpt');
  });

  it('sets the comment moderation policy, replies, closing and blocklists, naming each wrong field', async () => {
    const page = await admin.get('/admin/settings/comments');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<option value="hold-first-time" selected>');
    const comments = {
      commentModeration: 'hold-all',
      commentsMaxDepth: '2',
      commentsCloseAfterDays: '30',
      commentMaxLinks: '1',
      commentBlockedWords: 'cheap pills\r\nCasino\r\n\r\ncasino',
      commentBlockedEmails: 'spam@example.com',
      commentBlockedIps: '203.0.113.9\n2001:db8::1',
      commentBlockedDomains: 'spam.example',
    };
    const saved = await admin.post('/admin/settings/comments', comments);
    expect(saved.statusCode, saved.body).toBe(303);
    expect(await app.services.settings.get()).toMatchObject({
      commentModeration: 'hold-all',
      commentsMaxDepth: 2,
      commentsCloseAfterDays: 30,
      commentMaxLinks: 1,
      commentBlockedWords: ['cheap pills', 'casino'],
      commentBlockedEmails: ['spam@example.com'],
      commentBlockedIps: ['203.0.113.9', '2001:db8::1'],
      commentBlockedDomains: ['spam.example'],
    });

    await admin.get('/admin/settings/comments');
    const bad = await admin.post('/admin/settings/comments', {
      ...comments,
      commentModeration: 'anything-goes',
      commentsMaxDepth: '0',
      commentsCloseAfterDays: 'soon',
      commentBlockedIps: '999.1.1.1',
      commentBlockedEmails: 'not an address',
      commentBlockedDomains: 'http://spam.example/',
    });
    expect(bad.statusCode).toBe(400);
    for (const [field, text] of [
      ['commentModeration', 'choose one of the moderation policies'],
      ['commentsMaxDepth', 'from 1 to 10'],
      ['commentsCloseAfterDays', 'number of days'],
      ['commentBlockedIps', '999.1.1.1&#34; is not an IP address'],
      ['commentBlockedEmails', 'is not an email address'],
      ['commentBlockedDomains', 'is not a domain name'],
    ]) {
      expect(fieldError(bad.body, `comments-${field}`), field).toContain(text);
    }
    expect((await app.services.settings.get()).commentModeration).toBe('hold-all');

    const editor = await signedIn('editor', 26);
    expect((await editor.get('/admin/settings/comments')).statusCode).toBe(403);
  });

  it('reorders and removes menu links without script, and falls back to the category menu when empty', async () => {
    await admin.get('/admin/settings');
    const page = await admin.get('/admin/settings');
    expect(page.body).toContain('name="menu_label_0" value="Recipes"');
    const res = await admin.post('/admin/settings', {
      ...good,
      menu_label_0: 'Recipes',
      menu_url_0: 'https://example.org/recipes',
      menu_position_0: '1',
      menu_remove_0: '1',
      menu_label_1: 'Start',
      menu_url_1: '/',
      menu_position_1: '2',
    });
    expect(res.statusCode).toBe(303);
    expect((await app.services.settings.get()).menu).toEqual([{ label: 'Start', url: '/' }]);
    await admin.get('/admin/settings');
    await admin.post('/admin/settings', {
      ...good,
      menu_label_0: '',
      menu_url_0: '',
      menu_label_1: '',
      menu_url_1: '',
    });
    const home = await app.server.inject('/');
    expect(home.body).toContain('href="/category/green-living/"');
  });

  it('uploads a logo that the header shows, and refuses a file that is not a photo', async () => {
    await admin.get('/admin/settings');
    const data = await phoneJpeg(600, 300);
    const cookie = [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await admin.request({
      method: 'POST',
      url: '/admin/settings/logo',
      ...multipart({ _csrf: admin.csrf }, { field: 'logo', name: 'logo.jpg', data }),
    });
    expect(res.statusCode, res.body).toBe(303);
    expect(cookie).not.toBe('');
    const { logoId } = await app.services.settings.get();
    expect(logoId).not.toBeNull();
    const home = await app.server.inject('/');
    expect(home.body).toMatch(/<img class="site-logo" src="\/media\/[^"]+\.jpg" width="\d+" height="\d+" alt="">/);

    await admin.get('/admin/settings');
    const bad = await admin.request({
      method: 'POST',
      url: '/admin/settings/logo',
      ...multipart({ _csrf: admin.csrf }, { field: 'logo', name: 'notes.txt', data: Buffer.from('just words') }),
    });
    expect(bad.statusCode).toBe(415);
    expect(
      fieldError(bad.body, 'logo-file'),
      bad.body.slice(bad.body.indexOf('<main'), bad.body.indexOf('<main') + 1500),
    ).toContain('not a photo');
    expect((await app.services.settings.get()).logoId).toBe(logoId);

    // An upload form is checked for its token too, once its fields are read.
    for (const token of [undefined, 'forged-token']) {
      const forged = await admin.request({
        method: 'POST',
        url: '/admin/settings/logo',
        ...multipart(token ? { _csrf: token } : {}, { field: 'logo', name: 'logo.jpg', data }),
      });
      expect(forged.statusCode).toBe(403);
    }
    expect((await app.services.settings.get()).logoId).toBe(logoId);

    await admin.get('/admin/settings');
    const noToken = await admin.request({
      method: 'POST',
      url: '/admin/settings/logo',
      ...multipart({ remove: '1' }),
    });
    expect(noToken.statusCode).toBe(403);
  });
});

describe('dashboard', () => {
  it('counts drafts, scheduled posts (in the site time zone) and comments waiting, with links', async () => {
    const author = await app.database.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'author@example.org')
      .executeTakeFirstOrThrow();
    await app.services.posts.create({ title: 'Half a thought', body: 'x', status: 'draft', authorId: author.id });
    const at = new Date(Date.now() + 3 * 86_400_000);
    at.setUTCHours(10, 30, 0, 0);
    await app.services.posts.create({
      title: 'Coming soon',
      body: 'x',
      status: 'scheduled',
      publishedAt: at.toISOString(),
      authorId: author.id,
    });
    const res = await admin.get('/admin');
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/Drafts <span class="count">[1-9]/);
    expect(res.body).toContain('Half a thought');
    expect(res.body).toContain('Coming soon');
    // 10:30 UTC is 11:30 or 12:30 in Berlin; the site's date format is ISO.
    expect(res.body).toMatch(/\d{4}-\d{2}-\d{2} 1[12]:30<\/time>/);
    expect(res.body).toContain('Comments waiting');
    expect(res.body).toContain('href="/admin/comments?status=pending"');
    const authorClient = await signedIn('author', 22);
    const own = await authorClient.get('/admin');
    expect(own.body).toContain('Coming soon');
    expect(own.body).not.toContain('Comments waiting');
  });
});

describe('profile', () => {
  it('changes name, bio and website; refuses a website that is not http(s)', async () => {
    const me = await signedIn('author', 23);
    await me.get('/admin/profile');
    const bad = await me.post('/admin/profile', { name: 'Ann Author', bio: 'Hi', website: 'javascript:alert(1)' });
    expect(bad.statusCode).toBe(400);
    expect(fieldError(bad.body, 'profile-website')).toBe(
      'The website must be an address starting with http:// or https://.',
    );
    const ok = await me.post('/admin/profile', {
      name: 'Ann Author',
      bio: 'Writes about soup.',
      website: 'https://ann.example',
    });
    expect(ok.statusCode).toBe(303);
    const user = await app.services.users.bySlug('author-person');
    expect(user).toMatchObject({ name: 'Ann Author', bio: 'Writes about soup.', website: 'https://ann.example' });
  });

  it('changes the email and the password only with the current password', async () => {
    const me = await signedIn('editor', 24);
    await me.get('/admin/profile');
    const wrong = await me.post('/admin/profile/email', { email: 'ed@example.org', emailPassword: 'nope' });
    expect(wrong.statusCode).toBe(400);
    expect(fieldError(wrong.body, 'email-emailPassword')).toBe('Your current password is not right.');
    const taken = await me.post('/admin/profile/email', { email: 'author@example.org', emailPassword: PASSWORD });
    expect(taken.statusCode).toBe(409);
    expect(
      (await me.post('/admin/profile/email', { email: 'ed@example.org', emailPassword: PASSWORD })).statusCode,
    ).toBe(303);

    await me.get('/admin/profile');
    const short = await me.post('/admin/profile/password', {
      currentPassword: PASSWORD,
      newPassword: 'short',
      confirmPassword: 'short',
    });
    expect(short.statusCode).toBe(400);
    expect(fieldError(short.body, 'password-newPassword')).toContain('at least 12 characters');
    const next = 'a much longer passphrase';
    const noCurrent = await me.post('/admin/profile/password', {
      currentPassword: 'wrong',
      newPassword: next,
      confirmPassword: next,
    });
    expect(noCurrent.statusCode).toBe(400);
    expect(
      (
        await me.post('/admin/profile/password', {
          currentPassword: PASSWORD,
          newPassword: next,
          confirmPassword: next,
        })
      ).statusCode,
    ).toBe(303);
    const again = new AdminClient(app.server, { ip: '192.0.2.25' });
    expect((await again.signIn('ed@example.org', next)).statusCode).toBe(303);
    const actions = (await app.services.audit.recent(20)).map((e) => e.action);
    expect(actions).toContain('email_changed');
    expect(actions).toContain('password_changed');
  });

  it('uploads an avatar that the author box shows', async () => {
    const me = await signedIn('administrator', 26);
    await me.get('/admin/profile');
    const res = await me.request({
      method: 'POST',
      url: '/admin/profile/avatar',
      ...multipart({ _csrf: me.csrf }, { field: 'avatar', name: 'me.jpg', data: await phoneJpeg(400, 400) }),
    });
    expect(res.statusCode, res.body).toBe(303);
    const user = await app.services.users.bySlug('administrator-person');
    expect(user?.avatarId).not.toBeNull();
    const page = await me.get('/admin/profile');
    expect(page.body).toMatch(/<img src="\/media\/[^"]+" alt="Your current photo"/);
  });
});
