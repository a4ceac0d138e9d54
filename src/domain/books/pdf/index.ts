/** Books as PDF for print: the prepared book laid out by Paged.js in Chromium (playwright-core). */
export { buildPdf, type PdfDeps, type PdfOptions, type PdfResult } from './build.js';
export { CHROMIUM_ARGS } from './render.js';
