import type { Db } from '../../../storage/index.js';
import type { SiteSettings } from '../../settings/index.js';

/** A comment as the spam checks see it, before it is stored. */
export interface Candidate {
  postId: number;
  name: string;
  /** Lower case, or null when not given. */
  email: string | null;
  website: string | null;
  body: string;
  /** SHA-256 of the normalised text. */
  bodyHash: string;
  /** Addresses the text links to. */
  links: string[];
  /** The visitor's address in clear: only the blocklist sees it, it is never stored. */
  ip: string;
  /** The honeypot field, which people never see and so leave empty. */
  trap: string;
  /** The form token that script fills in; undefined when script did not run. */
  token: string | undefined;
}

/** What a check may need: the database, the settings, the clock and the site secret. */
export interface CheckEnv {
  db: Db;
  settings: SiteSettings;
  now: Date;
  secret: string;
}

/**
 * What a check found: `spam` sends the comment to the spam folder, `hold` keeps it for a
 * moderator whatever the moderation policy. The reason is stored with the comment.
 */
export interface Finding {
  verdict: 'spam' | 'hold';
  reason: string;
}

/** One spam check: a small function that finds nothing or one thing. */
export type SpamCheck = (candidate: Candidate, env: CheckEnv) => Finding | undefined | Promise<Finding | undefined>;
