/** The demo blog a new install shows: our own writing and drawings. */

export { demoContent } from './content.js';
export { DEMO_MARKER, type DemoDeps, demoInstalled, installDemo } from './install.js';
export { DEMO_UNWANTED, DemoRemoval, type DemoRemovalDeps, type DemoRemoved, type DemoState } from './removal.js';
export type { DemoContent } from './types.js';
