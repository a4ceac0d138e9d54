import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/main.js';
import { noisyPhoto } from '../test/helpers/photos.js';
import { OWNER_PASSWORD, seriousAxeViolations, siteWithOwner } from './browser.js';

let app: App;
let base: string;
let browser: Browser;
const shots = path.resolve('test-results');

beforeAll(async () => {
  ({ app, base, browser } = await siteWithOwner({ demo: false }));
  await app.services.users.create({
    name: 'Arlo Author',
    email: 'arlo@example.org',
    password: OWNER_PASSWORD,
    role: 'author',
  });
  await app.services.taxonomy.ensureTags(['kitchen', 'garden']);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** A signed-in context; the page reports CSP violations and script errors in `problems`. */
async function signedIn(
  email: string,
  options: Parameters<Browser['newContext']>[0] = {},
): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`Content Security Policy: ${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  await page.goto(`${base}/admin/login`);
  await page.fill('#login-email', email);
  await page.fill('#login-password', OWNER_PASSWORD);
  await page.click('button[type="submit"]');
  await page.waitForURL(`${base}/admin`);
  return { context, page, problems };
}

/** Opens the new post's editor; resolves once the editor is ready, with the time it took. */
async function openEditor(page: Page): Promise<number> {
  await page.goto(`${base}/admin/posts/new`);
  await page.waitForSelector('#editor[data-editor-ready="yes"]');
  return page.evaluate(() => performance.getEntriesByName('hearth-editor-ready')[0]?.startTime ?? -1);
}

const tool = (page: Page, name: string) =>
  page.getByRole('toolbar', { name: 'Formatting and blocks' }).getByRole('button', { name, exact: true });
const text = (page: Page) => page.inputValue('#post-body');
const pngOf = (width: number, height: number) => noisyPhoto(width, height).png().toBuffer();

describe('the writing room in Chromium', () => {
  it('writes every block by toolbar and keyboard, counts words, autosaves, and saves with Ctrl+S', async () => {
    const { context, page, problems } = await signedIn('olive@example.org', { viewport: { width: 1440, height: 900 } });
    // Navigation start to editor ready, over five loads (the bundle cached after the first).
    const times: number[] = [];
    for (let i = 0; i < 5; i++) times.push(await openEditor(page));
    const sorted = [...times].sort((a, b) => a - b);
    console.info(
      `editor ready after ${times.map(Math.round).join(', ')} ms (median ${Math.round(sorted[2] as number)} ms)`,
    );
    expect(Math.min(...times)).toBeGreaterThan(0);
    expect(await page.isHidden('#post-body')).toBe(true);
    const box = page.getByRole('textbox', { name: 'Text (Markdown)' });
    expect(await box.count()).toBe(1);
    expect(await seriousAxeViolations(page, '/admin/posts/new (editor)')).toEqual([]);

    await page.fill('#post-title', 'Tea for two');
    await box.click();
    // Bold and italic by shortcut: the placeholder is selected, typing replaces it.
    await page.keyboard.type('A pot of ');
    await page.keyboard.press('Control+b');
    await page.keyboard.type('strong');
    await page.keyboard.press('End');
    await page.keyboard.type(' tea, ');
    await page.keyboard.press('Control+i');
    await page.keyboard.type('slowly');
    await page.keyboard.press('End');
    await page.keyboard.type(' poured. ');
    await page.keyboard.press('Control+k');
    await page.keyboard.type('the notes');
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await page.keyboard.type('Brewing');
    await page.keyboard.press('Control+Shift+h');
    expect(await text(page)).toBe('A pot of **strong** tea, _slowly_ poured. [the notes](https://)\n\n## Brewing');

    // "/" at the start of a line offers the blocks; typing filters, Enter inserts.
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('/');
    const menu = page.getByRole('listbox', { name: 'Insert a block' });
    await menu.waitFor();
    expect(await menu.getByRole('option').allInnerTexts()).toEqual([
      'Photo upload, with alt text and caption',
      'Gallery several photos',
      'Editor’s note ::: note',
      'P.S. or credits ::: ps',
      'How-to steps ::: howto',
      'Embed link ::: embed',
      'Heading ##',
    ]);
    await page.keyboard.type('how');
    expect(await menu.getByRole('option').allInnerTexts()).toEqual(['How-to steps ::: howto']);
    expect(await box.getAttribute('aria-activedescendant')).toBe('block-option-howto');
    await page.keyboard.press('Enter');
    expect(await menu.isHidden()).toBe(true);
    await page.keyboard.type('How to brew a pot');
    // Arrows move through the list.
    await page.keyboard.press('Control+End');
    await page.keyboard.type('/');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await box.getAttribute('aria-activedescendant')).toBe('block-option-note');
    await page.keyboard.press('Enter');
    await page.keyboard.type('Updated in May.');
    // Escape closes the list and leaves the "/" as typed.
    await page.keyboard.press('Control+End');
    await page.keyboard.type('/');
    await menu.waitFor();
    await page.keyboard.press('Escape');
    expect(await menu.isHidden()).toBe(true);
    await page.keyboard.press('Backspace');

    // The toolbar's buttons, by their accessible names.
    await tool(page, 'P.S.').click();
    await page.keyboard.type('Thanks to Ana for the cups.');
    await tool(page, 'Embed link').click();
    await page.keyboard.type('https://video.example.org/tea');
    const chooser = page.waitForEvent('filechooser');
    await tool(page, 'Photo').click();
    await (await chooser).setFiles({ name: 'teapot.png', mimeType: 'image/png', buffer: await pngOf(400, 300) });
    await expect.poll(() => text(page), { timeout: 20_000 }).toMatch(/!\[\]\(\/media\/[^ )]+ ""\)/);
    // The empty alt text shows a hint (not stored); the cursor is in it, so typing fills it.
    expect(await page.locator('.cm-hint').first().innerText()).toBe('alt text: describe the photo');
    await page.keyboard.type('A brown teapot');
    const gallery = page.waitForEvent('filechooser');
    await tool(page, 'Gallery').click();
    const files = await gallery;
    expect(files.isMultiple()).toBe(true);
    await files.setFiles([
      { name: 'cup-1.png', mimeType: 'image/png', buffer: await pngOf(300, 200) },
      { name: 'cup-2.png', mimeType: 'image/png', buffer: await pngOf(200, 300) },
    ]);
    await expect
      .poll(async () => (await text(page)).match(/!\[[^\]]*\]\(\/media\//g)?.length, { timeout: 20_000 })
      .toBe(3);

    const markdown = await text(page);
    expect(markdown).toContain('\n\n::: howto How to brew a pot\nWhat it is for, in a sentence.\n\n1. **First step.**');
    expect(markdown).toContain('\n\n::: note\nUpdated in May.\n:::\n');
    // A block chosen inside another goes after it; the gallery keeps the order chosen.
    expect(markdown).toMatch(
      /\n\n::: ps\n\*\*P\.S\.\*\* Thanks to Ana for the cups\.\n:::\n\n::: embed https:\/\/video\.example\.org\/tea\nWhat it is, in a sentence \(shown under the link\)\.\n:::\n\n!\[A brown teapot\]\(\/media\/[^ )]+ ""\)\n\n::: gallery\n!\[\]\(\/media\/[^ )]*cup-1[^ )]* ""\)\n\n!\[\]\(\/media\/[^ )]*cup-2[^ )]* ""\)\n:::\n$/,
    );

    // Live counts, the server's preview, and the autosave's state.
    await expect.poll(() => page.innerText('#word-count')).toMatch(/^\d+ words · 1 min read$/);
    const words = Number((await page.innerText('#word-count')).split(' ')[0]);
    expect(words).toBeGreaterThan(30);
    await expect.poll(() => page.locator('#preview section.howto h2').innerText()).toBe('How to brew a pot');
    expect(await page.locator('#preview aside.editor-note').innerText()).toBe('Updated in May.');
    expect(await page.locator('#preview aside.postscript').innerText()).toContain('Thanks to Ana');
    await expect.poll(() => page.locator('#preview figure img').count()).toBe(3);
    expect(await page.locator('#preview .gallery figure').count()).toBe(2);
    expect(await page.locator('#preview figure.embed a.embed__link').getAttribute('href')).toBe(
      'https://video.example.org/tea',
    );
    expect(await page.locator('#preview figure.embed figcaption').innerText()).toBe(
      'What it is, in a sentence (shown under the link).',
    );
    await expect.poll(() => page.innerText('#autosave-status'), { timeout: 10_000 }).toMatch(/^Saved \d\d?:\d\d/);
    expect(await page.locator('#preview img[alt="A brown teapot"]').count()).toBe(1);

    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(shots, 'editor.png') });
    // Ctrl+S saves the post (as the Save button does); the text is stored exactly.
    await box.click();
    await page.keyboard.press('Control+s');
    await page.waitForURL(/\/admin\/posts\/\d+\?saved=1/);
    expect(await text(page)).toBe(markdown);
    await page.waitForSelector('#editor[data-editor-ready="yes"]');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('uploads a pasted and a dropped photo with visible progress and inserts it with a place for its alt text', async () => {
    const { context, page, problems } = await signedIn('olive@example.org', { viewport: { width: 1280, height: 800 } });
    await openEditor(page);
    await page.getByRole('textbox', { name: 'Text (Markdown)' }).click();
    await page.keyboard.type('Before the photo.');
    // What the status and the progress bar showed, recorded as it happens.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      const bar = document.getElementById('upload-progress') as HTMLProgressElement;
      new MutationObserver(() => {
        seen.push(`${document.getElementById('upload-status')?.textContent}|${bar.hidden ? 'hidden' : bar.value}`);
      }).observe(document.querySelector('.editor__status') as Node, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
      });
    });
    const png = (await pngOf(1600, 1200)).toString('base64');
    await page.evaluate((data) => {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      const files = new DataTransfer();
      files.items.add(new File([bytes], 'pasted.png', { type: 'image/png' }));
      const paste = new ClipboardEvent('paste', { clipboardData: files, bubbles: true, cancelable: true });
      document.querySelector('.cm-content')?.dispatchEvent(paste);
    }, png);
    await expect
      .poll(() => text(page), { timeout: 20_000 })
      .toMatch(/^Before the photo\.\n\n!\[\]\(\/media\/[^ )]+ ""\)\n$/);
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen.some((s) => /^Uploading pasted\.png: \d+%\|\d+$/.test(s))).toBe(true);
    expect(seen.at(-1)).toMatch(/^pasted\.png uploaded\..*\|hidden$/);
    expect(await page.locator('.cm-hint').allInnerTexts()).toEqual([
      'alt text: describe the photo',
      'caption (optional)',
    ]);

    // Dropped on the text: inserted after the line it lands on.
    await page.evaluate(async (data) => {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      const files = new DataTransfer();
      files.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
      const line = document.querySelector('.cm-line') as HTMLElement;
      const r = line.getBoundingClientRect();
      line.dispatchEvent(
        new DragEvent('drop', {
          dataTransfer: files,
          bubbles: true,
          cancelable: true,
          clientX: r.right - 2,
          clientY: r.top + 4,
        }),
      );
    }, png);
    await expect.poll(async () => (await text(page)).match(/!\[\]\(\/media\//g)?.length, { timeout: 20_000 }).toBe(2);
    expect((await text(page)).startsWith('Before the photo.\n\n![](/media/')).toBe(true);

    // Something that is not a photo is refused by the server, and said so.
    await page.evaluate(() => {
      const files = new DataTransfer();
      files.items.add(new File(['not a photo'], 'notes.png', { type: 'image/png' }));
      const paste = new ClipboardEvent('paste', { clipboardData: files, bubbles: true, cancelable: true });
      document.querySelector('.cm-content')?.dispatchEvent(paste);
    });
    await expect.poll(() => page.innerText('#upload-status'), { timeout: 10_000 }).toMatch(/^notes\.png: /);
    expect((await text(page)).match(/!\[\]\(\/media\//g)?.length).toBe(2);
    problems.splice(0, problems.length, ...problems.filter((p) => !p.includes('415') && !p.includes('422')));
    expect(problems).toEqual([]);
    await context.close();
  });

  it('says when the autosave failed, and retries', async () => {
    const { context, page } = await signedIn('olive@example.org');
    await openEditor(page);
    await page.route('**/admin/posts/autosave', (route) => route.abort());
    await page.getByRole('textbox', { name: 'Text (Markdown)' }).click();
    await page.keyboard.type('One two three.');
    await expect.poll(() => page.innerText('#autosave-status'), { timeout: 10_000 }).toBe('Not saved — retry');
    expect(await page.innerText('#word-count')).toBe('3 words · 1 min read');
    const retry = page.getByRole('button', { name: 'Retry' });
    expect(await retry.isVisible()).toBe(true);
    await page.unroute('**/admin/posts/autosave');
    await retry.click();
    await expect.poll(() => page.innerText('#autosave-status'), { timeout: 10_000 }).toMatch(/^Saved \d\d?:\d\d/);
    expect(await retry.isHidden()).toBe(true);
    // Tag suggestions complete the tag after the last comma.
    await page.fill('#post-tags', 'garden, k');
    const offered = await page.$$eval('#tag-suggestions option', (options) =>
      options.map((o) => (o as HTMLOptionElement).value),
    );
    expect(offered).toEqual(['garden, kitchen']);
    // Focus leaves the text alone on the page, and gives everything back.
    await tool(page, 'Focus').click();
    expect(await tool(page, 'Focus').getAttribute('aria-pressed')).toBe('true');
    expect(await page.isHidden('.editor__settings')).toBe(true);
    expect(await page.isHidden('.editor__preview')).toBe(true);
    await tool(page, 'Focus').click();
    expect(await page.isVisible('.editor__settings')).toBe(true);
    await context.close();
  });

  it('offers the editor’s note to editors and above only, and fits a phone', async () => {
    const { context, page, problems } = await signedIn('arlo@example.org', { viewport: { width: 390, height: 844 } });
    await openEditor(page);
    expect(await tool(page, 'Editor’s note').count()).toBe(0);
    expect(await tool(page, 'P.S.').count()).toBe(1);
    await page.getByRole('textbox', { name: 'Text (Markdown)' }).click();
    await page.keyboard.type('/');
    const options = await page.getByRole('listbox', { name: 'Insert a block' }).getByRole('option').allInnerTexts();
    expect(options).not.toContain('Editor’s note ::: note');
    expect(options).toHaveLength(6);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('Notes from the allotment\n\nThe beans are up, and the ');
    await page.keyboard.press('Control+b');
    await page.keyboard.type('first courgette');
    await page.keyboard.press('End');
    await page.keyboard.type(' is the size of a thumb.');
    // On a phone the settings come after the text, and nothing is wider than the screen.
    const textTop = (await page.locator('.cm-editor').boundingBox())?.y ?? 0;
    const settingsTop = (await page.locator('.editor__settings').boundingBox())?.y ?? 0;
    expect(settingsTop).toBeGreaterThan(textTop);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await seriousAxeViolations(page, '/admin/posts/new (phone)')).toEqual([]);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(shots, 'editor-phone.png') });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('saves the post from the plain form without JavaScript', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/admin/login`);
    await page.fill('#login-email', 'olive@example.org');
    await page.fill('#login-password', OWNER_PASSWORD);
    await page.click('button[type="submit"]');
    await page.goto(`${base}/admin/posts/new`);
    expect(await page.isVisible('#post-body')).toBe(true);
    expect(await page.isHidden('.toolbar')).toBe(true);
    await page.fill('#post-title', 'Without script');
    await page.fill('#post-body', '::: ps\nWritten in a plain text box.\n:::\n');
    await page.click('#editor button[type="submit"]');
    await page.waitForURL(/\/admin\/posts\/\d+\?saved=1/);
    expect(await page.inputValue('#post-body')).toBe('::: ps\nWritten in a plain text box.\n:::\n');
    await context.close();
  });
});

fs.mkdirSync(shots, { recursive: true });
