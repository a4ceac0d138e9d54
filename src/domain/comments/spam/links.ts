import type { SpamCheck } from './types.js';

/** Flags a comment that links to more places than the `commentMaxLinks` setting allows. */
export const linksCheck: SpamCheck = (c, env) =>
  c.links.length > env.settings.commentMaxLinks ? { verdict: 'spam', reason: 'too-many-links' } : undefined;
