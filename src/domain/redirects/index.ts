/** Permanent redirects from old addresses. */

export { addRedirect, redirectFor } from './redirects.js';
