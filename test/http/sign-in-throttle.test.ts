import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { AdminClient, fieldError } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';

const PASSWORD = 'correct horse battery';
let app: App;
let clock = new Date('2026-09-01T10:00:00.000Z');
const pauses: number[] = [];
let ip = 0;
const browser = () => new AdminClient(app.server, { ip: `198.18.7.${++ip}` });
const codeFor = (secret: string) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: clock.getTime() });

beforeAll(async () => {
  app = await createTestApp(
    { demo: false },
    {
      now: () => clock,
      pause: async (ms) => {
        pauses.push(ms);
      },
    },
  );
  for (const [name, email] of [
    ['Pia', 'pia@example.org'],
    ['Tom', 'tom@example.org'],
  ]) {
    await app.services.users.create({
      name: name as string,
      email: email as string,
      password: PASSWORD,
      role: 'author',
    });
  }
});
afterAll(async () => {
  await app?.close();
});

describe('failed sign-ins', () => {
  it('are answered later from the third failure on, then locked', async () => {
    const pia = browser();
    await pia.get('/admin/login');
    pauses.length = 0;
    for (let i = 0; i < 5; i++) {
      expect(
        (await pia.post('/admin/login', { email: 'pia@example.org', password: 'wrong password!' })).statusCode,
      ).toBe(401);
    }
    expect(pauses).toEqual([0, 0, 250, 500, 1000]);
    const locked = await pia.post('/admin/login', { email: 'pia@example.org', password: PASSWORD });
    expect(locked.statusCode).toBe(429);
    expect(pauses).toHaveLength(5);
  });

  it('wait as long for an unknown email as for a known one', async () => {
    await app.services.users.create({ name: 'Uli', email: 'uli@example.org', password: PASSWORD, role: 'author' });
    const failFive = async (email: string) => {
      const client = browser();
      await client.get('/admin/login');
      pauses.length = 0;
      for (let i = 0; i < 5; i++) {
        expect((await client.post('/admin/login', { email, password: 'wrong password!' })).statusCode).toBe(401);
      }
      return [...pauses];
    };
    const known = await failFive('uli@example.org');
    const unknown = await failFive('nobody-here@example.org');
    expect(unknown).toEqual(known);
    expect(known).toEqual([0, 0, 250, 500, 1000]);
  });

  it('wait on a timer that leaves the server free for other requests', async () => {
    const timed = await createTestApp({ demo: false }, { pause: undefined });
    try {
      await timed.services.users.create({ name: 'Una', email: 'una@example.org', password: PASSWORD, role: 'author' });
      const una = new AdminClient(timed.server, { ip: '198.18.9.1' });
      await una.get('/admin/login');
      const wrong = () => una.post('/admin/login', { email: 'una@example.org', password: 'wrong password!' });
      const timedWrong = async () => {
        const at = Date.now();
        expect((await wrong()).statusCode).toBe(401);
        return Date.now() - at;
      };
      await timedWrong();
      await timedWrong(); // no pause yet
      await timedWrong(); // 250 ms
      await timedWrong(); // 500 ms
      const started = Date.now();
      let otherAnsweredAfter = -1;
      const fifth = timedWrong(); // 1 s
      const other = timed.server.inject('/admin/login').then(() => {
        otherAnsweredAfter = Date.now() - started;
      });
      const fifthTook = await fifth;
      await other;
      // One generous lower bound on the real timer (1 s asked); the exact pauses are
      // checked as recorded above, where a busy machine cannot blur them.
      expect(fifthTook).toBeGreaterThanOrEqual(900);
      expect(otherAnsweredAfter).toBeLessThan(fifthTook);
    } finally {
      await timed.close();
    }
  });
});

describe('guesses sent in parallel', () => {
  it('are counted before they are checked: at most 5 of 30 wrong passwords are checked', async () => {
    await app.services.users.create({ name: 'Ada', email: 'ada@example.org', password: PASSWORD, role: 'author' });
    const clients = Array.from({ length: 30 }, () => browser());
    for (const c of clients) await c.get('/admin/login');
    const answers = await Promise.all(
      clients.map((c) => c.post('/admin/login', { email: 'ada@example.org', password: 'wrong password!' })),
    );
    const checked = answers.filter((a) => a.statusCode !== 429);
    expect(checked.length).toBeLessThanOrEqual(5);
    expect(checked.every((a) => a.statusCode === 401)).toBe(true);
  });

  it('are counted before they are checked: at most 5 of 30 wrong codes on one pending sign-in are checked', async () => {
    const pending = await withTwoFactor('Bea', 'bea@example.org');
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        pending.client.post('/admin/login/two-factor', { code: String(200000 + i), next: '/admin' }),
      ),
    );
    const checked = answers.filter((a) => a.statusCode !== 429);
    expect(checked.length).toBeLessThanOrEqual(5);
    // The pending sign-in has ended: not even the right code makes it a session.
    const right = await pending.client.request({
      method: 'POST',
      url: '/admin/login/two-factor',
      payload: new URLSearchParams({
        _csrf: pending.client.csrf,
        code: codeFor(pending.secret),
        next: '/admin',
      }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: pending.cookie },
    });
    expect(right.statusCode).not.toBe(303);
  });
});

/** A user with two-factor sign-in, and a browser that gave the password and owes the code. */
async function withTwoFactor(name: string, email: string) {
  await app.services.users.create({ name, email, password: PASSWORD, role: 'author' });
  const owner = browser();
  await owner.signIn(email, PASSWORD);
  const begun = await owner.get('/admin/account/two-factor');
  const secret = /name="secret" value="([A-Z2-7]+)"/.exec(begun.body)?.[1] as string;
  expect((await owner.post('/admin/account/two-factor', { secret, code: codeFor(secret) })).statusCode).toBe(200);
  clock = new Date(clock.getTime() + 60_000);
  const client = browser();
  expect((await client.signIn(email, PASSWORD)).headers.location).toMatch(/two-factor/);
  await client.get('/admin/login/two-factor?next=%2Fadmin');
  const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  return { client, secret, cookie };
}

describe('wrong two-factor codes', () => {
  it('end the pending sign-in at the 5th, which then starts over with the password, locked for a while', async () => {
    const tom = browser();
    expect((await tom.signIn('tom@example.org', PASSWORD)).statusCode).toBe(303);
    await tom.get('/admin/account');
    const begun = await tom.get('/admin/account/two-factor');
    const secret = /name="secret" value="([A-Z2-7]+)"/.exec(begun.body)?.[1] as string;
    expect(secret).toBeDefined();
    expect((await tom.post('/admin/account/two-factor', { secret, code: codeFor(secret) })).statusCode).toBe(200);
    clock = new Date(clock.getTime() + 60_000);

    // A second browser knows the password: it may try four codes, and the fifth ends it.
    const eve = browser();
    expect((await eve.signIn('tom@example.org', PASSWORD)).headers.location).toMatch(/two-factor/);
    await eve.get('/admin/login/two-factor?next=%2Fadmin');
    for (let i = 0; i < 4; i++) {
      const wrong = await eve.post('/admin/login/two-factor', { code: String(100000 + i), next: '/admin' });
      expect(wrong.statusCode).toBe(401);
      expect(fieldError(wrong.body, 'verify-code')).toContain('The two-factor code is not right');
    }
    const fifth = await eve.post('/admin/login/two-factor', { code: '100004', next: '/admin' });
    expect(fifth.statusCode).toBe(429);
    expect(fifth.body).toContain('Too many wrong two-factor codes');
    // The pending sign-in is gone: even the right code does not finish it.
    const after = await eve.post('/admin/login/two-factor', { code: codeFor(secret), next: '/admin' });
    expect(after.headers.location).toBe('/admin/login');
    // Starting over is locked for now (wrong codes count against the account too).
    const again = browser();
    await again.get('/admin/login');
    expect((await again.post('/admin/login', { email: 'tom@example.org', password: PASSWORD })).statusCode).toBe(429);
    // Once the lock has passed, the right code signs in.
    clock = new Date(clock.getTime() + 120_000);
    const later = browser();
    await later.signIn('tom@example.org', PASSWORD);
    await later.get('/admin/login/two-factor?next=%2Fadmin');
    expect((await later.post('/admin/login/two-factor', { code: codeFor(secret), next: '/admin' })).statusCode).toBe(
      303,
    );
  });
});
