import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { AdminClient, fieldError } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';
import { linkIn, startSmtpServer } from '../helpers/smtp.js';

const PASSWORD = 'correct horse battery';

describe('over a real SMTP server', () => {
  let app: App;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let clock = new Date();
  let ip = 0;
  const browser = () => new AdminClient(app.server, { ip: `203.0.113.${++ip}` });
  /** The path of a link in a mail, as the browser requests it. */
  const pathOf = (link: string) => new URL(link).pathname;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    app = await createTestApp(
      { demo: false, smtpUrl: smtp.url, mailFrom: 'Hearth test <blog@example.org>' },
      { now: () => clock },
    );
    await app.services.users.create({
      name: 'Olive Owner',
      email: 'olive@example.org',
      password: PASSWORD,
      role: 'owner',
    });
    await app.services.settings.update({ title: 'Olive’s Kitchen' });
  });
  afterAll(async () => {
    await app?.close();
    await smtp?.close();
  });

  async function invite(email: string, role: string) {
    const owner = browser();
    await owner.signIn('olive@example.org', PASSWORD);
    await owner.get('/admin/users');
    return owner.post('/admin/users/invite', { email, role });
  }

  it('invites by email; the link creates the account with its role, signs it in, and works once', async () => {
    const sent = await invite('Ida@Example.org', 'contributor');
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe('/admin/users?invited=ida%40example.org');

    const mail = await smtp.next();
    expect(mail.from?.text).toBe('"Hearth test" <blog@example.org>');
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toBe('ida@example.org');
    expect(mail.subject).toBe('You are invited to write for Olive’s Kitchen');
    expect(mail.text).toContain('Olive Owner invites you to join Olive’s Kitchen as a contributor.');
    const link = linkIn(mail, 'http://blog.test/admin/invite/');

    const ida = browser();
    const page = await ida.get(pathOf(link));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<strong>ida@example.org</strong>');

    // A short password and no name: named next to their fields, nothing created.
    const bad = await ida.post(pathOf(link), { name: '', password: 'short' });
    expect(bad.statusCode).toBe(400);
    expect(fieldError(bad.body, 'invite-password')).toBe('The password must be at least 12 characters long.');
    expect(fieldError(bad.body, 'invite-name')).toBe('Please enter a name.');
    const none = await app.database.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'ida@example.org')
      .execute();
    expect(none).toEqual([]);

    const ok = await ida.post(pathOf(link), { name: 'Ida Writer', password: PASSWORD });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/admin');
    const dashboard = await ida.get('/admin');
    expect(dashboard.body).toContain('Signed in as <strong>Ida Writer</strong>');
    expect(dashboard.body).toContain('contributor');
    expect((await ida.get('/admin/users')).statusCode).toBe(403);

    const again = await browser().get(pathOf(link));
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('This link was used already and works only once.');
    const reuse = await ida.post(pathOf(link), { name: 'Eve', password: PASSWORD });
    expect(reuse.statusCode).toBe(410);
    expect((await app.services.audit.recent(2)).map((e) => e.action)).toEqual(['invite_accepted', 'invite_sent']);
  });

  it('refuses an expired invitation, a forged one, a malformed address and one already in use', async () => {
    await invite('late@example.org', 'author');
    const link = linkIn(await smtp.next(), 'http://blog.test/admin/invite/');
    clock = new Date(clock.getTime() + 7 * 86_400_000 + 1000);
    const expired = await browser().get(pathOf(link));
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toMatch(/This link expired at \d{4}-\d\d-\d\d \d\d:\d\d \(UTC\)\. Ask for a new one\./);

    const forged = await browser().get('/admin/invite/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(forged.statusCode).toBe(404);
    expect(forged.body).toContain('This link is not valid.');

    const malformed = await invite('not an address', 'author');
    expect(malformed.statusCode).toBe(400);
    expect(fieldError(malformed.body, 'invite-email')).toBe('This does not look like an email address.');
    const taken = await invite('olive@example.org', 'author');
    expect(taken.statusCode).toBe(409);
    expect(fieldError(taken.body, 'invite-email')).toBe('A user with the email olive@example.org already exists.');
    const owner = await invite('boss@example.org', 'owner');
    expect(owner.statusCode).toBe(400);
    expect(owner.body).toContain('The role must be one of administrator, editor, author, contributor.');
  });

  it('revokes a pending invitation: its link then says so and creates no account', async () => {
    await invite('maybe@example.org', 'editor');
    const link = linkIn(await smtp.next(), 'http://blog.test/admin/invite/');
    const owner = browser();
    await owner.signIn('olive@example.org', PASSWORD);
    const users = await owner.get('/admin/users');
    expect(users.body).toContain('maybe@example.org as editor');
    const item = users.body.split('<li>').find((li) => li.startsWith('maybe@example.org as editor')) ?? '';
    const id = /action="\/admin\/users\/invites\/(\d+)\/revoke"/.exec(item)?.[1];
    expect(id).toMatch(/^\d+$/);

    // Without the form token, nothing happens.
    const forged = await owner.post(`/admin/users/invites/${id}/revoke`, { _csrf: 'forged' });
    expect(forged.statusCode).toBe(403);
    expect((await browser().get(pathOf(link))).statusCode).toBe(200);

    const revoked = await owner.post(`/admin/users/invites/${id}/revoke`);
    expect(revoked.statusCode).toBe(303);
    expect(revoked.headers.location).toBe('/admin/users?revoked=maybe%40example.org');
    const after = await owner.get(revoked.headers.location as string);
    expect(after.body).toContain('The invitation of maybe@example.org is revoked: its link no longer works.');
    expect(after.body).not.toContain('maybe@example.org as editor');
    const audit = (await app.services.audit.recent(1))[0];
    expect(audit).toMatchObject({
      action: 'invite_revoked',
      subject: 'email:maybe@example.org',
      actorEmail: 'olive@example.org',
    });

    const visitor = browser();
    const page = await visitor.get(pathOf(link));
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('This invitation was withdrawn, so it no longer creates an account.');
    await visitor.get('/admin/login');
    const accept = await visitor.post(pathOf(link), { name: 'Maybe', password: PASSWORD });
    expect(accept.statusCode).toBe(410);
    const none = await app.database.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'maybe@example.org')
      .execute();
    expect(none).toEqual([]);

    // Twice, an unknown id, a malformed id: 4xx with a message, never 500.
    const twice = await owner.post(`/admin/users/invites/${id}/revoke`);
    expect(twice.statusCode).toBe(404);
    expect(twice.body).toContain(`There is no pending invitation ${id}: it was accepted, withdrawn or has expired.`);
    expect((await owner.post('/admin/users/invites/999999/revoke')).statusCode).toBe(404);
    expect((await owner.post('/admin/users/invites/x1/revoke')).statusCode).toBe(400);
  });

  it('lets only those who manage users revoke invitations', async () => {
    await app.services.users.create({ name: 'Ed Itor', email: 'ed@example.org', password: PASSWORD, role: 'editor' });
    await invite('kept@example.org', 'author');
    const link = linkIn(await smtp.next(), 'http://blog.test/admin/invite/');
    const row = await app.database.db
      .selectFrom('account_links')
      .select('id')
      .where('email', '=', 'kept@example.org')
      .executeTakeFirstOrThrow();
    const ed = browser();
    await ed.signIn('ed@example.org', PASSWORD);
    await ed.get('/admin');
    expect((await ed.post(`/admin/users/invites/${row.id}/revoke`)).statusCode).toBe(403);
    expect((await browser().get(pathOf(link))).statusCode).toBe(200);
  });

  it('resets a password by a link that works once, for one hour, and signs the account out everywhere', async () => {
    const elsewhere = browser();
    await elsewhere.signIn('olive@example.org', PASSWORD);
    expect((await elsewhere.get('/admin')).statusCode).toBe(200);

    const client = browser();
    await client.get('/admin/forgot');
    const asked = await client.post('/admin/forgot', { email: 'olive@example.org' });
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain(
      'If an account uses olive@example.org, a link to choose a new password is on its way.',
    );
    const mail = await smtp.next();
    expect(mail.subject).toBe('Reset your password for Olive’s Kitchen');
    const link = linkIn(mail, 'http://blog.test/admin/reset/');

    const form = await client.get(pathOf(link));
    expect(form.statusCode).toBe(200);
    const short = await client.post(pathOf(link), { password: 'too short' });
    expect(short.statusCode).toBe(400);
    expect(fieldError(short.body, 'reset-password')).toBe('The password must be at least 12 characters long.');

    const done = await client.post(pathOf(link), { password: 'a brand new passphrase' });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('The password of olive@example.org is changed');
    expect((await elsewhere.get('/admin')).statusCode).toBe(303);
    expect((await browser().signIn('olive@example.org', PASSWORD)).statusCode).toBe(401);
    expect((await browser().signIn('olive@example.org', 'a brand new passphrase')).statusCode).toBe(303);

    const reused = await client.post(pathOf(link), { password: 'yet another passphrase' });
    expect(reused.statusCode).toBe(410);
    expect(reused.body).toContain('used already');
  });

  it('lets a reset link lapse after one hour', async () => {
    const client = browser();
    await client.get('/admin/forgot');
    await client.post('/admin/forgot', { email: 'olive@example.org' });
    const link = linkIn(await smtp.next(), 'http://blog.test/admin/reset/');
    clock = new Date(clock.getTime() + 59 * 60_000);
    expect((await client.get(pathOf(link))).statusCode).toBe(200);
    clock = new Date(clock.getTime() + 60_001);
    const late = await client.post(pathOf(link), { password: 'too late a passphrase' });
    expect(late.statusCode).toBe(410);
    expect(late.body).toContain('This link expired');
    expect((await browser().signIn('olive@example.org', 'a brand new passphrase')).statusCode).toBe(303);
  });

  it('answers an unknown or malformed address without sending anything, and limits requests', async () => {
    const before = smtp.received.length;
    const client = browser();
    await client.get('/admin/forgot');
    const unknown = await client.post('/admin/forgot', { email: 'stranger@example.org' });
    expect(unknown.statusCode).toBe(200);
    expect(unknown.body).toContain('If an account uses stranger@example.org');
    const malformed = await client.post('/admin/forgot', { email: 'stranger@' });
    expect(malformed.statusCode).toBe(400);
    expect(fieldError(malformed.body, 'forgot-email')).toBe('This does not look like an email address.');
    for (let i = 0; i < 4; i++) await client.post('/admin/forgot', { email: `s${i}@example.org` });
    const flood = await client.post('/admin/forgot', { email: 'olive@example.org' });
    expect(flood.statusCode).toBe(429);
    expect(flood.headers['retry-after']).toBeDefined();
    await new Promise((r) => setTimeout(r, 200));
    expect(smtp.received.length).toBe(before);
  });
});

describe('without SMTP', () => {
  let app: App & { dataDir: string };
  beforeAll(async () => {
    app = await createTestApp({ demo: false });
    await app.services.users.create({ name: 'Olive', email: 'olive@example.org', password: PASSWORD, role: 'owner' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('keeps each message in <dataDir>/outbox as an .eml file whose link works', async () => {
    const owner = new AdminClient(app.server);
    await owner.signIn('olive@example.org', PASSWORD);
    await owner.get('/admin/users');
    expect((await owner.post('/admin/users/invite', { email: 'ida@example.org', role: 'author' })).statusCode).toBe(
      303,
    );
    const outbox = path.join(app.dataDir, 'outbox');
    const files = fs.readdirSync(outbox);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.eml$/);
    expect(fs.statSync(path.join(outbox, files[0] as string)).mode & 0o777).toBe(0o600);
    const mail = await simpleParser(fs.readFileSync(path.join(outbox, files[0] as string)));
    expect(mail.subject).toContain('You are invited');
    const link = linkIn(mail, 'http://blog.test/admin/invite/');
    const page = await new AdminClient(app.server).get(new URL(link).pathname);
    expect(page.statusCode).toBe(200);
  });
});
