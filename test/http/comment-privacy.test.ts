import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { createTestApp, postIdBySlug } from '../helpers/app.js';

let clock = Date.now();
let app: App;
let postId: number;

beforeAll(async () => {
  app = await createTestApp({}, { now: () => new Date(clock) });
  postId = await postIdBySlug(app, 'benefits-of-infant-massage');
});
afterAll(async () => {
  await app?.close();
});

const submit = (fields: { name: string; email?: string; body: string }, ip = '203.0.113.50') =>
  app.services.comments.submit({ postId, ...fields }, { ip, userAgent: 'Privacy test' });
const row = (id: number) => app.database.db.selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirst();

describe('commenters’ privacy', () => {
  it('keeps addresses only as an HMAC with the site secret: the same address hashes alike, never in clear', async () => {
    const a = await submit({ name: 'Ada', body: 'One.' });
    const b = await submit({ name: 'Ada', body: 'Two.' });
    const c = await submit({ name: 'Bea', body: 'Three.' }, '203.0.113.51');
    const [ra, rb, rc] = await Promise.all([row(a.id), row(b.id), row(c.id)]);
    expect(ra?.ip_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(ra?.ip_hash).toBe(rb?.ip_hash);
    expect(ra?.ip_hash).not.toBe(rc?.ip_hash);
    const secret = await app.services.settings.getInternal('internal.secret');
    expect(secret).toMatch(/^[\w-]{43}$/);
  });

  it('forgets hashed addresses and browsers after commentIpRetentionDays, keeping the comments', async () => {
    const old = await submit({ name: 'Old', body: 'From long ago.' }, '203.0.113.60');
    clock += 31 * 86_400_000;
    const fresh = await submit({ name: 'New', body: 'From today.' }, '203.0.113.61');
    const touched = await app.services.comments.forgetOldAddresses();
    expect(touched).toBeGreaterThanOrEqual(1);
    expect(await row(old.id)).toMatchObject({ ip_hash: null, user_agent: null, body: 'From long ago.' });
    expect((await row(fresh.id))?.ip_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await app.services.comments.forgetOldAddresses()).toBe(0);
  });

  it('exports and erases by email, takes erased comments out of the learning filter, keeps replies', async () => {
    clock += 60_000;
    const mine = await submit({ name: 'Cleo', email: 'Cleo@Example.org', body: 'Zanzibar-flavoured thoughts.' });
    await app.services.comments.setStatus(mine.id, 'approved');
    await app.services.comments.train(mine.id, 'ham');
    const reply = await app.services.comments.submit(
      { postId, parentId: mine.id, name: 'Dora', body: 'Answering Cleo.' },
      { ip: '203.0.113.70', userAgent: 'x' },
    );
    const exported = await app.services.comments.exportByEmail('cleo@example.org');
    expect(exported.comments).toHaveLength(1);
    expect(exported.comments[0]).toMatchObject({ name: 'Cleo', email: 'cleo@example.org', status: 'approved' });

    await app.server.inject('/benefits-of-infant-massage/');
    expect(app.cache.get('/benefits-of-infant-massage/')).toBeDefined();
    expect(await app.services.comments.eraseByEmail('CLEO@example.org')).toEqual({ erased: 1 });
    expect(await row(mine.id)).toBeUndefined();
    expect(await row(reply.id)).toMatchObject({ parent_id: null, body: 'Answering Cleo.' });
    expect(app.cache.get('/benefits-of-infant-massage/')).toBeUndefined();
    const token = await app.database.db
      .selectFrom('spam_tokens')
      .selectAll()
      .where('token', '=', 'zanzibar-flavoured')
      .executeTakeFirst();
    expect(token?.ham ?? 0).toBe(0);
    expect((await app.services.comments.exportByEmail('cleo@example.org')).comments).toEqual([]);
  });
});
