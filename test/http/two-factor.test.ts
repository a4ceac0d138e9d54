import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { AdminClient, fieldError } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';
import { dataUriBytes, decodeQr } from '../helpers/qr.js';

const PASSWORD = 'correct horse battery';
let app: App;
let clock = new Date('2026-09-01T10:00:00.000Z');
let ip = 0;
const browser = () => new AdminClient(app.server, { ip: `198.18.0.${++ip}` });

/** The code an authenticator app shows for a secret at the test's time. */
const codeFor = (secret: string, at = clock) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: at.getTime() });

/** The recovery codes a page shows (once). */
const recoveryCodesIn = (body: string) =>
  [...body.matchAll(/<li><code>([a-z2-9]{4}(?:-[a-z2-9]{4}){3})<\/code><\/li>/g)].map((m) => m[1] as string);

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
    // The QR code is drawn on the server (a data: image, so no request leaves the page)
    // and holds the same otpauth:// address as the link; the key is there as text too.
    const uri = /<a href="(otpauth:\/\/[^"]+)">/.exec(page.body)?.[1]?.replaceAll('&amp;', '&') as string;
    const qr = /<img src="(data:image\/svg\+xml;base64,[^"]+)"[^>]*id="totp-qr"/.exec(page.body)?.[1] as string;
    expect(await decodeQr(dataUriBytes(qr))).toBe(uri);
    expect(/<code id="totp-secret">([A-Z2-7 ]+)<\/code>/.exec(page.body)?.[1]?.replaceAll(' ', '')).toBe(secret);

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
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('Two-factor sign-in is on.');
    expect(recoveryCodesIn(ok.body)).toHaveLength(10);
    expect((await app.services.audit.recent(1))[0]).toMatchObject({
      action: 'two_factor_enabled',
      details: { recoveryCodes: 10 },
    });
    expect((await tom.get('/admin/account/two-factor')).body).toContain(
      'You have <strong>10</strong> unused recovery codes left.',
    );
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

describe('recovery codes', () => {
  let secret = '';
  let codes: string[] = [];
  const rita = 'rita@example.org';
  const left = async () =>
    Number(
      (
        await app.database.db
          .selectFrom('recovery_codes')
          .innerJoin('users', 'users.id', 'recovery_codes.user_id')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('users.email', '=', rita)
          .where('recovery_codes.used_at', 'is', null)
          .executeTakeFirstOrThrow()
      ).n,
    );
  /** A browser that gave Rita's password and now owes a code. */
  const halfway = async () => {
    const client = browser();
    await client.signIn(rita, PASSWORD);
    await client.get('/admin/login/two-factor');
    return client;
  };

  beforeAll(async () => {
    clock = new Date(clock.getTime() + 3_600_000);
    await app.services.users.create({ name: 'Rita Writer', email: rita, password: PASSWORD, role: 'author' });
    const client = browser();
    await client.signIn(rita, PASSWORD);
    const page = await client.get('/admin/account/two-factor');
    secret = /name="secret" value="([A-Z2-7]{32})"/.exec(page.body)?.[1] as string;
    const on = await client.post('/admin/account/two-factor', { secret, code: codeFor(secret) });
    codes = recoveryCodesIn(on.body);
    // Shown once, with a text file of them to keep.
    const file = decodeURIComponent(
      /href="data:text\/plain;charset=utf-8,([^"]+)" download="recovery-codes.txt"/.exec(on.body)?.[1] ?? '',
    );
    expect(file).toContain(`Two-factor recovery codes for ${rita}`);
    for (const code of codes) expect(file).toContain(code);
  });

  it('are ten different codes, stored only as hashes', async () => {
    expect(new Set(codes).size).toBe(10);
    const rows = await app.database.db.selectFrom('recovery_codes').selectAll().execute();
    const stored = JSON.stringify(rows);
    for (const code of codes) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replaceAll('-', ''));
    }
    expect(await left()).toBe(10);
  });

  it('signs in once in place of an app code (typed in any case, with spaces); the second use is refused and counted', async () => {
    const first = await halfway();
    const typed = (codes[0] as string).toUpperCase().replaceAll('-', ' ');
    const ok = await first.post('/admin/login/two-factor', { code: typed, next: '/admin' });
    expect(ok.statusCode).toBe(303);
    expect((await first.get('/admin')).body).toContain('Signed in as <strong>Rita Writer</strong>');
    const [signIn, used] = await app.services.audit.recent(2);
    expect(signIn).toMatchObject({ action: 'sign_in', details: { twoFactor: true, recoveryCode: true } });
    expect(used).toMatchObject({ action: 'recovery_code_used', details: { left: 9 } });
    expect(await left()).toBe(9);
    expect((await first.get('/admin/account/two-factor')).body).toContain(
      'You have <strong>9</strong> unused recovery codes left.',
    );

    const again = await halfway();
    const refused = await again.post('/admin/login/two-factor', { code: codes[0] as string, next: '/admin' });
    expect(refused.statusCode).toBe(401);
    expect(fieldError(refused.body, 'verify-code')).toContain('or an unused recovery code');
    expect((await again.get('/admin')).statusCode).toBe(303);
    const pending = await app.database.db
      .selectFrom('sessions')
      .select('code_tries')
      .where('stage', '=', 'two-factor')
      .execute();
    expect(pending.map((p) => Number(p.code_tries))).toEqual([1]);
    expect((await app.services.audit.recent(1))[0]).toMatchObject({
      action: 'two_factor_failed',
      details: { recoveryCode: true },
    });
  });

  it('counts wrong recovery codes against the same tries as app codes', async () => {
    clock = new Date(clock.getTime() + 2 * 3_600_000);
    const client = await halfway();
    for (let i = 1; i <= 4; i++) {
      const wrong = await client.post('/admin/login/two-factor', { code: 'aaaa-bbbb-cccc-dddd', next: '/admin' });
      expect(wrong.statusCode, `try ${i}`).toBe(401);
    }
    const fifth = await client.post('/admin/login/two-factor', { code: '222222', next: '/admin' });
    expect(fifth.statusCode).toBe(429);
    // The pending sign-in has ended: even a good code does not finish it.
    const late = await client.post('/admin/login/two-factor', { code: codes[1] as string, next: '/admin' });
    expect(late.statusCode).toBe(303);
    expect(late.headers.location).toMatch(/^\/admin\/login/);
    expect(await left()).toBe(9);
  });

  it('answers bad input with 4xx, never 500', async () => {
    clock = new Date(clock.getTime() + 2 * 3_600_000);
    const client = await halfway();
    const long = await client.post('/admin/login/two-factor', { code: 'x'.repeat(500), next: '/admin' });
    expect(long.statusCode).toBe(400);
    const odd = await client.post('/admin/login/two-factor', { code: 'ünïcødé-😀-code', next: '/admin' });
    expect(odd.statusCode).toBe(401);
  });

  it('are made anew with the password or a current code, which retires the old ones', async () => {
    clock = new Date(clock.getTime() + 2 * 3_600_000);
    const client = await halfway();
    await client.post('/admin/login/two-factor', { code: codeFor(secret), next: '/admin' });
    await client.get('/admin/account/two-factor');

    const empty = await client.post('/admin/account/two-factor/recovery-codes', { confirm: '' });
    expect(empty.statusCode).toBe(400);
    expect(fieldError(empty.body, 'totp-confirm')).toBe(
      'Please enter your password or the 6-digit code your app shows now.',
    );
    const wrong = await client.post('/admin/account/two-factor/recovery-codes', { confirm: 'not my password at all' });
    expect(wrong.statusCode).toBe(400);
    expect(fieldError(wrong.body, 'totp-confirm')).toBe(
      'This is neither your password nor the 6-digit code your app shows now.',
    );
    expect((await app.services.audit.recent(1))[0]?.action).toBe('recovery_codes_refused');
    const csrf = await client.post('/admin/account/two-factor/recovery-codes', { confirm: PASSWORD, _csrf: 'forged' });
    expect(csrf.statusCode).toBe(403);
    expect(await left()).toBe(9);

    const byPassword = await client.post('/admin/account/two-factor/recovery-codes', { confirm: PASSWORD });
    expect(byPassword.statusCode).toBe(200);
    expect(byPassword.body).toContain('New recovery codes are made; the old ones no longer work.');
    const fresh = recoveryCodesIn(byPassword.body);
    expect(fresh).toHaveLength(10);
    expect(await left()).toBe(10);
    expect((await app.services.audit.recent(1))[0]).toMatchObject({
      action: 'recovery_codes_generated',
      details: { count: 10, confirmedWith: 'password' },
    });

    clock = new Date(clock.getTime() + 60_000);
    await client.get('/admin/account/two-factor');
    const code = codeFor(secret);
    const byCode = await client.post('/admin/account/two-factor/recovery-codes', { confirm: code });
    expect(byCode.statusCode).toBe(200);
    const newest = recoveryCodesIn(byCode.body);
    // The code from the app is used up: it does not make codes (or sign in) twice.
    await client.get('/admin/account/two-factor');
    const replay = await client.post('/admin/account/two-factor/recovery-codes', { confirm: code });
    expect(replay.statusCode).toBe(400);

    // An old code no longer signs in; a new one does.
    const old = await halfway();
    expect((await old.post('/admin/login/two-factor', { code: codes[2] as string, next: '/admin' })).statusCode).toBe(
      401,
    );
    const stale = await halfway();
    expect((await stale.post('/admin/login/two-factor', { code: fresh[0] as string, next: '/admin' })).statusCode).toBe(
      401,
    );
    const now = await halfway();
    expect((await now.post('/admin/login/two-factor', { code: newest[0] as string, next: '/admin' })).statusCode).toBe(
      303,
    );
    codes = newest.slice(1);
  });

  it('lock guesses: a stolen session cannot guess its way to new codes or to turning two-factor off', async () => {
    clock = new Date(clock.getTime() + 2 * 3_600_000);
    const client = await halfway();
    await client.post('/admin/login/two-factor', { code: codes[0] as string, next: '/admin' });
    codes = codes.slice(1);
    for (let i = 1; i <= 5; i++) {
      await client.get('/admin/account/two-factor');
      const guess = await client.post('/admin/account/two-factor/recovery-codes', { confirm: `guess number ${i}` });
      expect(guess.statusCode, `guess ${i}`).toBe(400);
    }
    await client.get('/admin/account/two-factor');
    const locked = await client.post('/admin/account/two-factor/recovery-codes', { confirm: PASSWORD });
    expect(locked.statusCode).toBe(429);
    // The 5th guess locked for 30 s; this try, counted too, doubles it.
    expect(locked.body).toContain('Too many wrong codes or passwords. Wait 1 minute before trying again.');
    await client.get('/admin/account/two-factor');
    const off = await client.post('/admin/account/two-factor/disable', { code: codeFor(secret) });
    expect(off.statusCode).toBe(429);
    expect(await left()).toBe(codes.length);
    // Once the lock is over (doubled again by that try), the right password works and clears the count.
    clock = new Date(clock.getTime() + 121_000);
    await client.get('/admin/account/two-factor');
    const made = await client.post('/admin/account/two-factor/recovery-codes', { confirm: PASSWORD });
    expect(made.statusCode).toBe(200);
    codes = recoveryCodesIn(made.body);
  });

  it('are removed when two-factor is turned off (here with a recovery code)', async () => {
    clock = new Date(clock.getTime() + 2 * 3_600_000);
    const client = await halfway();
    await client.post('/admin/login/two-factor', { code: codes[0] as string, next: '/admin' });
    await client.get('/admin/account/two-factor');
    const wrong = await client.post('/admin/account/two-factor/disable', { code: 'zzzz-zzzz-zzzz-zzzz' });
    expect(wrong.statusCode).toBe(400);
    expect(fieldError(wrong.body, 'totp-code')).toContain('or an unused recovery code');
    const off = await client.post('/admin/account/two-factor/disable', { code: codes[1] as string });
    expect(off.statusCode).toBe(303);
    expect((await app.services.audit.recent(1))[0]).toMatchObject({
      action: 'two_factor_disabled',
      details: { recoveryCode: true },
    });
    expect(await left()).toBe(0);
    const rows = await app.database.db
      .selectFrom('recovery_codes')
      .innerJoin('users', 'users.id', 'recovery_codes.user_id')
      .select('code_hash')
      .where('users.email', '=', rita)
      .execute();
    expect(rows).toEqual([]);
    // With two-factor off there are no codes to make: back to the page that turns it on.
    await client.get('/admin/account/two-factor');
    const none = await client.post('/admin/account/two-factor/recovery-codes', { confirm: PASSWORD });
    expect(none.statusCode).toBe(303);
    expect(await left()).toBe(0);
  });
});
