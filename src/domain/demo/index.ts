/** The demo blog a new install shows: our own writing and drawings. */

export { demoContent } from './content.js';
export { type DemoDeps, installDemo } from './install.js';
export type { DemoContent } from './types.js';
