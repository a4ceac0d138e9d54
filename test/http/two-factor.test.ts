import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { AdminClient, fieldError } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';

const PASSWORD = 'correct horse battery';
let app: App;
let clock = new Date('2026-09-01T10:00:00.000Z');
let ip = 0;
const browser = () => new AdminClient(app.server, { ip: `198.18.0.${++ip}` });

/** The code an authenticator app shows for a secret at the test's time. */
const codeFor = (secret: string, at = clock) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: at.getTime() });

beforeAll(async () => {
  app = await createTestApp({ demo: false }, { now: () => clock });
  await app.services.users.create({ name: 'Tom Author', email: 'tom@example.org', password: PASSWORD, role: 'author' });
});
afterAll(async () => {
  await app?.close();
});

describe('two-factor sign-in', () => {
  let secret = '';

  it('is set up with a secret and an otpauth:// URI, saved only once a code proves the app has it', async () => {
    const tom = browser();
    await tom.signIn('tom@example.org', PASSWORD);
    const page = await tom.get('/admin/account/two-factor');
    expect(page.statusCode).toBe(200);
    secret = /name="secret" value="([A-Z2-7]{32})"/.exec(page.body)?.[1] as string;
    expect(secret).toHaveLength(32);
    expect(page.body).toContain(`href="otpauth://totp/`);
    expect(page.body).toContain(`secret=${secret}`);

    const wrong = await tom.post('/admin/account/two-factor', { secret, code: '000000' });
    expect(wrong.statusCode).toBe(400);
    expect(fieldError(wrong.body, 'totp-code')).toBe(
      'This code is not right. Enter the 6-digit code your app shows now.',
    );
    expect(wrong.body).toContain(`name="secret" value="${secret}"`);
    const stored = await app.database.db
      .selectFrom('users')
      .select('totp_secret')
      .where('email', '=', 'tom@example.org')
      .executeTakeFirst();
    expect(stored?.totp_secret).toBeNull();

    const ok = await tom.post('/admin/account/two-factor', { secret, code: codeFor(secret) });
    expect(ok.statusCode).toBe(303);
    expect((await tom.get(ok.headers.location as string)).body).toContain('Two-factor sign-in is on.');
    expect((await app.services.audit.recent(1))[0]?.action).toBe('two_factor_enabled');
  });

  it('asks for the code after the password; refuses a wrong one and a code used before', async () => {
    clock = new Date(clock.getTime() + 60_000);
    const tom = browser();
    const first = await tom.signIn('tom@example.org', PASSWORD);
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/admin/login/two-factor?next=%2Fadmin');
    const halfway = tom.cookies.get('hearth_session');
    // The password alone opens nothing.
    expect((await tom.get('/admin')).headers.location).toBe('/admin/login?next=%2Fadmin');
    await tom.get('/admin/login/two-factor?next=%2Fadmin');

    const wrong = await tom.post('/admin/login/two-factor', { code: '123456', next: '/admin' });
    expect(wrong.statusCode).toBe(401);
    expect(fieldError(wrong.body, 'verify-code')).toContain('The two-factor code is not right');

    const code = codeFor(secret);
    const ok = await tom.post('/admin/login/two-factor', { code, next: '/admin' });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/admin');
    expect(tom.cookies.get('hearth_session')).not.toBe(halfway);
    expect((await tom.get('/admin')).body).toContain('Signed in as <strong>Tom Author</strong>');

    // The same code, seen over a shoulder, does not open a second session.
    const eve = browser();
    await eve.signIn('tom@example.org', PASSWORD);
    await eve.get('/admin/login/two-factor');
    const replay = await eve.post('/admin/login/two-factor', { code, next: '/admin' });
    expect(replay.statusCode).toBe(401);
    expect((await eve.get('/admin')).statusCode).toBe(303);
  });

  it('gives up to two-factor pages only a session that owes a code', async () => {
    const res = await browser().get('/admin/login/two-factor');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^\/admin\/login/);
  });

  it('is turned off only with a current code', async () => {
    clock = new Date(clock.getTime() + 60_000);
    const tom = browser();
    await tom.signIn('tom@example.org', PASSWORD);
    await tom.get('/admin/login/two-factor');
    await tom.post('/admin/login/two-factor', { code: codeFor(secret), next: '/admin' });
    await tom.get('/admin/account/two-factor');
    const wrong = await tom.post('/admin/account/two-factor/disable', { code: '999999' });
    expect(wrong.statusCode).toBe(400);
    clock = new Date(clock.getTime() + 30_000);
    const off = await tom.post('/admin/account/two-factor/disable', { code: codeFor(secret) });
    expect(off.statusCode).toBe(303);
    expect((await tom.get(off.headers.location as string)).body).toContain('Two-factor sign-in is off.');
    const direct = await browser().signIn('tom@example.org', PASSWORD);
    expect(direct.headers.location).toBe('/admin');
  });
});
