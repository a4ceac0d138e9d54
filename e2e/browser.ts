import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { Config } from '../src/config.js';
import type { App } from '../src/main.js';
import { createTestApp } from '../test/helpers/app.js';

/** Debian's Chromium, headless, with the flags this sandbox needs (no sandbox, no phoning home). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.HEARTH_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical WCAG 2.1 AA findings on a loaded page, one line each. */
export async function seriousAxeViolations(page: Page, label: string): Promise<string[]> {
  await page.evaluate(axeSource);
  const result = (await page.evaluate(() =>
    (window as unknown as { axe: { run: (o: object) => Promise<unknown> } }).axe.run({
      runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
    }),
  )) as { violations: { id: string; impact: string; nodes: { target: string[] }[] }[] };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${label}: ${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Starts a test app's server on a free port; returns its base URL. */
export async function listen(app: App): Promise<string> {
  await app.server.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

/** The password of the owner that `siteWithOwner` creates. */
export const OWNER_PASSWORD = 'correct horse battery';

/** A test site with an owner (olive@example.org), listening on a free port, and Chromium. */
export async function siteWithOwner(
  overrides: Partial<Config> = {},
): Promise<{ app: App & { dataDir: string }; base: string; browser: Browser }> {
  const app = await createTestApp(overrides);
  await app.services.users.create({
    name: 'Olive Owner',
    email: 'olive@example.org',
    password: OWNER_PASSWORD,
    role: 'owner',
  });
  return { app, base: await listen(app), browser: await launchChromium() };
}
