import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summariseUserAgent } from '../../src/domain/accounts/index.js';
import type { App } from '../../src/main.js';
import { AdminClient } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';

const PASSWORD = 'correct horse battery';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const ANDROID =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

let app: App;
let clock = new Date('2026-10-01T08:00:00.000Z');
let ip = 0;
const browser = (userAgent: string) =>
  new AdminClient(app.server, { ip: `198.18.1.${++ip}`, headers: { 'user-agent': userAgent } });

/** The signed-out-or-not test: a page only a live session opens. */
const live = async (client: AdminClient) => (await client.get('/admin')).statusCode === 200;

/** The key in the sign-out form of the listed session described as `device`. */
function keyOf(body: string, device: string): string | undefined {
  const item = body.split('<li class="sessions__item">').find((li) => li.includes(`<strong>${device}</strong>`)) ?? '';
  return /action="\/admin\/account\/sessions\/([0-9a-f]{32})\/end"/.exec(item)?.[1];
}

async function signedIn(email: string, userAgent: string): Promise<AdminClient> {
  const client = browser(userAgent);
  const res = await client.signIn(email, PASSWORD);
  expect(res.statusCode).toBe(303);
  return client;
}

beforeAll(async () => {
  app = await createTestApp({ demo: false }, { now: () => clock });
  await app.services.users.create({ name: 'Sam Writer', email: 'sam@example.org', password: PASSWORD, role: 'author' });
  await app.services.users.create({ name: 'Una Other', email: 'una@example.org', password: PASSWORD, role: 'author' });
});
afterAll(async () => {
  await app?.close();
});

describe('the sessions page', () => {
  it('lists the signed-in person’s sessions, newest first, with this device marked', async () => {
    const laptop = await signedIn('sam@example.org', FIREFOX);
    clock = new Date(clock.getTime() + 5 * 60_000);
    await signedIn('sam@example.org', ANDROID);
    clock = new Date(clock.getTime() + 5 * 60_000);
    await signedIn('sam@example.org', IPHONE);
    await signedIn('una@example.org', FIREFOX);

    const page = await laptop.get('/admin/account/sessions');
    expect(page.statusCode).toBe(200);
    const items = page.body.split('<li class="sessions__item">').slice(1);
    expect(items).toHaveLength(3);
    expect(items[0]).toContain('<strong>Safari on iPhone</strong>');
    expect(items[1]).toContain('<strong>Chrome on Android</strong>');
    expect(items[2]).toContain('<strong>Firefox on Linux</strong> <span class="badge">this device</span>');
    expect(items[2]).toContain('Signed in 2026-10-01 08:00 UTC; last seen 2026-10-01 08:10 UTC');
    // This device is signed out with the Sign out button, not from the list.
    expect(keyOf(page.body, 'Firefox on Linux')).toBeUndefined();
    expect(page.body).toContain('Sign out all other devices');
  });

  it('signs out one other session: its cookie stops working, the rest go on', async () => {
    clock = new Date(clock.getTime() + 60_000);
    const laptop = await signedIn('sam@example.org', FIREFOX);
    const phone = await signedIn('sam@example.org', 'Mozilla/5.0 (Linux; Android 13) Firefox/127.0');
    const tablet = await signedIn(
      'sam@example.org',
      'Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) Version/17.0 Safari/604.1',
    );
    const page = await laptop.get('/admin/account/sessions');
    const key = keyOf(page.body, 'Firefox on Android') as string;
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    // The key is not the session's stored id, and not the cookie.
    const ids = (await app.database.db.selectFrom('sessions').select('id').execute()).map((r) => r.id);
    expect(ids.some((id) => id.startsWith(key))).toBe(false);

    const ended = await laptop.post(`/admin/account/sessions/${key}/end`);
    expect(ended.statusCode).toBe(303);
    expect(ended.headers.location).toBe('/admin/account/sessions?ended=1');
    expect((await laptop.get(ended.headers.location as string)).body).toContain('One session is signed out.');
    expect(await live(phone)).toBe(false);
    expect(await live(tablet)).toBe(true);
    expect(await live(laptop)).toBe(true);
    expect((await app.services.audit.recent(1))[0]).toMatchObject({
      action: 'session_ended',
      actorEmail: 'sam@example.org',
      details: { device: 'Firefox on Android' },
    });

    // Again: it has ended already. A made-up key, a malformed one, a forged form: 4xx.
    await laptop.get('/admin/account/sessions');
    const again = await laptop.post(`/admin/account/sessions/${key}/end`);
    expect(again.statusCode).toBe(404);
    expect(again.body).toContain('This session has ended already');
    expect((await laptop.post(`/admin/account/sessions/${'0'.repeat(32)}/end`)).statusCode).toBe(404);
    expect((await laptop.post('/admin/account/sessions/not-a-key/end')).statusCode).toBe(400);
    const tabletKey = keyOf((await laptop.get('/admin/account/sessions')).body, 'Safari on iPad') as string;
    const forged = await laptop.post(`/admin/account/sessions/${tabletKey}/end`, { _csrf: 'forged' });
    expect(forged.statusCode).toBe(403);
    expect(await live(tablet)).toBe(true);
  });

  it('never signs out someone else’s session', async () => {
    const una = await signedIn('una@example.org', IPHONE);
    const unaKey = keyOf((await una.get('/admin/account/sessions')).body, 'Firefox on Linux') as string;
    expect(unaKey).toMatch(/^[0-9a-f]{32}$/);
    const sam = await signedIn('sam@example.org', FIREFOX);
    await sam.get('/admin/account/sessions');
    expect((await sam.post(`/admin/account/sessions/${unaKey}/end`)).statusCode).toBe(404);
    const unaIds = await app.database.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select('sessions.id')
      .where('users.email', '=', 'una@example.org')
      .execute();
    expect(unaIds).toHaveLength(2);
  });

  it('signs out all other devices; this one stays', async () => {
    const others = [await signedIn('sam@example.org', ANDROID), await signedIn('sam@example.org', IPHONE)];
    const una = await signedIn('una@example.org', ANDROID);
    const here = await signedIn('sam@example.org', FIREFOX);
    const before = await app.database.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select('sessions.id')
      .where('users.email', '=', 'sam@example.org')
      .execute();
    await here.get('/admin/account/sessions');
    const res = await here.post('/admin/account/sessions/end-others');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/admin/account/sessions?ended=${before.length - 1}`);
    for (const other of others) expect(await live(other)).toBe(false);
    expect(await live(here)).toBe(true);
    expect(await live(una)).toBe(true);
    const page = await here.get(res.headers.location as string);
    expect(page.body).toContain(`${before.length - 1} sessions are signed out.`);
    expect(page.body.split('<li class="sessions__item">')).toHaveLength(2);
    expect(page.body).toContain('You are signed in on this device only.');
    expect((await app.services.audit.recent(1))[0]).toMatchObject({
      action: 'other_sessions_ended',
      details: { count: before.length - 1 },
    });
  });

  it('signs out this device when its own key is sent, and asks to sign in', async () => {
    const here = await signedIn(
      'una@example.org',
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0',
    );
    const page = await here.get('/admin/account/sessions');
    expect(page.body).toContain('<strong>Edge on Windows</strong> <span class="badge">this device</span>');
    // Its key is not in a form; work it out from another of Una's sessions' page instead.
    const elsewhere = await signedIn('una@example.org', IPHONE);
    const key = keyOf((await elsewhere.get('/admin/account/sessions')).body, 'Edge on Windows') as string;
    const res = await here.post(`/admin/account/sessions/${key}/end`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/login?done=signed-out');
    expect(await live(here)).toBe(false);
    expect(await live(elsewhere)).toBe(true);
  });

  it('is only for the signed-in', async () => {
    const res = await browser(FIREFOX).get('/admin/account/sessions');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^\/admin\/login/);
  });
});

describe('summarising a User-Agent', () => {
  it('names the browser and the system in a few words', () => {
    expect(summariseUserAgent(FIREFOX)).toBe('Firefox on Linux');
    expect(summariseUserAgent(IPHONE)).toBe('Safari on iPhone');
    expect(summariseUserAgent(ANDROID)).toBe('Chrome on Android');
    expect(summariseUserAgent('curl/8.5.0')).toBe('curl');
    expect(summariseUserAgent('Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5)')).toBe('A browser on macOS');
    expect(summariseUserAgent(null)).toBe('Unknown browser');
    expect(summariseUserAgent('🤖 ünknown')).toBe('Unknown browser');
  });
});
