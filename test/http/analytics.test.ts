import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { AdminClient, fieldError } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';

/*
 * Analytics without cookies or personal data (issue 20 part 3): a known sequence of
 * requests, cached pages among them, and the counts the dashboard and its CSV show.
 */

let clock = Date.parse('2026-11-03T10:00:00Z');
let app: App;
let owner: AdminClient;
let slugs: string[];

const PASSWORD = 'analytics owner password';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0';
const SAFARI = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Safari/604.1';

const visit = (url: string, ip: string, userAgent: string | undefined, headers: Record<string, string> = {}) =>
  app.server.inject({
    method: 'GET',
    url,
    remoteAddress: ip,
    headers: { ...(userAgent ? { 'user-agent': userAgent } : {}), host: 'blog.test', ...headers },
  });

beforeAll(async () => {
  app = await createTestApp({}, { now: () => new Date(clock) });
  await app.services.users.create({ name: 'Ola Owner', email: 'ola@example.org', password: PASSWORD, role: 'owner' });
  owner = new AdminClient(app.server);
  await owner.signIn('ola@example.org', PASSWORD);
  const rows = await app.database.db
    .selectFrom('posts')
    .select('slug')
    .where('status', '=', 'published')
    .where('type', '=', 'post')
    .orderBy('id')
    .limit(2)
    .execute();
  slugs = rows.map((r) => r.slug);
});
afterAll(async () => {
  await app?.close();
});

const daily = () => app.database.db.selectFrom('analytics_daily').selectAll().orderBy('day').orderBy('path').execute();

describe('counting visits', () => {
  it('counts views and each day’s unique visitors of a known sequence, cached pages included, robots left out', async () => {
    const [a, b] = slugs.map((s) => `/${s}/`) as [string, string];
    // Day 1: three people; the first reads post A twice (the second time from the cache,
    // then a 304 revalidation), the second reads A and B, the third the home page.
    expect((await visit(a, '198.51.100.1', FIREFOX)).statusCode).toBe(200);
    const again = await visit(a, '198.51.100.1', FIREFOX);
    expect(again.statusCode).toBe(200);
    const etag = again.headers.etag as string;
    expect((await visit(a, '198.51.100.1', FIREFOX, { 'if-none-match': etag })).statusCode).toBe(304);
    await visit(`${a}?utm_source=newsletter`, '198.51.100.2', SAFARI, { referer: 'https://www.example.com/links?x=1' });
    await visit(b, '198.51.100.2', SAFARI);
    await visit('/', '198.51.100.3', FIREFOX, { referer: 'http://blog.test/older/' });
    // Not counted: robots, programs, no user agent, a missing page, someone signed in.
    await visit(a, '198.51.100.9', 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)');
    await visit(a, '198.51.100.9', 'curl/8.5.0');
    await visit(a, '198.51.100.9', undefined);
    expect((await visit('/no-such-page/', '198.51.100.1', FIREFOX)).statusCode).toBe(404);
    expect((await owner.get(a)).statusCode).toBe(200);
    // Visitors who ask not to be tracked, while the setting honours it (the default).
    await visit(b, '198.51.100.7', FIREFOX, { dnt: '1' });
    await visit(b, '198.51.100.8', FIREFOX, { 'sec-gpc': '1' });

    const page = await owner.get('/admin/analytics?days=7');
    expect(page.statusCode).toBe(200);
    const rows = await daily();
    const count = (path: string) => rows.find((r) => r.day === '2026-11-03' && r.path === path);
    expect(count('*')).toMatchObject({ views: 6, visitors: 3 });
    expect(count(a)).toMatchObject({ views: 4, visitors: 2 });
    expect(count(b)).toMatchObject({ views: 1, visitors: 1 });
    expect(count('/')).toMatchObject({ views: 1, visitors: 1 });
    expect(rows).toHaveLength(4);
    const html = page.body;
    expect(html).toContain('<span class="stats__number">6</span> page views');
    expect(html).toContain('<span class="stats__number">3</span> visitors');
    // The referrer is kept as a site name only, and this site's own links are not referrers.
    const referrers = await app.database.db.selectFrom('analytics_referrers').selectAll().execute();
    expect(referrers).toEqual([{ day: '2026-11-03', site: 'example.com', views: 1 }]);
    // No address or user agent is stored anywhere: only shortened, salted hashes for today.
    const hashes = await app.database.db.selectFrom('analytics_visitors').selectAll().execute();
    expect(hashes.length).toBeGreaterThan(0);
    for (const h of hashes) expect(h.hash).toMatch(/^[0-9a-f]{16}$/);
    const dump = JSON.stringify(await app.database.db.selectFrom('analytics_visitors').selectAll().execute());
    expect(dump).not.toContain('198.51.100');

    // Day 2: the first visitor again counts as a visitor of that day; a new salt is made,
    // and the first day's hashes and salt are gone once the next day is over.
    clock = Date.parse('2026-11-04T09:00:00Z');
    await visit(a, '198.51.100.1', FIREFOX);
    await owner.get('/admin/analytics?days=7');
    expect((await daily()).find((r) => r.day === '2026-11-04' && r.path === '*')).toMatchObject({
      views: 1,
      visitors: 1,
    });
    clock = Date.parse('2026-11-06T09:00:00Z');
    await visit(b, '198.51.100.4', SAFARI);
    await owner.get('/admin/analytics?days=7');
    const salts = await app.database.db.selectFrom('analytics_salts').select('day').orderBy('day').execute();
    expect(salts.map((s) => s.day)).toEqual(['2026-11-06']);
    const kept = await app.database.db.selectFrom('analytics_visitors').select('day').distinct().execute();
    expect(kept.map((k) => k.day)).toEqual(['2026-11-06']);
    // The daily counts stay.
    expect((await daily()).filter((r) => r.path === '*').map((r) => [r.day, r.views])).toEqual([
      ['2026-11-03', 6],
      ['2026-11-04', 1],
      ['2026-11-06', 1],
    ]);
  });

  it('counts feed readers: the subscribers a reader reports, and one per address for the others', async () => {
    clock = Date.parse('2026-11-06T12:00:00Z');
    const feedly = 'Feedly/1.0 (+http://www.feedly.com/fetcher.html; 42 subscribers; like FeedFetcher-Google)';
    expect((await visit('/feed.xml', '192.0.2.10', feedly)).statusCode).toBe(200);
    await visit('/feed.xml', '192.0.2.10', feedly.replace('42 subscribers', '40 subscribers'));
    await visit('/feed.xml', '192.0.2.11', 'NetNewsWire (RSS Reader; https://netnewswire.com/)');
    await visit('/feed.xml', '192.0.2.12', 'NetNewsWire (RSS Reader; https://netnewswire.com/)');
    await visit('/feed.xml', '192.0.2.12', 'NetNewsWire (RSS Reader; https://netnewswire.com/)');
    const page = await owner.get('/admin/analytics?days=7');
    const html = page.body;
    const feeds = await app.database.db.selectFrom('analytics_feeds').selectAll().orderBy('reader').execute();
    expect(feeds).toEqual([
      { day: '2026-11-06', reader: 'Feedly', subscribers: 42, fetches: 2 },
      { day: '2026-11-06', reader: 'NetNewsWire', subscribers: 2, fetches: 3 },
    ]);
    expect(html).toContain('<td data-label="Reader">Feedly</td><td data-label="Subscribers">42</td>');
  });

  it('bounds forged referrers and enormous paths, and never stores them raw', async () => {
    clock = Date.parse('2026-11-07T12:00:00Z');
    const long = `/${slugs[0]}/?${'x'.repeat(5000)}`;
    await visit(long, '192.0.2.20', FIREFOX, { referer: `https://${'a'.repeat(300)}.example/` });
    await visit(`/${slugs[0]}/`, '192.0.2.21', FIREFOX, { referer: 'javascript:alert(1)' });
    await visit(`/${slugs[0]}/`, '192.0.2.22', FIREFOX, { referer: 'not a url at all' });
    await visit(`/${slugs[0]}/`, '192.0.2.23', FIREFOX, { referer: 'https://news.example.org/<script>' });
    await owner.get('/admin/analytics?days=7');
    const refs = await app.database.db
      .selectFrom('analytics_referrers')
      .select('site')
      .where('day', '=', '2026-11-07')
      .execute();
    expect(refs.map((r) => r.site)).toEqual(['news.example.org']);
    const paths = await app.database.db
      .selectFrom('analytics_daily')
      .select('path')
      .where('day', '=', '2026-11-07')
      .orderBy('path')
      .execute();
    expect(paths.map((p) => p.path)).toEqual(['*', `/${slugs[0]}/`]);
  });

  it('takes at most 2000 referring sites a day: forged ones past that count as (other)', async () => {
    clock = Date.parse('2026-11-07T13:00:00Z');
    for (let i = 0; i < 2010; i++)
      await visit(`/${slugs[0]}/`, '192.0.2.24', FIREFOX, { referer: `https://forged-${i}.example/` });
    await owner.get('/admin/analytics?days=7');
    const refs = await app.database.db
      .selectFrom('analytics_referrers')
      .select(['site', 'views'])
      .where('day', '=', '2026-11-07')
      .execute();
    // news.example.org was taken in first that day; then 1999 forged ones, the rest (other).
    expect(refs).toHaveLength(2001);
    expect(refs.find((r) => r.site === '(other)')).toEqual({ site: '(other)', views: 11 });
  });

  it('exports every count as CSV, and shows the most read posts by title', async () => {
    const res = await owner.get('/admin/analytics.csv?days=7');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="analytics-7-days-to-2026-11-07.csv"');
    const lines = res.body.trim().split('\r\n');
    expect(lines[0]).toBe('day,kind,name,views,visitors');
    expect(lines).toContain('2026-11-03,site,*,6,3');
    expect(lines).toContain(`2026-11-03,page,/${slugs[0]}/,4,2`);
    expect(lines).toContain('2026-11-03,referrer,example.com,1,');
    expect(lines).toContain('2026-11-06,feed,Feedly,2,42');
    const html = (await owner.get('/admin/analytics?days=7')).body;
    const title = await app.database.db
      .selectFrom('posts')
      .select('title')
      .where('slug', '=', slugs[0] as string)
      .executeTakeFirstOrThrow();
    expect(html).toContain(`<a href="/${slugs[0]}/">${title.title.replace(/'/g, '&#39;')}</a>`);
    expect((await owner.get('/admin/analytics?days=12')).statusCode).toBe(400);
  });

  it('stops counting when turned off, counts opted-out visitors when told to, and checks the retention', async () => {
    clock = Date.parse('2026-11-08T12:00:00Z');
    await owner.get('/admin/analytics');
    const bad = await owner.post('/admin/analytics/settings', { enabled: 'on', honourDnt: 'on', retentionDays: '5' });
    expect(bad.statusCode).toBe(400);
    expect(fieldError(bad.body, 'analytics-retentionDays')).toBe('Keep counts from 30 to 3650 days.');

    const off = await owner.post('/admin/analytics/settings', { retentionDays: '365' });
    expect(off.statusCode).toBe(303);
    await visit(`/${slugs[1]}/`, '192.0.2.30', FIREFOX);
    await owner.get('/admin/analytics');
    expect((await daily()).filter((r) => r.day === '2026-11-08')).toEqual([]);

    await owner.get('/admin/analytics');
    await owner.post('/admin/analytics/settings', { enabled: 'on', retentionDays: '365' });
    await visit(`/${slugs[1]}/`, '192.0.2.31', FIREFOX, { dnt: '1' });
    await owner.get('/admin/analytics');
    expect((await daily()).find((r) => r.day === '2026-11-08' && r.path === '*')).toMatchObject({ views: 1 });
  });

  it('is for editors and above; the settings for administrators and the owner', async () => {
    for (const role of ['author', 'editor'] as const) {
      await app.services.users.create({ name: `A ${role}`, email: `${role}@example.org`, password: PASSWORD, role });
    }
    const author = new AdminClient(app.server);
    await author.signIn('author@example.org', PASSWORD);
    expect((await author.get('/admin/analytics')).statusCode).toBe(403);
    expect((await author.get('/admin/analytics.csv')).statusCode).toBe(403);
    const editor = new AdminClient(app.server);
    await editor.signIn('editor@example.org', PASSWORD);
    const page = await editor.get('/admin/analytics');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Save the analytics settings');
    expect((await editor.post('/admin/analytics/settings', { retentionDays: '100' })).statusCode).toBe(403);
  });

  it('counts nothing on an instance started with HEARTH_ANALYTICS=false', async () => {
    const quiet = await createTestApp({ analytics: false });
    try {
      const res = await quiet.server.inject({
        method: 'GET',
        url: '/',
        remoteAddress: '192.0.2.40',
        headers: { 'user-agent': FIREFOX, host: 'blog.test' },
      });
      expect(res.statusCode).toBe(200);
      await quiet.services.analytics.flush(730);
      expect(await quiet.database.db.selectFrom('analytics_daily').selectAll().execute()).toEqual([]);
    } finally {
      await quiet.close();
    }
  });
});
