import { z } from 'zod';
import { SITE_TABLES, type SiteTable } from '../../../storage/index.js';

/**
 * The full-export archive (docs/import.md, "Full export and restore"): a zip holding
 * `hearth-archive.json` (this manifest), `tables/<table>.jsonl` (one JSON object a line,
 * a row with its column names, in key order) and `media/<path>` (each photo's original
 * and stored variants, as the media store holds them).
 */
export const ARCHIVE_FORMAT = 'hearth-archive';
export const ARCHIVE_VERSION = 1;
export const MANIFEST_ENTRY = 'hearth-archive.json';
export const tableEntry = (table: string) => `tables/${table}.jsonl`;
export const mediaEntry = (file: string) => `media/${file}`;

/**
 * What an archive holds: every table `hearth migrate-data` copies, in its order, except
 * failed sign-ins and pending invitation and reset links (secrets that should not travel).
 * Sessions are never copied.
 */
// Book builds name files an archive does not carry: a restored blog builds its books again.
// Recovery codes are sign-in secrets; a restored account sets two-factor up again or makes new codes.
const NOT_ARCHIVED = new Set<string>(['login_attempts', 'account_links', 'book_builds', 'recovery_codes']);
export const ARCHIVED_TABLES: readonly SiteTable[] = SITE_TABLES.filter((t) => !NOT_ARCHIVED.has(t.name));

/** Columns that carry sign-in secrets: exported (as null) only with `--with-passwords`. */
export const USER_SECRETS = ['password_hash', 'totp_secret', 'totp_last_step'] as const;
/** Settings that are secrets of the site (the key behind CSRF tokens and unsubscribe links). */
export const SECRET_SETTINGS = new Set(['internal.secret', 'internal.setup_token_sha256']);

export const manifestSchema = z.object({
  format: z.literal(ARCHIVE_FORMAT),
  version: z.number().int(),
  exportedAt: z.string(),
  hearthVersion: z.string(),
  /** The last migration of the exporting database: the schema the rows follow. */
  migration: z.string(),
  /** Whether users' password hashes and TOTP secrets (and the site secret) are included. */
  withPasswords: z.boolean(),
  /** Rows per table. */
  counts: z.record(z.string(), z.number().int().nonnegative()),
  /** Files below `media/`. */
  files: z.number().int().nonnegative(),
});
export type ArchiveManifest = z.infer<typeof manifestSchema>;

export interface ArchiveProgress {
  /** A table's name, or `media files`. */
  stage: string;
  done: number;
  total: number;
}
