/** Categories and tags: reads (kept in memory) and the admin's edits. */

export { TaxonomyAdmin, type TermKind, type TermWithCount } from './taxonomy-admin.js';
export { type Category, type Tag, TaxonomyService, toCategory } from './taxonomy-service.js';
export type { TermInput } from './term-input.js';
