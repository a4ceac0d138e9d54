#!/usr/bin/env node
// Takes the screenshots in docs/screenshots/ from a fresh blog with the demo content:
// `npm run build && node scripts/screenshots.mjs`. Starts `hearth serve` on a free port
// of 127.0.0.1 with a temporary data folder, signs in as an owner made for it, and uses
// Debian's Chromium (HEARTH_CHROMIUM to choose another). Everything stops at the end.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'dist', 'cli', 'bin.js');
const out = path.join(root, 'docs', 'screenshots');
const email = 'writer@example.org';
// `node scripts/screenshots.mjs newsletter` takes only the newsletter's email (light and dark).
const only = process.argv[2];
const password = 'screenshots need a password';

const port = await new Promise((resolve, reject) => {
  const server = net.createServer();
  server.once('error', reject);
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-shots-'));
const env = {
  ...process.env,
  HEARTH_DATA_DIR: dataDir,
  HEARTH_LOG_LEVEL: 'warn',
  HEARTH_PUBLIC_URL: `http://127.0.0.1:${port}`,
};
const made = spawnSync(
  process.execPath,
  [bin, 'user', 'create', '--name', 'Maren Writer', '--email', email, '--password-stdin'],
  {
    env,
    input: password,
    encoding: 'utf8',
  },
);
if (made.status !== 0) throw new Error(made.stderr);
const server = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--host', '127.0.0.1'], {
  env,
  stdio: 'ignore',
});
const base = `http://127.0.0.1:${port}`;
let browser;
try {
  for (let i = 0; ; i++) {
    if (
      await fetch(`${base}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i > 600) throw new Error('hearth did not start in time');
    await new Promise((r) => setTimeout(r, 200));
  }
  browser = await chromium.launch({
    executablePath: process.env.HEARTH_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'],
  });
  fs.mkdirSync(out, { recursive: true });
  const firstPost = async (page) => {
    await page.goto(`${base}/`);
    return page.locator('main article a[href^="/"]').first().getAttribute('href');
  };

  const shoot = async ({ name, width, height, colorScheme, admin, url, full = false, mobile = false }) => {
    const context = await browser.newContext({
      viewport: { width, height },
      colorScheme,
      deviceScaleFactor: 1,
      isMobile: mobile,
      hasTouch: mobile,
    });
    const page = await context.newPage();
    if (admin) {
      await page.goto(`${base}/admin/login`);
      await page.fill('#login-email', email);
      await page.fill('#login-password', password);
      await Promise.all([page.waitForURL(`${base}/admin`), page.locator('form button[type="submit"]').click()]);
    }
    const target = typeof url === 'function' ? await url(page) : url;
    await page.goto(`${base}${target}`, { waitUntil: 'networkidle' });
    await page.screenshot({ path: path.join(out, `${name}.png`), fullPage: full });
    await context.close();
    console.log(`docs/screenshots/${name}.png`);
  };

  for (const colorScheme of only ? [] : ['light', 'dark']) {
    await shoot({
      name: `post-phone-${colorScheme}`,
      width: 390,
      height: 844,
      colorScheme,
      url: firstPost,
      mobile: true,
    });
    await shoot({ name: `home-phone-${colorScheme}`, width: 390, height: 844, colorScheme, url: '/', mobile: true });
    await shoot({
      name: `editor-${colorScheme}`,
      width: 1280,
      height: 800,
      colorScheme,
      admin: true,
      url: '/admin/posts/new',
    });
    await shoot({
      name: `media-library-${colorScheme}`,
      width: 1280,
      height: 800,
      colorScheme,
      admin: true,
      url: '/admin/media',
    });
    await shoot({
      name: `dashboard-phone-${colorScheme}`,
      width: 390,
      height: 844,
      colorScheme,
      admin: true,
      url: '/admin',
      mobile: true,
    });
  }
  const blockPost = await blockShots(browser);
  // The newsletter of that post, as the admin's preview frames it: the 600 px message.
  for (const colorScheme of ['light', 'dark']) {
    await shoot({
      name: `newsletter-${colorScheme}`,
      width: 640,
      height: 900,
      colorScheme,
      admin: true,
      url: `/admin/posts/${blockPost}/newsletter/email`,
      full: true,
    });
  }
  if (!only)
    await shoot({
      name: 'editor-phone-light',
      width: 390,
      height: 844,
      colorScheme: 'light',
      admin: true,
      url: '/admin/posts/new',
      mobile: true,
    });
} finally {
  await browser?.close();
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  fs.rmSync(dataDir, { recursive: true, force: true });
}

/**
 * Writes a post with every block of docs/writing.md (through the admin's form, without
 * script), publishes it, and takes each block as the post page shows it.
 */
async function blockShots(browser) {
  const context = await browser.newContext({ viewport: { width: 900, height: 900 }, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${base}/admin/login`);
  await page.fill('#login-email', email);
  await page.fill('#login-password', password);
  await Promise.all([page.waitForURL(`${base}/admin`), page.locator('form button[type="submit"]').click()]);
  // Photos of the demo's library, by their addresses in the demo's posts.
  await page.goto(`${base}/admin/posts`);
  const photos = new Set();
  for (const href of await page.locator('table a[href^="/admin/posts/"]').evaluateAll((as) => as.map((a) => a.href))) {
    await page.goto(href);
    const body = await page.locator('#post-body').inputValue();
    for (const m of body.matchAll(/\]\((\/media\/[^\s)"]+)/g)) photos.add(m[1]);
    if (photos.size >= 3) break;
  }
  const [one, two, three] = [...photos];
  const markdown = [
    'Every block, as a reader sees it.',
    '',
    `![A child pouring water into a watering can](${one} "Watering the beans, June")`,
    '',
    '::: gallery',
    `![Two jars of soup on a table](${two} "")`,
    '',
    `![A wooden spoon on a folded cloth](${three ?? one} "")`,
    ':::',
    '',
    '::: note',
    'We updated this post in May with a second recipe.',
    ':::',
    '',
    '::: howto How to start seeds on a windowsill',
    'Egg boxes and a sunny window are all you need.',
    '',
    '1. **Fill the cups.** Use damp compost, not soil from the garden.',
    '2. **Sow two seeds in each.** Press them in a finger-tip deep.',
    '3. **Keep them moist.** A spray bottle is gentler than a jug.',
    '',
    ':::',
    '',
    '::: embed https://video.example.org/watch/seed-song',
    'The seed song we sing while we sow.',
    ':::',
    '',
    '::: ps',
    '**P.S.** Thanks to Ana for the egg boxes.',
    ':::',
  ].join('\n');
  await page.goto(`${base}/admin/posts/new`);
  await page.fill('#post-title', 'Every block');
  await page.fill('#post-body', markdown);
  await page.check('#status-published');
  await Promise.all([
    page.waitForURL(/\/admin\/posts\/\d+\?saved=1/),
    page.locator('#editor button[type="submit"]').first().click(),
  ]);
  const id = /\/admin\/posts\/(\d+)/.exec(page.url())?.[1];
  await page.goto(`${base}/every-block/`);
  for (const [name, selector] of only
    ? []
    : [
        ['photo', 'article .figure'],
        ['gallery', 'article .gallery'],
        ['note', 'article .editor-note'],
        ['howto', 'article .howto'],
        ['embed', 'article .embed'],
        ['ps', 'article .postscript'],
      ]) {
    const block = page.locator(selector).first();
    await block.screenshot({ path: path.join(out, `block-${name}.png`) });
    console.log(`docs/screenshots/block-${name}.png`);
  }
  await context.close();
  return id;
}
