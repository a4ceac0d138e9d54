import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CommentInput } from '../../src/domain/comments/index.js';
import type { App } from '../../src/main.js';
import { createTestApp, postIdBySlug } from '../helpers/app.js';

// Each spam check on its own, through the comment service: a flagged comment is stored as
// spam with its reason, never dropped; a held one waits as pending.
let clock = Date.now();
let app: App;
let postId: number;
let n = 0;

beforeAll(async () => {
  app = await createTestApp({}, { now: () => new Date(clock) });
  postId = await postIdBySlug(app, 'benefits-of-infant-massage');
});
afterAll(async () => {
  await app?.close();
});
beforeEach(async () => {
  clock += 60 * 60 * 1000;
  await app.services.settings.update({
    commentModeration: 'approve-passing',
    commentMinSeconds: 3,
    commentMaxLinks: 2,
    commentBlockedWords: [],
    commentBlockedEmails: [],
    commentBlockedIps: [],
    commentBlockedDomains: [],
  });
});

/** A token as the script gets it, `age` ms before the comment is sent. */
async function token(age = 10_000): Promise<string> {
  const t = await app.services.comments.formToken(postId);
  clock += age;
  return t;
}

/** Submits with everything a person's browser sends; returns the stored status and reasons. */
async function submit(input: Partial<CommentInput> = {}, ip = `203.0.113.${(n % 250) + 1}`) {
  n++;
  const { id } = await app.services.comments.submit(
    {
      postId,
      name: 'Harriet',
      body: `Such a gentle idea, thank you for writing it down (${n}).`,
      ...input,
      token: 'token' in input ? input.token : await token(),
    },
    { ip, userAgent: 'test' },
  );
  const row = await app.database.db
    .selectFrom('comments')
    .select(['status', 'spam_reasons', 'spam_score'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return { status: row.status, reasons: JSON.parse(row.spam_reasons ?? '[]') as string[], score: row.spam_score };
}

describe('spam checks', () => {
  it('pass a person who took their time', async () => {
    expect(await submit()).toMatchObject({ status: 'approved', reasons: [] });
  });

  it('honeypot: the hidden field filled in', async () => {
    expect(await submit({ trap: 'https://shop.example' })).toMatchObject({ status: 'spam', reasons: ['honeypot'] });
  });

  it('minimum time: sent sooner after the form opened than commentMinSeconds', async () => {
    expect(await submit({ token: await token(1000) })).toMatchObject({ status: 'spam', reasons: ['too-fast'] });
  });

  it('form token: a forged one, or one for another post, is spam', async () => {
    const real = await token();
    const forged = real.replace(/\.[^.]+$/, `.${'A'.repeat(43)}`);
    expect(await submit({ token: forged })).toMatchObject({ status: 'spam', reasons: ['forged-form-token'] });
    expect(await submit({ token: 'not-a-token' })).toMatchObject({ status: 'spam', reasons: ['forged-form-token'] });
    const elsewhere = real.replace(`.${postId}.`, `.${postId + 1}.`);
    expect(await submit({ token: elsewhere })).toMatchObject({ status: 'spam', reasons: ['forged-form-token'] });
  });

  it('form token: none (script off) or one older than a day is held for a moderator, not spam', async () => {
    expect(await submit({ token: '' })).toMatchObject({ status: 'pending', reasons: ['no-form-token'] });
    expect(await submit({ token: await token(25 * 60 * 60 * 1000) })).toMatchObject({
      status: 'pending',
      reasons: ['old-form-token'],
    });
  });

  it('too many links: more than commentMaxLinks, bare or written', async () => {
    const body = 'Look https://a.example and [this](https://b.example) and <https://c.example>';
    expect(await submit({ body })).toMatchObject({ status: 'spam', reasons: ['too-many-links'] });
    await app.services.settings.update({ commentMaxLinks: 3 });
    expect((await submit({ body: `${body} again` })).status).toBe('approved');
  });

  it('blocklist: words and phrases, whole words only', async () => {
    await app.services.settings.update({ commentBlockedWords: ['casino', 'cheap meds'] });
    expect(await submit({ body: 'Best CASINO bonus today' })).toMatchObject({ reasons: ['blocked-word'] });
    expect(await submit({ body: 'Get cheap meds here' })).toMatchObject({ reasons: ['blocked-word'] });
    expect(await submit({ name: 'Casino King' })).toMatchObject({ reasons: ['blocked-word'] });
    expect((await submit({ body: 'We stayed at a casinoesque hotel, odd word.' })).reasons).toEqual([]);
  });

  it('blocklist: email addresses, IP addresses and domains with their subdomains', async () => {
    await app.services.settings.update({
      commentBlockedEmails: ['Pest@Example.org'],
      commentBlockedIps: ['198.51.100.66'],
      commentBlockedDomains: ['spam.example'],
    });
    expect(await submit({ email: 'pest@example.org' })).toMatchObject({ status: 'spam', reasons: ['blocked-email'] });
    expect(await submit({}, '198.51.100.66')).toMatchObject({ status: 'spam', reasons: ['blocked-ip'] });
    expect(await submit({}, '::ffff:198.51.100.66')).toMatchObject({ reasons: ['blocked-ip'] });
    expect(await submit({ website: 'https://www.spam.example/' })).toMatchObject({ reasons: ['blocked-domain'] });
    expect(await submit({ body: 'see https://deals.spam.example/x' })).toMatchObject({ reasons: ['blocked-domain'] });
    expect(await submit({ email: 'someone@spam.example' })).toMatchObject({ reasons: ['blocked-domain'] });
    expect((await submit({ website: 'https://notspam.example/' })).reasons).toEqual([]);
  });

  it('duplicates: the same text again, on any post, whatever its case and spacing', async () => {
    const body = 'A duplicate-prone sentence about tummy time and fresh air.';
    expect((await submit({ body })).status).toBe('approved');
    expect(await submit({ body: `  a DUPLICATE prone sentence about tummy time, and fresh air!` })).toMatchObject({
      status: 'spam',
      reasons: ['duplicate'],
    });
  });

  it('reports every reason that applies', async () => {
    const result = await submit({
      trap: 'x',
      token: '',
      body: 'https://a.example https://b.example https://c.example',
    });
    expect(result.status).toBe('spam');
    expect(result.reasons).toEqual(['honeypot', 'no-form-token', 'too-many-links']);
  });
});

describe('the learning filter', () => {
  const hams = [
    'We tried the evening massage after bath time and our daughter slept so much better.',
    'Thank you Tess, I will share this with my parenting group on Thursday.',
    'Lovely photos. Our son loves his feet being rubbed with a little coconut oil.',
    'The part about eye contact made me tear up a little, such a sweet routine.',
    'We started the lentil soup last winter and it is now a family favourite.',
    'Any tips for a toddler who wriggles away after two minutes of massage?',
  ];
  const spams = [
    'Buy cheap replica watches online best price discount https://watches.example',
    'Earn money fast from home casino bonus crypto profit guaranteed https://cash.example',
    'Best seo backlinks service cheap rank first page guaranteed https://seo.example',
    'Hot singles in your area click here now free https://dating.example',
    'Crypto investment doubles your bitcoin profit fast guaranteed https://coin.example',
    'Discount pills online pharmacy no prescription cheap https://pills.example',
  ];

  it('scores nothing until trained; then flags what resembles the spam it was taught', async () => {
    await app.services.settings.update({ commentMaxLinks: 5 });
    const first = await submit({ body: 'Cheap casino bonus crypto profit https://cash.example today' });
    expect(first.score).toBeNull();
    for (const [i, body] of [...hams, ...spams].entries()) {
      const label = i < hams.length ? 'ham' : 'spam';
      const { id } = await app.services.comments.submit(
        { postId, name: `Trainer ${i}`, body, token: await token() },
        { ip: `198.18.0.${i + 1}`, userAgent: 'test' },
      );
      await app.services.comments.train(id, label);
      // Training twice with one label counts once; the other label takes it back first.
      await app.services.comments.train(id, label);
    }
    const spammy = await submit({ body: 'Guaranteed crypto casino profit, cheap bonus https://cash.example' });
    expect(spammy.status).toBe('spam');
    expect(spammy.reasons).toEqual(['learning-filter']);
    expect(spammy.score).toBeGreaterThanOrEqual(0.9);
    const kind = await submit({ body: 'Our toddler loved the massage after bath time, thank you Tess.' });
    expect(kind.status).toBe('approved');
    expect(kind.score).toBeLessThan(0.5);
    const corpus = await app.database.db.selectFrom('spam_corpus').selectAll().orderBy('label').execute();
    expect(corpus).toEqual([
      { label: 'ham', documents: hams.length },
      { label: 'spam', documents: spams.length },
    ]);
  });

  it('a comment trained again with the other label moves between the counts', async () => {
    const { id } = await app.services.comments.submit(
      { postId, name: 'Flip', body: 'Wholly unremarkable words about gardening', token: await token() },
      { ip: '198.18.1.1', userAgent: 'test' },
    );
    const before = await app.database.db.selectFrom('spam_corpus').selectAll().orderBy('label').execute();
    await app.services.comments.train(id, 'spam');
    await app.services.comments.train(id, 'ham');
    const after = await app.database.db.selectFrom('spam_corpus').selectAll().orderBy('label').execute();
    expect(after[0]?.documents).toBe((before[0]?.documents ?? 0) + 1);
    expect(after[1]?.documents).toBe(before[1]?.documents);
    const word = await app.database.db
      .selectFrom('spam_tokens')
      .selectAll()
      .where('token', '=', 'unremarkable')
      .executeTakeFirstOrThrow();
    expect(word).toEqual({ token: 'unremarkable', ham: 1, spam: 0 });
    await expect(app.services.comments.train(999999, 'ham')).rejects.toThrow('There is no comment 999999.');
  });
});
