import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
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
  let timer: NodeJS.Timeout | undefined;
  try {
    for (const asset of document.files) {
      const target = path.join(dir, asset.path);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, asset.data);
    }
    const index = path.join(dir, 'book.html');
    await writeFile(index, document.html, 'utf8');

    try {
      browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, timeout: timeoutMs });
    } catch (error) {
      throw chromiumError(chromiumPath, `did not start (${briefly(error)})`, error);
    }
    const started = browser;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(chromiumError(chromiumPath, `took longer than ${Math.round(timeoutMs / 1000)} s to lay the book out`));
        void started.close().catch(() => {});
      }, timeoutMs);
    });
    const pages = await Promise.race([
      timedOut,
      (async () => {
        const page = await started.newPage({ serviceWorkers: 'block' });
        const pageErrors: string[] = [];
        page.on('pageerror', (error) => pageErrors.push(briefly(error)));
        await page.route('**/*', (route) => {
          const url = route.request().url();
          return url.startsWith('file:') || url.startsWith('data:') ? route.continue() : route.abort('blockedbyclient');
        });
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
      })(),
    ]);
    await rename(temporary, file);
    return { pages, bytes: (await stat(file)).size };
  } catch (error) {
    await rm(temporary, { force: true });
    if (error instanceof HearthError) throw error;
    throw chromiumError(chromiumPath, `stopped while making the PDF (${briefly(error)})`, error);
  } finally {
    if (timer) clearTimeout(timer);
    await browser?.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}
