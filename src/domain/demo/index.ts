/** The demo blog a new install shows: our own writing and drawings. */

export { demoContent } from './content.js';
export { DEMO_MARKER, type DemoDeps, demoInstalled, installDemo } from './install.js';
export type { DemoContent } from './types.js';
