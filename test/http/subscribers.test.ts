import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { AdminClient } from '../helpers/admin-client.js';
import { createTestApp, form } from '../helpers/app.js';
import { linkIn, startSmtpServer } from '../helpers/smtp.js';

/*
 * Readers' subscriptions (issue 20) over HTTP and a real SMTP server: double opt-in, the
 * throttles, robots, bad input, preferences, one-click unsubscribe, the mail events hook,
 * the admin's list, its CSV both ways, and a subscriber's data.
 */

const PASSWORD = 'subscribers test password';
const WEBHOOK_SECRET = 'hook-secret-0123456789-abcdefghij';
const POST_PATH = '/benefits-of-infant-massage/';

let app: App;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let clock = Date.parse('2026-11-20T10:00:00Z');
let ipCounter = 0;
/** A visitor address not used before: each visitor's sign-ups are throttled. */
const freshIp = () => `198.18.${Math.floor(++ipCounter / 250)}.${(ipCounter % 250) + 1}`;

const subscribe = (fields: Record<string, string>, ip = freshIp()) =>
  app.server.inject({ method: 'POST', url: '/subscribe', remoteAddress: ip, ...form(fields) });
const rowOf = (email: string) =>
  app.database.db.selectFrom('subscribers').selectAll().where('email', '=', email).executeTakeFirst();
const mailsTo = (email: string) => smtp.received.filter((m) => m.to && JSON.stringify(m.to).includes(email));
/** Waits until the messages being sent are accepted by the SMTP server (they go after the answer). */
const settle = () => app.services.subscribers.idle();
const pathOf = (link: string) => new URL(link).pathname;

/** Takes messages until one to `email` comes (others are left as read). */
async function nextTo(email: string): Promise<ParsedMail> {
  for (;;) {
    const mail = await smtp.next();
    if (JSON.stringify(mail.to).includes(email)) return mail;
  }
}

/** A multipart/form-data body with text fields and one file, as a browser sends it. */
function multipart(fields: Record<string, string>, file?: { field: string; name: string; data: string }) {
  const boundary = '----hearthsubs9QxW3';
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file)
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n${file.data}\r\n`,
      ),
    );
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** Subscribes and confirms an address; returns the preferences token. */
async function activeSubscriber(email: string, from = POST_PATH): Promise<string> {
  const res = await subscribe({ email, from });
  expect(res.statusCode).toBe(200);
  const mail = await nextTo(email);
  const confirm = await app.server.inject({
    method: 'POST',
    url: pathOf(linkIn(mail, 'http://blog.test/subscribe/confirm/')),
  });
  expect(confirm.statusCode).toBe(200);
  return (await rowOf(email))?.token as string;
}

beforeAll(async () => {
  smtp = await startSmtpServer();
  app = await createTestApp(
    { smtpUrl: smtp.url, mailFrom: 'Hearth test <blog@example.org>', mailWebhookSecret: WEBHOOK_SECRET },
    { now: () => new Date(clock) },
  );
  for (const role of ['owner', 'editor', 'contributor'] as const)
    await app.services.users.create({ name: `The ${role}`, email: `${role}@example.org`, password: PASSWORD, role });
});
afterAll(async () => {
  await app?.close();
  await smtp?.close();
});

describe('double opt-in', () => {
  it('shows the form on a post page without script, then subscribe -> email -> link page -> POST confirm -> active', async () => {
    const page = await app.server.inject(POST_PATH);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('action="/subscribe"');
    expect(page.body).toContain(`name="from" value="${POST_PATH}"`);
    expect(page.body).toContain('id="subscribe-post-email"');
    expect(page.body).toContain('id="subscribe-footer-email"');

    const res = await subscribe({ email: '  Ida.Berg+blog@Example.ORG ', name: 'Ida Berg', from: POST_PATH });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.body).toContain('Check your inbox');
    // A reader's page looks like the blog (the theme), not the admin, and offers no second form.
    const title = (await app.services.settings.get()).title;
    expect(res.body).toContain(`<title>Check your inbox · ${title}</title>`);
    expect(res.body).toContain('class="site-footer"');
    expect(res.body).not.toContain('Hearth admin');
    expect(res.body).not.toContain('id="subscribe-footer-email"');
    expect(res.body).toContain('At most one message an hour is sent to an address');
    expect(res.body).toContain(`<a href="${POST_PATH}">Back to the site</a>`);
    const row = await rowOf('ida.berg+blog@example.org');
    expect(row).toMatchObject({ status: 'pending', name: 'Ida Berg', source: 'form', source_path: POST_PATH });

    const mail = await nextTo('ida.berg+blog@example.org');
    expect(mail.subject).toMatch(/^Confirm your subscription to /);
    expect(mail.html).toBe(false);
    expect(mail.text).toMatch(/^Hello Ida Berg,\n/);
    const link = linkIn(mail, 'http://blog.test/subscribe/confirm/');
    const token = link.split('/').pop() as string;
    // Only the hash of the link's token is kept.
    expect(row?.confirm_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(token);

    // A mail scanner following the link changes nothing.
    const shown = await app.server.inject(pathOf(link));
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('Confirm my subscription');
    expect(shown.body).toContain(`<title>Confirm your subscription · ${title}</title>`);
    expect((await rowOf('ida.berg+blog@example.org'))?.status).toBe('pending');

    const confirmed = await app.server.inject({ method: 'POST', url: pathOf(link) });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toContain('You are subscribed');
    const active = await rowOf('ida.berg+blog@example.org');
    expect(active).toMatchObject({
      status: 'active',
      consent_at: new Date(clock).toISOString(),
      consent_note: `double opt-in from ${POST_PATH}`,
    });
    expect(confirmed.body).toContain(`/subscription/${active?.token}`);

    // A second click (or a second tab) says it is done already, with the reader's page.
    for (const again of [
      await app.server.inject({ method: 'POST', url: pathOf(link) }),
      await app.server.inject(pathOf(link)),
    ]) {
      expect(again.statusCode).toBe(200);
      expect(again.body).toContain('Your subscription is confirmed already');
      expect(again.body).toContain(`href="/subscription/${active?.token}"`);
    }
    expect((await rowOf('ida.berg+blog@example.org'))?.consent_at).toBe(active?.consent_at);
  });

  it('answers forged and malformed links with a 404 page, never a 500', async () => {
    for (const url of [
      '/subscribe/confirm/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      '/subscribe/confirm/short',
      '/subscription/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      '/subscription/not*a*token',
      '/subscription/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/unsubscribe',
    ]) {
      expect((await app.server.inject(url)).statusCode, url).toBe(404);
      expect((await app.server.inject({ method: 'POST', url, ...form({}) })).statusCode, url).toBe(404);
    }
    // A path Fastify cannot decode is a 400, before any route.
    expect((await app.server.inject('/subscribe/confirm/%00%FF')).statusCode).toBeLessThan(500);
  });

  it('sends one confirmation an hour to an address asked for 1000 times; an active one its page, once an hour', async () => {
    const email = 'many.times@example.org';
    const answers: number[] = [];
    // 200 visitors, 5 sign-ups each: all within the per-visitor limit, in parallel batches.
    for (let batch = 0; batch < 20; batch++) {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => subscribe({ email }, `198.19.${batch}.${(i % 10) + 1}`)),
      );
      answers.push(...results.map((r) => r.statusCode));
    }
    expect(answers).toHaveLength(1000);
    expect(new Set(answers)).toEqual(new Set([200]));
    await settle();
    expect(mailsTo(email)).toHaveLength(1);

    // An hour later the visitor may get another (the first may be lost).
    clock += 61 * 60 * 1000;
    expect((await subscribe({ email })).statusCode).toBe(200);
    expect((await subscribe({ email })).statusCode).toBe(200);
    await settle();
    expect(mailsTo(email)).toHaveLength(2);

    // The newest link confirms; the older one no longer does.
    const [first, second] = mailsTo(email) as [ParsedMail, ParsedMail];
    const old = pathOf(linkIn(first, 'http://blog.test/subscribe/confirm/'));
    expect((await app.server.inject({ method: 'POST', url: old })).statusCode).toBe(404);
    const fresh = pathOf(linkIn(second, 'http://blog.test/subscribe/confirm/'));
    expect((await app.server.inject({ method: 'POST', url: fresh })).statusCode).toBe(200);

    // Active: the same answer (nobody learns who is subscribed); the reader gets the link to
    // their page, at most once an hour.
    clock += 61 * 60 * 1000;
    const again = await subscribe({ email });
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('Check your inbox');
    await settle();
    const already = mailsTo(email)[2] as ParsedMail;
    expect(already.subject).toMatch(/^You are already subscribed to /);
    expect(linkIn(already, 'http://blog.test/subscription/')).toBe(
      `http://blog.test/subscription/${(await rowOf(email))?.token}`,
    );
    expect((await subscribe({ email })).body).toContain('Check your inbox');
    await settle();
    expect(mailsTo(email)).toHaveLength(3);
  });

  it('answers the sixth sign-up of one visitor in an hour with 429 and a clear message', async () => {
    const ip = freshIp();
    for (let i = 1; i <= 5; i++)
      expect((await subscribe({ email: `visitor${i}@example.org` }, ip)).statusCode).toBe(200);
    const sixth = await subscribe({ email: 'visitor6@example.org' }, ip);
    expect(sixth.statusCode).toBe(429);
    expect(sixth.headers['retry-after']).toBe('3600');
    expect(sixth.body).toContain('Too many sign-ups from your connection');
    expect(await rowOf('visitor6@example.org')).toBeUndefined();
    // Counted in one statement: parallel requests get no more.
    const other = freshIp();
    const parallel = await Promise.all(
      Array.from({ length: 12 }, (_, i) => subscribe({ email: `parallel${i}@example.org` }, other)),
    );
    expect(parallel.filter((r) => r.statusCode === 200)).toHaveLength(5);
    expect(parallel.filter((r) => r.statusCode === 429)).toHaveLength(7);
    // The throttle keeps a salted hash, never the address.
    const keys = await app.database.db.selectFrom('subscribe_throttle').select('key').execute();
    expect(keys.every((k) => /^[0-9a-f]{64}$/.test(k.key) && !k.key.includes(other))).toBe(true);
    // An hour later the visitor may sign up again.
    clock += 61 * 60 * 1000;
    expect((await subscribe({ email: 'visitor6@example.org' }, ip)).statusCode).toBe(200);
  });

  it('drops a robot’s sign-up (the hidden field filled in) silently', async () => {
    const res = await subscribe({ email: 'robot@example.org', website: 'http://spam.example/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Check your inbox');
    await settle();
    expect(await rowOf('robot@example.org')).toBeUndefined();
    expect(mailsTo('robot@example.org')).toHaveLength(0);
  });

  it('refuses malformed addresses and names with line breaks, 400 naming the field', async () => {
    for (const email of [
      '',
      'no-at-sign',
      'two@@example.org',
      'ida@localhost',
      'ida@example.c',
      '.ida@example.org',
      'ida..berg@example.org',
      'ida@-example.org',
      'ida berg@example.org',
      '"ida"@example.org',
      `${'a'.repeat(250)}@example.org`,
      'ida@example.org\r\nBcc: victim@example.org',
    ]) {
      const res = await subscribe({ email });
      expect(res.statusCode, email).toBe(400);
      expect(res.body, email).toContain('id="subscribe-email-error"');
    }
    for (const name of ['Ida\r\nBcc: victim@example.org', 'Ida\nBerg', 'Ida\u0000', 'x'.repeat(101)]) {
      const res = await subscribe({ email: 'named@example.org', name });
      expect(res.statusCode, JSON.stringify(name)).toBe(400);
      expect(res.body).toContain('id="subscribe-name-error"');
      expect(res.body).toContain('value="named@example.org"');
    }
    expect(await rowOf('named@example.org')).toBeUndefined();
    // Bytes that are not UTF-8: 400 naming the field.
    const bad = await app.server.inject({
      method: 'POST',
      url: '/subscribe',
      payload: 'email=ida%FF%40example.org',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('email');
  });

  it('answers a form sent without a body, or odd fields, with the field’s own message', async () => {
    const bare = await app.server.inject({ method: 'POST', url: '/subscribe', remoteAddress: freshIp() });
    expect(bare.statusCode).toBe(400);
    expect(bare.body).toContain('Please enter your email address.');
    expect(bare.body).not.toContain('must be object');
    expect(bare.body).toContain('href="#subscribe-email"');
    const long = await subscribe({ email: `${'a'.repeat(1200)}@example.org`, name: 'n'.repeat(1200) });
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('The email address must be at most 254 characters.');
    expect(long.body).toContain('The name must be at most 100 characters.');
    expect(long.body).not.toContain('must NOT have more');
    const page = await app.server.inject(`/subscribe?from=${encodeURIComponent(POST_PATH)}`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('private, no-store');
    expect(page.body).toContain(`<title>Subscribe by email · ${(await app.services.settings.get()).title}</title>`);
    expect(page.body).not.toContain('id="subscribe-footer-email"');
  });

  it('takes no sign-ups and shows no form when subscriptions are off', async () => {
    await app.services.settings.update({ subscriptionsEnabled: false });
    try {
      const page = await app.server.inject('/');
      expect(page.body).not.toContain('action="/subscribe"');
      expect((await subscribe({ email: 'off@example.org' })).statusCode).toBe(404);
      expect(await rowOf('off@example.org')).toBeUndefined();
    } finally {
      await app.services.settings.update({ subscriptionsEnabled: true });
    }
    expect((await app.server.inject('/')).body).toContain('action="/subscribe"');
  });
});

describe('a reader’s own page', () => {
  it('changes frequency and categories; refuses what is not offered', async () => {
    const token = await activeSubscriber('prefs@example.org');
    const page = await app.server.inject(`/subscription/${token}`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('private, no-store');
    // The blog's look: the theme's page, its check boxes and radios beside their labels.
    expect(page.body).toContain(`<title>Your subscription · ${(await app.services.settings.get()).title}</title>`);
    expect(page.body).toContain('<form class="comment-form" method="post" action="/subscription/');
    expect(page.body).toMatch(/<p class="field field--check"><input type="checkbox" id="preferences-category-\d+"/);
    expect(page.body).toContain(`<a href="${POST_PATH}">Back to the site</a>`);
    expect(page.body).not.toContain('id="subscribe-footer-email"');
    const categories = await app.database.db.selectFrom('categories').select('id').orderBy('id').limit(2).execute();
    expect(categories.length).toBeGreaterThan(0);
    const first = categories[0]?.id as number;
    const saved = await app.server.inject({
      method: 'POST',
      url: `/subscription/${token}`,
      ...form({ frequency: 'digest', [`category_${first}`]: '1' }),
    });
    expect(saved.statusCode).toBe(303);
    const row = await rowOf('prefs@example.org');
    expect(row?.frequency).toBe('digest');
    const chosen = await app.database.db
      .selectFrom('subscriber_categories')
      .select('category_id')
      .where('subscriber_id', '=', row?.id as number)
      .execute();
    expect(chosen.map((c) => c.category_id)).toEqual([first]);
    expect((await app.server.inject(`/subscription/${token}?saved=1`)).body).toContain('Your choices are saved.');

    const badFrequency = await app.server.inject({
      method: 'POST',
      url: `/subscription/${token}`,
      ...form({ frequency: 'hourly' }),
    });
    expect(badFrequency.statusCode).toBe(400);
    expect(badFrequency.body).toContain('every post or the weekly digest');
    const badCategory = await app.server.inject({
      method: 'POST',
      url: `/subscription/${token}`,
      ...form({ frequency: 'every', category_999999: '1' }),
    });
    expect(badCategory.statusCode).toBe(400);
    expect(badCategory.body).toContain('One of the categories chosen does not exist');
    // A field the page does not have is ignored; a long value gets the form's message, never a schema's.
    const odd = await app.server.inject({
      method: 'POST',
      url: `/subscription/${token}`,
      ...form({ frequency: 'x'.repeat(500), extra: '1' }),
    });
    expect(odd.statusCode).toBe(400);
    expect(odd.body).toContain('every post or the weekly digest');
    expect(odd.body).not.toContain('must NOT');
    // None chosen: every category.
    await app.server.inject({ method: 'POST', url: `/subscription/${token}`, ...form({ frequency: 'every' }) });
    expect(
      await app.database.db
        .selectFrom('subscriber_categories')
        .selectAll()
        .where('subscriber_id', '=', row?.id as number)
        .execute(),
    ).toEqual([]);
  });

  it('unsubscribes with one click (RFC 8058): no cookies, no token, urlencoded or multipart', async () => {
    const token = await activeSubscriber('oneclick@example.org');
    const page = await app.server.inject(`/subscription/${token}/unsubscribe`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`action="/subscription/${token}/unsubscribe"`);
    expect((await rowOf('oneclick@example.org'))?.status).toBe('active');

    const res = await app.server.inject({
      method: 'POST',
      url: `/subscription/${token}/unsubscribe`,
      payload: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.statusCode).toBe(200);
    expect(await rowOf('oneclick@example.org')).toMatchObject({
      status: 'unsubscribed',
      unsubscribed_at: new Date(clock).toISOString(),
    });
    // Twice is no error.
    expect(
      (await app.server.inject({ method: 'POST', url: `/subscription/${token}/unsubscribe`, ...form({}) })).statusCode,
    ).toBe(200);

    const other = await activeSubscriber('oneclick-multipart@example.org');
    const multi = await app.server.inject({
      method: 'POST',
      url: `/subscription/${other}/unsubscribe`,
      ...multipart({ 'List-Unsubscribe': 'One-Click' }),
    });
    expect(multi.statusCode).toBe(200);
    expect((await rowOf('oneclick-multipart@example.org'))?.status).toBe('unsubscribed');

    // Subscribing again takes a new confirmation (the first was sent less than an hour ago).
    clock += 61 * 60 * 1000;
    const back = await subscribe({ email: 'oneclick@example.org' });
    expect(back.statusCode).toBe(200);
    const mail = await nextTo('oneclick@example.org');
    await app.server.inject({ method: 'POST', url: pathOf(linkIn(mail, 'http://blog.test/subscribe/confirm/')) });
    expect(await rowOf('oneclick@example.org')).toMatchObject({ status: 'active', unsubscribed_at: null });
  });
});

describe('the mail events hook', () => {
  const hook = (payload: unknown, authorization?: string, contentType = 'application/json') =>
    app.server.inject({
      method: 'POST',
      url: '/hooks/mail-events',
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      headers: { 'content-type': contentType, ...(authorization ? { authorization } : {}) },
    });

  it('refuses a missing or wrong secret (401) and a bad body (400), never 500', async () => {
    const events = { events: [{ type: 'bounce', email: 'nobody@example.org' }] };
    expect((await hook(events)).statusCode).toBe(401);
    expect((await hook(events, 'Bearer wrong')).statusCode).toBe(401);
    expect((await hook(events, `Basic ${WEBHOOK_SECRET}`)).statusCode).toBe(401);
    expect((await hook(events, `Bearer ${WEBHOOK_SECRET}x`)).statusCode).toBe(401);
    const auth = `Bearer ${WEBHOOK_SECRET}`;
    for (const body of [
      '{not json',
      { events: 'bounce' },
      { events: [{ type: 'delivered', email: 'a@example.org' }] },
      { events: [{ type: 'bounce' }] },
      {},
    ]) {
      const res = await hook(body, auth);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code).toBe('HEARTH_ERR_MAIL_WEBHOOK_BODY');
    }
    expect((await hook('events', auth, 'text/plain')).statusCode).toBe(400);
    const ok = await hook(events, auth);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ received: 1, known: 0 });
  });

  it('counts bounces up to bounced at three, and makes a complaint complained at once', async () => {
    await activeSubscriber('bouncy@example.org');
    await activeSubscriber('grumpy@example.org');
    const auth = `Bearer ${WEBHOOK_SECRET}`;
    for (let i = 1; i <= 2; i++) {
      const res = await hook({ events: [{ type: 'bounce', email: 'Bouncy@Example.org' }] }, auth);
      expect(res.json()).toEqual({ received: 1, known: 1 });
      expect(await rowOf('bouncy@example.org')).toMatchObject({ status: 'active', bounces: i });
    }
    const third = await hook(
      {
        events: [
          { type: 'bounce', email: 'bouncy@example.org' },
          { type: 'complaint', email: 'grumpy@example.org' },
          { type: 'bounce', email: 'stranger@example.org' },
        ],
      },
      auth,
    );
    expect(third.json()).toEqual({ received: 3, known: 2 });
    expect(await rowOf('bouncy@example.org')).toMatchObject({ status: 'bounced', bounces: 3 });
    expect((await rowOf('grumpy@example.org'))?.status).toBe('complained');
    expect(await rowOf('stranger@example.org')).toBeUndefined();
    // Neither is mailed again, whatever the form is sent.
    clock += 2 * 60 * 60 * 1000;
    await subscribe({ email: 'bouncy@example.org' });
    await subscribe({ email: 'grumpy@example.org' });
    await settle();
    expect(mailsTo('bouncy@example.org')).toHaveLength(1);
    expect(mailsTo('grumpy@example.org')).toHaveLength(1);
    // The door's recordBounce (for the newsletter sender) counts the same way.
    expect(await app.services.subscribers.recordBounce('nobody-at-all@example.org')).toBe(false);
  });
});

describe('the admin', () => {
  let editor: AdminClient;
  beforeAll(async () => {
    editor = new AdminClient(app.server);
    await editor.signIn('editor@example.org', PASSWORD);
  });

  it('is for editors and above: a contributor gets 403', async () => {
    const contributor = new AdminClient(app.server, { ip: '198.51.100.9' });
    await contributor.signIn('contributor@example.org', PASSWORD);
    for (const url of ['/admin/subscribers', '/admin/subscribers/export.csv', '/admin/subscribers/import'])
      expect((await contributor.get(url)).statusCode, url).toBe(403);
    expect(
      (await contributor.post('/admin/subscribers', { email: 'x@example.org', consentNote: 'x' })).statusCode,
    ).toBe(403);
    const list = await editor.get('/admin/subscribers');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('href="/admin/subscribers" aria-current="page"');
  });

  it('adds by hand only with a consent note, finds, filters and counts', async () => {
    const missing = await editor.post('/admin/subscribers', {
      email: 'fair@example.org',
      name: 'Fay',
      consentNote: '',
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('id="subscriber-consentNote-error"');
    const longNote = await editor.post('/admin/subscribers', {
      email: 'long@example.org',
      consentNote: 'x'.repeat(1200),
    });
    expect(longNote.statusCode).toBe(400);
    expect(longNote.body).toContain('The consent note must be one line of at most 500 characters.');
    expect(longNote.body).not.toContain('must NOT have more');
    const bad = await editor.post('/admin/subscribers', { email: 'not an address', consentNote: 'asked me' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('id="subscriber-email-error"');
    const added = await editor.post('/admin/subscribers', {
      email: 'Fair@Example.org',
      name: 'Fay Fairweather',
      consentNote: 'asked me at the fair',
    });
    expect(added.statusCode).toBe(303);
    expect(await rowOf('fair@example.org')).toMatchObject({
      status: 'active',
      source: 'admin',
      consent_note: 'asked me at the fair',
    });
    const twice = await editor.post('/admin/subscribers', { email: 'fair@example.org', consentNote: 'again' });
    expect(twice.statusCode).toBe(409);
    expect(twice.body).toContain('on the list already');

    const found = await editor.get('/admin/subscribers?q=fairweather');
    expect(found.body).toContain('fair@example.org');
    expect(found.body).not.toContain('ida.berg+blog@example.org');
    const bySource = await editor.get('/admin/subscribers?source=admin&status=active');
    expect(bySource.body).toContain('fair@example.org');
    expect(bySource.body).not.toContain('prefs@example.org');
    const byStatus = await editor.get('/admin/subscribers?status=bounced');
    expect(byStatus.body).toContain('bouncy@example.org');
    expect(byStatus.body).not.toContain('fair@example.org');
    // A page past the end of a list with results says so, not "no subscriber matches".
    const past = await editor.get('/admin/subscribers?q=fair&page=9');
    expect(past.body).not.toContain('No subscriber matches.');
    expect(past.body).toContain('past the end of the list');
    expect(found.body).toMatch(/<time datetime="[^"]+">November 20, 2026<\/time>/);
    // A search's % and _ are plain text.
    expect((await editor.get('/admin/subscribers?q=%25')).body).toContain('No subscriber matches.');
    const counts = await app.services.subscribers.counts();
    expect(counts.bounced).toBe(1);
    expect(counts.complained).toBe(1);
    expect((await editor.get('/admin/subscribers?status=nonsense')).statusCode).toBe(400);
  });

  it('pages a list of thousands', async () => {
    const at = new Date(clock).toISOString();
    const rows = Array.from({ length: 2000 }, (_, i) => ({
      email: `bulk${String(i).padStart(5, '0')}@bulk.example`,
      token: `bulk-token-${i}`,
      status: 'active' as const,
      source: 'import' as const,
      created_at: at,
      updated_at: at,
    }));
    for (let i = 0; i < rows.length; i += 200)
      await app.database.db
        .insertInto('subscribers')
        .values(rows.slice(i, i + 200))
        .execute();
    const page = await editor.get('/admin/subscribers?q=bulk.example&page=3');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('2000 found, page 3 of 40');
    expect(page.body).toContain('rel="next"');
    await app.database.db.deleteFrom('subscribers').where('email', 'like', '%@bulk.example').execute();
  });

  it('exports CSV with quoting and a guard against spreadsheet formulas', async () => {
    await editor.post('/admin/subscribers', {
      email: 'formula@example.org',
      name: '=HYPERLINK("http://evil.example","click")',
      consentNote: '+asked, "kindly", by phone',
    });
    await editor.post('/admin/subscribers', { email: 'at@example.org', name: '@sum', consentNote: '-minus' });
    const res = await editor.get('/admin/subscribers/export.csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="subscribers.csv"');
    expect(res.body.split('\r\n')[0]).toBe(
      '\uFEFFemail,name,status,frequency,source,consent_at,consent_note,created_at',
    );
    expect(res.body).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    const records = parse(res.body, { columns: true, bom: true }) as Record<string, string>[];
    const formula = records.find((r) => r.email === 'formula@example.org');
    expect(formula).toMatchObject({
      name: `'=HYPERLINK("http://evil.example","click")`,
      consent_note: `'+asked, "kindly", by phone`,
      status: 'active',
      source: 'admin',
    });
    expect(records.find((r) => r.email === 'at@example.org')).toMatchObject({ name: "'@sum", consent_note: "'-minus" });
    expect(records.every((r) => !/^[=+\-@]/.test(Object.values(r).join('')))).toBe(true);
  });

  const importCsv = (csv: string, fields: Record<string, string>) =>
    editor.request({
      method: 'POST',
      url: '/admin/subscribers/import',
      ...multipart({ _csrf: editor.csrf, ...fields }, { field: 'file', name: 'list.csv', data: csv }),
    });

  const CSV = [
    'Email,Name,consent_at,Status,Favourite colour',
    'anna@import.example,Anna,2024-05-01,active,red',
    'not-an-address,Bad,2024-05-01,,blue',
    'carl@import.example,Carl,2024-13-40,,green',
    'dora@import.example,"Dora ""D"" Dean",,unsubscribed,',
    'erik@import.example,Erik,,,',
    'fair@example.org,Fay Updated,2023-01-02,,',
    'anna@import.example,Anna again,2024-05-01,,',
    'gus@import.example,Gus,2024-05-01,maybe,',
  ].join('\r\n');

  it('imports all or nothing: a bad row leaves nothing written, with each problem by line and field', async () => {
    await editor.get('/admin/subscribers/import');
    const res = await importCsv(CSV, { mode: 'all-or-nothing', consentNote: '' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Nothing was imported');
    for (const [line, field] of [
      [3, 'email'],
      [4, 'consent_at'],
      [6, 'consent_at'],
      [8, 'email'],
      [9, 'status'],
    ] as const)
      expect(res.body).toMatch(new RegExp(`<th scope="row">${line}</th><td data-label="Column">${field}</td>`));
    expect(res.body).toContain('Columns not imported: favourite colour');
    expect(await rowOf('anna@import.example')).toBeUndefined();
    expect(await rowOf('dora@import.example')).toBeUndefined();
    expect((await rowOf('fair@example.org'))?.name).toBe('Fay Fairweather');
  });

  it('imports the good rows in one transaction, updating known addresses, never doubling them', async () => {
    const res = await importCsv(CSV, { mode: 'good-rows', consentNote: '' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Imported: 2 added, 1 updated, 5 bad rows left out.');
    expect(await rowOf('anna@import.example')).toMatchObject({
      status: 'active',
      source: 'import',
      name: 'Anna',
      consent_at: '2024-05-01T00:00:00.000Z',
    });
    expect(await rowOf('dora@import.example')).toMatchObject({ status: 'unsubscribed', name: 'Dora "D" Dean' });
    // No consent date and no note for the import: not imported as active.
    expect(await rowOf('erik@import.example')).toBeUndefined();
    expect(await rowOf('fair@example.org')).toMatchObject({ name: 'Fay Updated', source: 'admin' });
    const fairs = await app.database.db
      .selectFrom('subscribers')
      .select('id')
      .where('email', '=', 'fair@example.org')
      .execute();
    expect(fairs).toHaveLength(1);

    // With a note for the whole import, rows without a date are active.
    const noted = await importCsv('email\r\nerik@import.example\r\n', {
      mode: 'all-or-nothing',
      consentNote: 'signed up on my old blog',
    });
    expect(noted.body).toContain('Imported: 1 added, 0 updated');
    expect(await rowOf('erik@import.example')).toMatchObject({
      status: 'active',
      consent_note: 'signed up on my old blog',
    });
  });

  it('never re-subscribes a known address that left, bounced or complained, nor rewrites its consent', async () => {
    const at = new Date(clock).toISOString();
    const known = [
      ['zed@left.example', 'unsubscribed'],
      ['yan@left.example', 'unsubscribed'],
      ['xia@left.example', 'bounced'],
      ['wim@left.example', 'complained'],
      ['vic@left.example', 'active'],
    ] as const;
    await app.database.db
      .insertInto('subscribers')
      .values(
        known.map(([email, status], i) => ({
          email,
          status,
          source: 'form' as const,
          token: `left-token-${i}`,
          consent_at: '2020-02-02T00:00:00.000Z',
          consent_note: 'double opt-in from /old/',
          created_at: at,
          updated_at: at,
        })),
      )
      .execute();
    const csv = `email,status,consent_at\r\n${known.map(([e]) => `${e},active,2024-01-01`).join('\r\n')}\r\n`;
    const res = await importCsv(csv, { mode: 'good-rows', consentNote: 'my old list' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('2 unsubscribed themselves: left unsubscribed');
    expect(res.body).toContain('1 bounced: left bounced');
    expect(res.body).toContain('1 reported mail as spam: left complained');
    for (const [email, status] of known)
      expect(await rowOf(email), email).toMatchObject({
        status,
        consent_at: '2020-02-02T00:00:00.000Z',
        consent_note: 'double opt-in from /old/',
      });
    // Adding one by hand says why it cannot be done.
    const byHand = await editor.post('/admin/subscribers', { email: 'zed@left.example', consentNote: 'asked again' });
    expect(byHand.statusCode).toBe(409);
    expect(byHand.body).toContain('unsubscribed: only its reader can subscribe again');
    expect((await rowOf('zed@left.example'))?.status).toBe('unsubscribed');
  });

  it('re-imports its own export: BOM, formula guards, every status; semicolons; empty files', async () => {
    const at = new Date(clock).toISOString();
    await app.database.db
      .insertInto('subscribers')
      .values(
        (['pending', 'bounced', 'complained', 'unsubscribed'] as const).map((status, i) => ({
          email: `trip-${status}@trip.example`,
          name: i === 0 ? '=Pen' : '',
          status,
          source: 'form' as const,
          token: `trip-token-${i}`,
          created_at: at,
          updated_at: at,
        })),
      )
      .execute();
    const exported = await editor.get('/admin/subscribers/export.csv');
    expect(exported.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const tripRows = exported.body
      .replace(/^\uFEFF/, '')
      .split('\r\n')
      .filter((l, i) => i === 0 || l.includes('@trip.example'))
      .join('\r\n');
    await app.database.db.deleteFrom('subscribers').where('email', 'like', '%@trip.example').execute();
    for (const mode of ['all-or-nothing', 'good-rows']) {
      const res = await importCsv(`\uFEFF${tripRows}\r\n`, { mode, consentNote: '' });
      expect(res.statusCode, mode).toBe(200);
      expect(res.body, mode).toContain(
        mode === 'all-or-nothing' ? 'Imported: 4 added' : 'Imported: 0 added, 4 updated',
      );
    }
    expect(await rowOf('trip-pending@trip.example')).toMatchObject({ status: 'pending', name: '=Pen' });
    expect((await rowOf('trip-bounced@trip.example'))?.status).toBe('bounced');
    expect((await rowOf('trip-complained@trip.example'))?.status).toBe('complained');
    expect((await rowOf('trip-unsubscribed@trip.example'))?.status).toBe('unsubscribed');

    const semi = await importCsv('email;name;consent_at\r\nsemi@trip.example;Semi;2024-03-03\r\n', {
      mode: 'good-rows',
      consentNote: '',
    });
    expect(semi.statusCode).toBe(200);
    expect(semi.body).toContain('Imported: 1 added');
    expect(await rowOf('semi@trip.example')).toMatchObject({ name: 'Semi', status: 'active' });
    const empty = await importCsv('', { mode: 'good-rows', consentNote: '' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('The file is empty');
    const noAddress = await importCsv('email,name\r\n,Nobody\r\n', { mode: 'good-rows', consentNote: '' });
    expect(noAddress.body).toContain('No email address.');
    expect(noAddress.body).not.toContain('Please enter your email address');
  });

  it('refuses a file without an email column, broken CSV, or no file, naming the field', async () => {
    const noEmail = await importCsv('name\r\nAnna\r\n', { mode: 'good-rows', consentNote: '' });
    expect(noEmail.statusCode).toBe(400);
    expect(noEmail.body).toContain('at least one called');
    const broken = await importCsv('email,name\r\n"anna@x.example,Anna\r\n', { mode: 'good-rows', consentNote: '' });
    expect(broken.statusCode).toBe(400);
    expect(broken.body).toContain('The CSV file cannot be read');
    const none = await editor.request({
      method: 'POST',
      url: '/admin/subscribers/import',
      ...multipart({ _csrf: editor.csrf, mode: 'good-rows' }),
    });
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('id="import-file-error"');
    const mode = await importCsv('email\r\n', { mode: 'sometimes', consentNote: '' });
    expect(mode.statusCode).toBe(400);
  });

  it('downloads one subscriber’s data without secrets, and erases them with their records', async () => {
    const token = await activeSubscriber('gdpr@example.org');
    const row = (await rowOf('gdpr@example.org')) as NonNullable<Awaited<ReturnType<typeof rowOf>>>;
    const category = await app.database.db.selectFrom('categories').select(['id', 'name']).executeTakeFirstOrThrow();
    await app.server.inject({
      method: 'POST',
      url: `/subscription/${token}`,
      ...form({ frequency: 'digest', [`category_${category.id}`]: '1' }),
    });
    const at = new Date(clock).toISOString();
    const newsletter = await app.database.db
      .insertInto('newsletters')
      .values({ kind: 'post', key: 'post:gdpr-test', subject: 'A test send', send_at: at, created_at: at })
      .returning('id')
      .executeTakeFirstOrThrow();
    await app.database.db
      .insertInto('newsletter_recipients')
      .values({ newsletter_id: newsletter.id, subscriber_id: row.id, email: row.email, state: 'sent', sent_at: at })
      .execute();

    const page = await editor.get(`/admin/subscribers/${row.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('gdpr@example.org');
    const exported = await editor.post(`/admin/subscribers/${row.id}/export`);
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-disposition']).toBe(`attachment; filename="subscriber-${row.id}.json"`);
    const data = exported.json();
    expect(data.subscriber).toMatchObject({ email: 'gdpr@example.org', status: 'active', frequency: 'digest' });
    expect(data.categories).toEqual([{ id: category.id, name: category.name }]);
    expect(data.newsletters).toEqual([
      { id: newsletter.id, kind: 'post', subject: 'A test send', email: 'gdpr@example.org', state: 'sent', sentAt: at },
    ]);
    expect(exported.body).not.toContain(token);
    expect(exported.body).not.toContain('confirm');

    // Dates as the rest of the admin writes them, not raw ISO.
    expect(page.body).toContain('November 20, 2026');
    expect(page.body).not.toMatch(/>2026-11-20T/);
    // The button leads to a page saying what goes (no script needed); only its POST erases.
    expect(page.body).not.toContain(`action="/admin/subscribers/${row.id}/erase"`);
    const ask = await editor.get(`/admin/subscribers/${row.id}/erase`);
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain('Erase gdpr@example.org?');
    expect(ask.body).toContain('the record of the 1 newsletters sent to them');
    expect(ask.body).toContain(`action="/admin/subscribers/${row.id}/erase"`);
    expect(await rowOf('gdpr@example.org')).toBeDefined();
    const erased = await editor.post(`/admin/subscribers/${row.id}/erase`);
    expect(erased.statusCode).toBe(303);
    expect(await rowOf('gdpr@example.org')).toBeUndefined();
    const left = await Promise.all([
      app.database.db.selectFrom('subscriber_categories').selectAll().where('subscriber_id', '=', row.id).execute(),
      app.database.db.selectFrom('newsletter_recipients').selectAll().where('subscriber_id', '=', row.id).execute(),
    ]);
    expect(left).toEqual([[], []]);
    expect((await app.server.inject(`/subscription/${token}`)).statusCode).toBe(404);
    expect((await editor.get(`/admin/subscribers/${row.id}`)).statusCode).toBe(404);
    const audit = await app.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('subject', '=', `subscriber:${row.id}`)
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['subscriber_erased', 'subscriber_exported']);
  });

  it('shows confirmed sign-ups per post in analytics', async () => {
    const owner = new AdminClient(app.server, { ip: '198.51.100.20' });
    await owner.signIn('owner@example.org', PASSWORD);
    await activeSubscriber('analytics@example.org', '/a-post-of-signups/');
    // Sign-ups confirmed in the period count whatever became of the address since.
    const left = await activeSubscriber('analytics-left@example.org', '/a-post-of-signups/');
    await app.server.inject({ method: 'POST', url: `/subscription/${left}/unsubscribe` });
    await activeSubscriber('analytics-bounced@example.org', '/a-post-of-signups/');
    await app.services.subscribers.recordComplaint('analytics-bounced@example.org');
    // Waiting, added by hand or imported: not a confirmed sign-up from the form.
    await subscribe({ email: 'analytics-waiting@example.org', from: '/a-post-of-signups/' });
    const res = await owner.get('/admin/analytics?days=7');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Newsletter sign-ups per post');
    expect(res.body).toMatch(
      /<a href="\/a-post-of-signups\/">\/a-post-of-signups\/<\/a><\/td><td data-label="Sign-ups">3<\/td>/,
    );
  });
});

describe('a mail server that does not answer', () => {
  it('does not hold the sign-up: the answer comes at once, the message is tried after it', async () => {
    // Accepts connections and never says a word, as a stuck mail server does.
    const net = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as import('node:net').AddressInfo).port;
    const quiet = await createTestApp({ smtpUrl: `smtp://127.0.0.1:${port}` });
    try {
      const started = performance.now();
      const res = await quiet.server.inject({
        method: 'POST',
        url: '/subscribe',
        remoteAddress: '198.18.250.1',
        ...form({ email: 'patient@example.org', from: POST_PATH }),
      });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('Check your inbox');
      // nodemailer would wait two minutes for the server's greeting.
      expect(performance.now() - started).toBeLessThan(5000);
    } finally {
      // The message was still waiting for the server: it fails when the server hangs up.
      while (sockets.length === 0) await new Promise((r) => setTimeout(r, 20));
      silent.close();
      for (const socket of sockets) socket.destroy();
      await quiet.services.subscribers.idle();
      await quiet.close();
    }
  });
});
