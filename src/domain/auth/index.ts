/** The first-run owner setup link. */

export { SetupService } from './setup.js';
