/** Related posts ("you might also like"): computed, stored, kept up to date post by post. */

export { MAX_PINS, type RelatedOverrides, RelatedService } from './related-service.js';
export { blend, KEEP, WEIGHTS } from './score.js';
