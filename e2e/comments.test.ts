import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/main.js';
import { createTestApp, postIdBySlug } from '../test/helpers/app.js';
import { launchChromium, listen } from './browser.js';
import { xssPayloads } from './xss-payloads.js';

let app: App;
let base: string;
let browser: Browser;
const SLUG = 'reading-aloud-to-toddlers';

beforeAll(async () => {
  app = await createTestApp();
  // Every payload comes from this one browser: the flood limit would stop the list.
  await app.services.settings.update({
    commentRateLimitPerIp: 1000,
    commentRateLimitPerEmail: 1000,
    commentMinSeconds: 1,
  });
  base = await listen(app);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('script in comments never runs', () => {
  it(`posts ${xssPayloads.length} payloads as name, website and text, approves them, and the page shows them as text`, async () => {
    expect(xssPayloads.length).toBeGreaterThanOrEqual(50);
    const postId = await postIdBySlug(app, SLUG);
    const context = await browser.newContext();
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      d.dismiss().catch(() => {});
    });
    const ids: number[] = [];
    const stored = { name: 0, website: 0, body: 0 };
    for (const [i, payload] of xssPayloads.entries()) {
      // Each field is tried as the payload; a field the form refuses (a name over one
      // line, a website that is not http(s)) is replaced and the comment sent again.
      const fields: Record<string, string> = {
        post_id: String(postId),
        name: payload,
        website: payload,
        body: payload,
      };
      for (let attempt = 0; attempt < 3; attempt++) {
        const res = await page.request.post(`${base}/comments`, { form: fields, maxRedirects: 0 });
        if (res.status() === 303) break;
        expect(res.status(), payload).toBe(400);
        const html = await res.text();
        if (html.includes('id="comment-name-error"')) fields.name = `Payload ${i}`;
        if (html.includes('id="comment-website-error"'))
          fields.website =
            (fields.website ?? '').startsWith('https://') || /\s/.test(payload)
              ? ''
              : `https://site.example/${payload}`;
      }
      const row = await app.database.db
        .selectFrom('comments')
        .select(['id', 'author_name', 'author_website', 'body'])
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      expect(row.body, payload).toBe(payload.trim());
      stored.body++;
      if (row.author_name === payload) stored.name++;
      if (row.author_website?.includes(payload)) stored.website++;
      ids.push(row.id);
      // Approved through the domain service, as the moderation queue will.
      await app.services.comments.setStatus(row.id, 'approved');
    }
    console.log(
      `XSS: ${xssPayloads.length} payloads stored as text ${stored.body}, as name ${stored.name}, inside a website ${stored.website}`,
    );
    expect(stored.name).toBeGreaterThanOrEqual(50);

    await page.goto(`${base}/${SLUG}/`);
    // Hover and focus every comment, in case a handler waits for one.
    for (const id of ids.slice(0, 20)) await page.hover(`#comment-${id} .comment__body`).catch(() => {});
    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);

    const found = await page.evaluate((commentIds) => {
      const problems: string[] = [];
      const allowedInBody = new Set(['P', 'BR', 'EM', 'STRONG', 'A', 'BLOCKQUOTE', 'CODE', 'PRE']);
      for (const id of commentIds) {
        const li = document.getElementById(`comment-${id}`);
        if (!li) {
          problems.push(`comment ${id} missing`);
          continue;
        }
        for (const el of li.querySelectorAll('*')) {
          for (const attr of el.getAttributeNames()) {
            if (/^on/i.test(attr) || attr === 'srcdoc' || attr === 'style')
              problems.push(`${id}: ${el.tagName} [${attr}]`);
          }
          if (el.parentElement?.closest('.comment__body') && !allowedInBody.has(el.tagName))
            problems.push(`${id}: <${el.tagName}> in text`);
          if (
            /^(SCRIPT|IFRAME|OBJECT|EMBED|SVG|MATH|IMG|STYLE|LINK|META|BASE|FORM|INPUT|VIDEO|AUDIO|DETAILS|MARQUEE)$/i.test(
              el.tagName,
            )
          )
            problems.push(`${id}: <${el.tagName}>`);
          const href = el.getAttribute('href');
          if (href !== null && !/^(https?:\/\/|mailto:|#|\/)/i.test(href)) problems.push(`${id}: href ${href}`);
        }
      }
      return problems;
    }, ids);
    expect(found).toEqual([]);
    // Names were shown exactly as typed, as text.
    const names = await page.locator('.comment__author').allTextContents();
    for (const payload of xssPayloads.filter((p) => !/[\r\n]/.test(p) && p.length <= 100)) {
      expect(names.map((n) => n.trim())).toContain(payload.trim());
    }
    await context.close();
  });
});

describe('replying', () => {
  it('opens the form under the comment with script, and posts a reply with a form token', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/benefits-of-infant-massage/`);
    const first = page.locator('.comment-list > .comment').first();
    const parentId = Number((await first.getAttribute('id'))?.replace('comment-', ''));
    const parentName = (await first.locator('.comment__author').first().textContent())?.trim();
    await first.locator('.comment__reply').first().click();
    // The form now sits inside that comment, set to reply, with the text box focused.
    expect(await page.locator(`#comment-${parentId} #respond form.comment-form`).count()).toBe(1);
    expect(page.url()).not.toContain('replyto');
    expect(await page.locator('[data-parent-field]').inputValue()).toBe(String(parentId));
    expect(await page.locator('#respond h2').textContent()).toBe(`Reply to ${parentName}`);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('comment-body');
    await page.waitForFunction(() => (document.querySelector('[data-token-field]') as HTMLInputElement).value !== '');

    // Cancel puts it back at the end; a second reply link opens it again.
    await page.click('[data-cancel-reply]');
    expect(await page.locator('.comment #respond').count()).toBe(0);
    expect(await page.locator('[data-parent-field]').inputValue()).toBe('');
    await first.locator('.comment__reply').first().click();

    await page.fill('#comment-name', 'Sol');
    await page.fill('#comment-body', 'Replying from a real browser, scripts on.');
    await page.waitForTimeout(1100);
    await Promise.all([page.waitForURL(/comment=pending/), page.click('#respond button[type="submit"]')]);
    expect(await page.locator('.notice--success').textContent()).toContain('awaiting moderation');
    const reply = await app.database.db
      .selectFrom('comments')
      .selectAll()
      .where('author_name', '=', 'Sol')
      .executeTakeFirstOrThrow();
    expect(reply).toMatchObject({ parent_id: parentId, depth: 2, status: 'pending', spam_reasons: null });

    await app.services.comments.setStatus(reply.id, 'approved');
    await page.goto(`${base}/benefits-of-infant-massage/#comment-${reply.id}`);
    expect(await page.locator(`#comment-${parentId} > .comment-replies > #comment-${reply.id}`).count()).toBe(1);
    await page.close();
  });

  it('hides "Cancel reply" from sight and from Tab until a reply is started', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/benefits-of-infant-massage/`);
    const cancel = page.locator('[data-cancel-reply]');
    const before = async () => {
      await page.focus('#comment-name');
      await page.keyboard.press('Shift+Tab');
      return page.evaluate(() => document.activeElement?.hasAttribute('data-cancel-reply') ?? false);
    };
    expect(await cancel.isVisible()).toBe(false);
    expect(await before()).toBe(false);

    await page.locator('.comment-list > .comment .comment__reply').first().click();
    expect(await cancel.isVisible()).toBe(true);
    expect(await before()).toBe(true);

    await cancel.click();
    expect(await cancel.isVisible()).toBe(false);
    expect(await before()).toBe(false);
    await page.close();
  });

  it('works without script: the reply link loads the form set to reply', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/benefits-of-infant-massage/`);
    const first = page.locator('.comment-list > .comment').first();
    const parentId = Number((await first.getAttribute('id'))?.replace('comment-', ''));
    await first.locator('.comment__reply').first().click();
    await page.waitForURL(new RegExp(`replyto=${parentId}`));
    expect(await page.locator('[data-parent-field]').inputValue()).toBe(String(parentId));
    await page.fill('#comment-name', 'Tam');
    await page.fill('#comment-body', 'A reply typed with scripts off.');
    await Promise.all([page.waitForURL(/comment=pending/), page.click('.comment-form button[type="submit"]')]);
    const reply = await app.database.db
      .selectFrom('comments')
      .selectAll()
      .where('author_name', '=', 'Tam')
      .executeTakeFirstOrThrow();
    // No form token without script: held for a moderator, not spam.
    expect(reply).toMatchObject({ parent_id: parentId, status: 'pending', spam_reasons: '["no-form-token"]' });
    await context.close();
  });
});
