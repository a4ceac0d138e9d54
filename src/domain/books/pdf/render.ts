import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { HearthError } from '../../../errors.js';
import type { PrintDocument } from './document.js';

/** Chromium's switches: no sandbox (containers), no GPU, nothing that calls home. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Paged.js's polyfill, as a file: URL the print document loads. */
export function pagedPolyfillUrl(): string {
  // The package exports no path to its dist/ files: find them beside its CommonJS entry (lib/).
  const entry = createRequire(import.meta.url).resolve('pagedjs');
  return pathToFileURL(path.join(path.dirname(entry), '..', 'dist', 'paged.polyfill.js')).href;
}

export interface RenderOptions {
  chromiumPath: string;
  /** The longest the whole render may take, in ms. */
  timeoutMs: number;
}

const chromiumError = (chromiumPath: string, reason: string, cause?: unknown) =>
  new HearthError('HEARTH_ERR_BOOK_PDF_CHROMIUM', { path: chromiumPath, reason }, cause ? { cause } : undefined);

const briefly = (error: unknown) =>
  ((error as Error)?.message ?? String(error)).split('\n')[0]?.replace(/\.$/, '').slice(0, 300) ?? '';

/**
 * Lays the print document out with Paged.js in Chromium and writes the PDF to a temporary
 * file beside `file`, renamed over it when complete: `file` is the finished PDF or untouched.
 * The page loads nothing but its own files (no request leaves the machine); the browser is
 * always closed. Returns the number of pages.
 */
export async function renderPdf(
  document: PrintDocument,
  file: string,
  options: RenderOptions,
): Promise<{ pages: number; bytes: number }> {
  const { chromiumPath, timeoutMs } = options;
  try {
    await access(chromiumPath, constants.X_OK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be run';
    throw chromiumError(chromiumPath, reason, error);
  }

  const dir = await mkdtemp(path.join(os.tmpdir(), 'hearth-book-pdf-'));
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.part`);
  let browser: Browser | undefined;
  // One close, awaited by everyone (a second close() would not wait for the first to clean up).
  let closing: Promise<void> | undefined;
  const close = () => {
    if (browser) closing ??= browser.close().catch(() => {});
    return closing ?? Promise.resolve();
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    // The folder of the PDF must take a file before Chromium is started for nothing.
    await writeFile(temporary, '', { flag: 'wx' });
    for (const asset of document.files) {
      const target = path.join(dir, asset.path);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, asset.data);
    }
    const index = path.join(dir, 'book.html');
    await writeFile(index, document.html, 'utf8');

    const folder = `${pathToFileURL(dir).href}/`;
    const allowed = (url: string) => url.startsWith('data:') || url.startsWith(folder) || url === document.scriptUrl;
    let expired = false;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        expired = true;
        reject(chromiumError(chromiumPath, `took longer than ${Math.ceil(timeoutMs / 1000)} s to lay the book out`));
        void close();
      }, timeoutMs);
    });
    const work = (async () => {
      try {
        // A launch is never cut short (Playwright then leaves its profile folder behind): when
        // the time runs out meanwhile, the browser is closed as soon as it has started.
        // Loaded when a PDF is made, not when Hearth starts (it is the heaviest module to load).
        const { chromium } = await import('playwright-core');
        browser = await chromium.launch({
          executablePath: chromiumPath,
          args: CHROMIUM_ARGS,
          timeout: Math.max(timeoutMs, 60_000),
        });
      } catch (error) {
        throw chromiumError(chromiumPath, `did not start (${briefly(error)})`, error);
      }
      if (expired) throw chromiumError(chromiumPath, 'started too late');
      const page = await browser.newPage({ serviceWorkers: 'block' });
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(briefly(error)));
      // Nothing leaves the machine, and nothing outside the document's folder is read.
      await page.route('**/*', (route) =>
        allowed(route.request().url()) ? route.continue() : route.abort('blockedbyclient'),
      );
      await page.goto(pathToFileURL(index).href, { waitUntil: 'load', timeout: timeoutMs });
      const total = await page.evaluate(async () => {
        const paged = (window as unknown as { PagedPolyfill?: { preview(): Promise<{ total: number }> } })
          .PagedPolyfill;
        if (!paged) return -1;
        const flow = await paged.preview();
        return flow.total;
      });
      if (total < 1) {
        const why = pageErrors[0] ?? (total === -1 ? 'Paged.js did not load' : 'no pages were laid out');
        throw chromiumError(chromiumPath, `could not lay the book out (${why})`);
      }
      await page.pdf({ path: temporary, preferCSSPageSize: true, printBackground: true });
      return total;
    })();
    // Whichever loses the race must not become an unhandled rejection; when the time runs out
    // first, the work still settles (its browser closed) before the folder is cleaned up.
    work.catch(() => {});
    timedOut.catch(() => {});
    let pages: number;
    try {
      pages = await Promise.race([timedOut, work]);
    } catch (error) {
      await close();
      await work.catch(() => {});
      if (error instanceof HearthError) throw error;
      throw chromiumError(chromiumPath, `stopped while making the PDF (${briefly(error)})`, error);
    }
    await rename(temporary, file);
    return { pages, bytes: (await stat(file)).size };
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  } finally {
    if (timer) clearTimeout(timer);
    await close();
    await rm(dir, { recursive: true, force: true });
  }
}
