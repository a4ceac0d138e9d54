import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { type App, createApp } from '../../src/main.js';
import { AdminClient, fieldError } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';

const PASSWORD = 'correct horse battery';
let app: App;
let clock = new Date();
const people: Record<string, number> = {};

beforeAll(async () => {
  app = await createTestApp({ demo: false }, { now: () => clock });
  for (const role of ['owner', 'administrator', 'editor', 'author', 'contributor'] as const) {
    const user = await app.services.users.create({
      name: `${role[0]?.toUpperCase()}${role.slice(1)} Person`,
      email: `${role}@example.org`,
      password: PASSWORD,
      role,
    });
    people[role] = user.id;
  }
});
afterAll(async () => {
  await app?.close();
});

/** A browser from its own address, so that throttling in one test does not reach another. */
let lastIp = 0;
const browser = (headers: Record<string, string> = {}) =>
  new AdminClient(app.server, { ip: `192.0.2.${++lastIp}`, headers });

async function signedIn(role: string): Promise<AdminClient> {
  const client = browser();
  const res = await client.signIn(`${role}@example.org`, PASSWORD);
  expect(res.statusCode, res.body).toBe(303);
  return client;
}

describe('signing in', () => {
  it('shows an accessible form with a CSRF token and strict headers', async () => {
    const res = await browser().get('/admin/login');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.body).toContain('<label for="login-email">Email</label>');
    expect(res.body).toContain('<label for="login-password">Password</label>');
    expect(res.body).toMatch(/name="_csrf" value="[\w-]{40,}"/);
    expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)/);
  });

  it('signs in with a new HttpOnly, SameSite=Lax session cookie and stores only its hash', async () => {
    const client = browser();
    const res = await client.signIn('Owner@Example.org ', PASSWORD);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^hearth_session=[\w-]{40,};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).not.toContain('Secure');
    const token = client.cookies.get('hearth_session') as string;
    const rows = await app.database.db.selectFrom('sessions').select('id').execute();
    expect(rows.map((r) => r.id)).not.toContain(token);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.id))).toBe(true);

    const dashboard = await client.get('/admin');
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.body).toContain('Signed in as <strong>Owner Person</strong>');

    // Signing in again gives a new session id and ends the old one.
    const again = await client.signIn('owner@example.org', PASSWORD);
    expect(again.statusCode).toBe(303);
    expect(client.cookies.get('hearth_session')).not.toBe(token);
    const old = new AdminClient(app.server);
    old.cookies.set('hearth_session', token);
    expect((await old.get('/admin')).statusCode).toBe(303);
  });

  it('marks the cookie Secure when the visitor came over HTTPS through the trusted proxy', async () => {
    const proxied = await createApp(loadConfig({}, { ...app.config, trustProxy: 1 }));
    try {
      const client = new AdminClient(proxied.server, { headers: { 'x-forwarded-proto': 'https' } });
      const res = await client.signIn('owner@example.org', PASSWORD);
      expect(res.statusCode).toBe(303);
      expect(String(res.headers['set-cookie'])).toContain('Secure');
    } finally {
      await proxied.server.close();
      await proxied.database.close();
    }
  });

  it('gives a wrong password and an unknown email the same answer in similar time', async () => {
    const time = async (email: string) => {
      const client = browser();
      await client.get('/admin/login');
      const started = performance.now();
      const res = await client.post('/admin/login', { email, password: 'not the password at all' });
      return { res, ms: performance.now() - started };
    };
    const wrong = [await time('author@example.org'), await time('author@example.org')];
    const unknown = [await time('nobody@example.org'), await time('nobody@example.org')];
    for (const { res } of [...wrong, ...unknown]) {
      expect(res.statusCode).toBe(401);
      expect(fieldError(res.body, 'login-password')).toBe('The email address or the password is not right.');
      expect(res.body).toContain('value="');
    }
    const fastest = (xs: { ms: number }[]) => Math.min(...xs.map((x) => x.ms));
    // Both hash a password: an unknown address is not answered markedly faster.
    expect(fastest(unknown)).toBeGreaterThan(fastest(wrong) * 0.5);
  });

  it('names a malformed email and a missing password, counting no failure', async () => {
    const client = browser();
    await client.get('/admin/login');
    const res = await client.post('/admin/login', { email: 'not-an-email', password: '' });
    expect(res.statusCode).toBe(400);
    expect(fieldError(res.body, 'login-email')).toBe('This does not look like an email address.');
    expect(fieldError(res.body, 'login-password')).toBe('Please enter your password.');
    expect(res.body).toContain('value="not-an-email"');
  });

  it('goes back to the page that asked for sign-in, and only to an admin page', async () => {
    const client = browser();
    const asked = await client.get('/admin/users');
    expect(asked.statusCode).toBe(303);
    expect(asked.headers.location).toBe('/admin/login?next=%2Fadmin%2Fusers');
    const form = await client.get(asked.headers.location as string);
    expect(form.body).toContain('<input type="hidden" name="next" value="/admin/users">');
    const res = await client.post('/admin/login', {
      email: 'owner@example.org',
      password: PASSWORD,
      next: '/admin/users',
    });
    expect(res.headers.location).toBe('/admin/users');
    const evil = browser();
    await evil.get('/admin/login?next=//evil.example/admin');
    const res2 = await evil.post('/admin/login', {
      email: 'owner@example.org',
      password: PASSWORD,
      next: 'https://evil.example/',
    });
    expect(res2.headers.location).toBe('/admin');
  });

  it('signs out: the cookie is cleared and the session is gone from the database', async () => {
    const client = await signedIn('editor');
    const before = await app.database.db.selectFrom('sessions').select('id').execute();
    const res = await client.post('/admin/logout');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/login?done=signed-out');
    expect(String(res.headers['set-cookie'])).toMatch(/hearth_session=;/);
    const after = await app.database.db.selectFrom('sessions').select('id').execute();
    expect(after.length).toBe(before.length - 1);
    expect((await client.get('/admin')).statusCode).toBe(303);
    expect((await client.get('/admin/login?done=signed-out')).body).toContain('You are signed out.');
  });
});

describe('session expiry', () => {
  it('ends a session after a week without use, and any session after 30 days', async () => {
    const idle = await signedIn('author');
    clock = new Date(clock.getTime() + 6 * 86_400_000);
    expect((await idle.get('/admin')).statusCode).toBe(200);
    clock = new Date(clock.getTime() + 7 * 86_400_000 + 1000);
    expect((await idle.get('/admin')).headers.location).toBe('/admin/login?next=%2Fadmin');

    const busy = await signedIn('author');
    for (let day = 0; day < 29; day++) {
      clock = new Date(clock.getTime() + 86_400_000);
      expect((await busy.get('/admin')).statusCode, `day ${day}`).toBe(200);
    }
    clock = new Date(clock.getTime() + 86_400_000);
    expect((await busy.get('/admin')).statusCode).toBe(303);
  });
});

describe('CSRF protection', () => {
  it('refuses a form without a token, with a wrong one, or with the token of another session', async () => {
    const client = await signedIn('administrator');
    await client.get('/admin/users');
    const invite = { email: 'csrf@example.org', role: 'author' };
    for (const token of [null, 'forged-token', (await signedIn('owner')).csrf]) {
      const res = await client.post('/admin/users/invite', { ...invite, _csrf: token });
      expect(res.statusCode).toBe(403);
      expect(res.body).toContain('did not come from this site');
    }
    const anonymous = browser();
    const res = await anonymous.post('/admin/login', { email: 'owner@example.org', password: PASSWORD });
    expect(res.statusCode).toBe(403);
    expect(anonymous.cookies.has('hearth_session')).toBe(false);
    expect(await app.services.accounts.team.pendingInvites()).toEqual([]);
  });

  it('refuses a JSON API write without the X-CSRF-Token header', async () => {
    const client = await signedIn('owner');
    const url = `/api/users/${people.contributor}/role`;
    const body = { method: 'POST' as const, url, payload: { role: 'author' } };
    const refused = await client.request(body);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('HEARTH_ERR_CSRF');
    const ok = await client.request({ ...body, headers: { 'x-csrf-token': client.csrf } });
    expect(ok.statusCode).toBe(200);
    const role = await app.database.db
      .selectFrom('users')
      .select('role')
      .where('id', '=', people.contributor as number)
      .executeTakeFirst();
    expect(role?.role).toBe('author');
    await app.database.db
      .updateTable('users')
      .set({ role: 'contributor' })
      .where('id', '=', people.contributor as number)
      .execute();
  });
});

describe('roles on every admin route', () => {
  it('sends a visitor who is not signed in to the login page, and an API client a 401', async () => {
    const res = await browser().get('/admin');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/login?next=%2Fadmin');
    const api = await browser().get('/api/session');
    expect(api.statusCode).toBe(401);
    expect(api.json()).toEqual({
      error: { code: 'HEARTH_ERR_SIGN_IN_REQUIRED', message: 'Please sign in to continue.' },
    });
  });

  it('gives every role its dashboard, and the users page only to the owner and administrators', async () => {
    for (const [role, status] of [
      ['owner', 200],
      ['administrator', 200],
      ['editor', 403],
      ['author', 403],
      ['contributor', 403],
    ] as const) {
      const client = await signedIn(role);
      expect((await client.get('/admin')).statusCode, role).toBe(200);
      const users = await client.get('/admin/users');
      expect(users.statusCode, role).toBe(status);
      if (status === 403) {
        expect(users.body).toContain(`Your role (${role}) does not allow this: it needs the capability manage_users.`);
        expect((await client.get('/admin')).body).not.toContain('href="/admin/users"');
        expect((await client.get('/api/users')).statusCode).toBe(403);
      }
    }
  });

  it('refuses a contributor or author who posts an invitation or a role change, writing nothing', async () => {
    for (const role of ['contributor', 'author']) {
      const client = await signedIn(role);
      const invite = await client.post('/admin/users/invite', { email: `${role}-friend@example.org`, role: 'editor' });
      expect(invite.statusCode).toBe(403);
      const promote = await client.post(`/admin/users/${people[role]}/role`, { role: 'administrator' });
      expect(promote.statusCode).toBe(403);
    }
    const roles = await app.database.db.selectFrom('users').select(['email', 'role']).execute();
    expect(roles.find((r) => r.email === 'author@example.org')?.role).toBe('author');
    expect(await app.services.accounts.team.pendingInvites()).toEqual([]);
  });
});

describe('changing roles', () => {
  it('lets an administrator change a role, recorded in the audit log', async () => {
    const admin = await signedIn('administrator');
    await admin.get('/admin/users');
    const res = await admin.post(`/admin/users/${people.editor}/role`, { role: 'author' });
    expect(res.statusCode).toBe(303);
    expect((await admin.get(res.headers.location as string)).body).toContain('The role is changed.');
    const [event] = await app.services.audit.recent(1);
    expect(event).toMatchObject({
      action: 'role_changed',
      actorEmail: 'administrator@example.org',
      subject: `user:${people.editor}`,
      details: { from: 'editor', to: 'author' },
    });
    await admin.post(`/admin/users/${people.editor}/role`, { role: 'editor' });
  });

  it('refuses the owner role, a change to the owner, to oneself, and an unknown user, saying why', async () => {
    const admin = await signedIn('administrator');
    await admin.get('/admin/users');
    const cases = [
      [people.author, 'owner', 403, 'the owner is made at setup'],
      [people.owner, 'editor', 403, 'The owner’s role cannot be changed.'],
      [people.administrator, 'editor', 403, 'You cannot change your own role.'],
      [99999, 'editor', 404, 'There is no user 99999.'],
    ] as const;
    for (const [id, role, status, message] of cases) {
      const res = await admin.post(`/admin/users/${id}/role`, { role });
      expect(res.statusCode, message).toBe(status);
      expect(res.body).toContain(message);
    }
    const owner = await app.database.db
      .selectFrom('users')
      .select('role')
      .where('id', '=', people.owner as number)
      .executeTakeFirst();
    expect(owner?.role).toBe('owner');
  });
});

describe('sign-in throttling', () => {
  it('locks an account after 5 failures with 429 and Retry-After, even for the right password', async () => {
    await app.services.users.create({ name: 'Tess', email: 'tess@example.org', password: PASSWORD, role: 'author' });
    for (let i = 0; i < 5; i++) {
      // From several addresses: the account is counted wherever the attempts come from.
      const res = await browser().signIn('tess@example.org', 'wrong password!!');
      expect(res.statusCode).toBe(401);
    }
    const locked = await browser().signIn('tess@example.org', PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThanOrEqual(29);
    expect(locked.body).toContain('Too many failed sign-in attempts. Wait 30 seconds before trying again.');

    // The count lives in the database: another instance on it refuses too.
    const other = await createApp(loadConfig({}, { ...app.config }), { now: () => clock });
    try {
      const elsewhere = await new AdminClient(other.server).signIn('tess@example.org', PASSWORD);
      expect(elsewhere.statusCode).toBe(429);
    } finally {
      await other.server.close();
      await other.database.close();
    }

    clock = new Date(clock.getTime() + 31_000);
    expect((await browser().signIn('tess@example.org', 'wrong again!!!')).statusCode).toBe(401);
    const longer = await browser().signIn('tess@example.org', PASSWORD);
    expect(longer.statusCode).toBe(429);
    expect(Number(longer.headers['retry-after'])).toBeGreaterThan(30);
    clock = new Date(clock.getTime() + 61_000);
    expect((await browser().signIn('tess@example.org', PASSWORD)).statusCode).toBe(303);
  });

  it('locks an address after 20 failures, whichever accounts it tries', async () => {
    const client = browser();
    for (let i = 0; i < 20; i++) {
      const res = await client.signIn(`guess${i}@example.org`, 'wrong password!!');
      expect(res.statusCode).toBe(401);
    }
    const res = await client.signIn('owner@example.org', PASSWORD);
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBeDefined();
  });

  it('records sign-ins and failed sign-ins in the audit log, which administrators can read', async () => {
    const admin = await signedIn('administrator');
    const page = await admin.get('/admin/audit');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('sign_in_failed');
    expect(page.body).toContain('reason: unknown email');
    expect(page.body).toMatch(/>sign_in<\/td><td data-label="Who">administrator@example.org<\/td>/);
    expect((await (await signedIn('editor')).get('/admin/audit')).statusCode).toBe(403);
  });
});

describe('security headers', () => {
  it('are on redirects, JSON, admin assets and cached public pages', async () => {
    const urls = ['/admin', '/api/session', '/admin/assets/admin.css', '/admin/no-such-page', '/', '/'];
    const responses = [];
    for (const url of urls) responses.push(await browser().get(url));
    for (const [i, res] of responses.entries()) {
      expect(res.headers['content-security-policy'], urls[i]).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
      expect(res.headers['permissions-policy']).toContain('camera=()');
    }
    expect(responses[3]?.statusCode).toBe(404);
  });
});
