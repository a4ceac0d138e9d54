// Lighthouse (mobile) on the demo post page, against Debian's Chromium; not part of the tests.
// Usage: npm run build && node scripts/lighthouse.mjs [path]   (prints the four scores)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';

const page = process.argv[2] ?? '/benefits-of-infant-massage/';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-lighthouse-'));
const port = 4000 + Math.floor(Math.random() * 1000);
const server = spawn(process.execPath, ['dist/cli/bin.js', 'serve'], {
  env: { ...process.env, HEARTH_DATA_DIR: dataDir, HEARTH_PORT: String(port), HEARTH_LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const base = `http://127.0.0.1:${port}`;
try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}${page}`)).ok) break;
    } catch {}
    if (i > 120) throw new Error('the server did not start');
    await new Promise((r) => setTimeout(r, 500));
  }
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.HEARTH_CHROMIUM ?? '/usr/bin/chromium',
    chromeFlags: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
  try {
    await fetch(`${base}${page}`); // warm the page cache: a reader meets a cached page
    const result = await lighthouse(`${base}${page}`, {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance', 'accessibility', 'best-practices', 'seo'],
    });
    const lhr = result?.lhr;
    if (!lhr) throw new Error('no Lighthouse result');
    for (const [id, c] of Object.entries(lhr.categories)) console.log(`${id}: ${Math.round((c.score ?? 0) * 100)}`);
    for (const id of [
      'first-contentful-paint',
      'largest-contentful-paint',
      'total-blocking-time',
      'cumulative-layout-shift',
      'total-byte-weight',
    ])
      console.log(`  ${id}: ${lhr.audits[id]?.displayValue}`);
    for (const c of Object.values(lhr.categories))
      for (const ref of c.auditRefs) {
        const a = lhr.audits[ref.id];
        if (a && a.score !== null && a.score < 0.9 && ref.weight > 0) console.log(`  below 90: ${a.id} (${a.title})`);
      }
  } finally {
    await chrome.kill();
  }
} finally {
  server.kill();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
