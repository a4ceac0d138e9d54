import type { CompiledQuery } from 'kysely';
import type { Db } from '../../storage/index.js';
import type { ChangeFeed } from '../changes.js';
import type { DateFormat } from './date-formats.js';

/** The site's own settings, edited in the admin (`/admin/settings`). */
export interface SiteSettings {
  title: string;
  tagline: string;
  description: string;
  /** IANA time zone in which dates are shown. */
  timezone: string;
  postsPerPage: number;
  /** Language of the site, as a BCP 47 tag. */
  locale: string;
  /** Slug of the page linked as "About" in the navigation, if any. */
  aboutPage: string;
  /** Whether feed entries carry the whole post or only its excerpt. */
  feedContent: 'full' | 'excerpt';
  /** Comments: see docs/comments.md for each. */
  commentsMaxDepth: number;
  commentsCloseAfterDays: number;
  commentModeration: CommentModeration;
  commentMinSeconds: number;
  commentMaxLinks: number;
  commentRateLimitPerIp: number;
  commentRateLimitPerEmail: number;
  commentRateWindowMinutes: number;
  commentBlockedWords: string[];
  commentBlockedEmails: string[];
  commentBlockedIps: string[];
  commentBlockedDomains: string[];
  commentSpamThreshold: number;
  commentIpRetentionDays: number;
  /** How dates are written on the site. */
  dateFormat: DateFormat;
  /** The media library photo shown as the site's logo, if any. */
  logoId: number | null;
  /** The navigation menu, in order; empty for the automatic menu (home, categories, about). */
  menu: MenuItem[];
  /** A line under the footer (a licence, a thank-you); empty: "© year title". */
  footerText: string;
  /** Links in the footer (privacy, contact, the feed), in order. */
  footerLinks: MenuItem[];
  /** The writer's profiles elsewhere, shown in the footer; absolute http(s) addresses. */
  socialLinks: MenuItem[];
  /** Analytics (docs/analytics.md): counting visits at all, leaving out DNT/Sec-GPC, days kept. */
  analyticsEnabled: boolean;
  analyticsHonourDnt: boolean;
  analyticsRetentionDays: number;
  /** Whether the theme shows the subscribe form and the site takes sign-ups (docs/subscribers.md). */
  subscriptionsEnabled: boolean;
  /** Newsletters (docs/subscribers.md): messages a minute, and the weekly digest's day (0 Sunday) and hour. */
  newsletterRatePerMinute: number;
  newsletterDigestWeekday: number;
  newsletterDigestHour: number;
}

/** One link of the navigation menu: a path on the site or an http(s) address. */
export interface MenuItem {
  label: string;
  url: string;
}

/**
 * Who is published without a moderator: nobody (`hold-all`), commenters whose email has
 * an approved comment already (`hold-first-time`), or everyone the spam checks pass.
 */
export type CommentModeration = 'hold-all' | 'hold-first-time' | 'approve-passing';

export const defaultSettings: SiteSettings = {
  title: 'My Hearth blog',
  tagline: 'A home for my writing',
  description: '',
  timezone: 'UTC',
  postsPerPage: 7,
  locale: 'en',
  aboutPage: 'about',
  feedContent: 'full',
  commentsMaxDepth: 3,
  commentsCloseAfterDays: 0,
  commentModeration: 'hold-first-time',
  commentMinSeconds: 3,
  commentMaxLinks: 2,
  commentRateLimitPerIp: 5,
  commentRateLimitPerEmail: 5,
  commentRateWindowMinutes: 10,
  commentBlockedWords: [],
  commentBlockedEmails: [],
  commentBlockedIps: [],
  commentBlockedDomains: [],
  commentSpamThreshold: 0.9,
  commentIpRetentionDays: 30,
  dateFormat: 'long',
  logoId: null,
  menu: [],
  footerText: '',
  footerLinks: [],
  socialLinks: [],
  analyticsEnabled: true,
  analyticsHonourDnt: true,
  analyticsRetentionDays: 730,
  subscriptionsEnabled: true,
  newsletterRatePerMinute: 600,
  newsletterDigestWeekday: 1,
  newsletterDigestHour: 8,
};

/** Reads and writes site settings, one JSON value per key. */
export class SettingsService {
  #db: Db;
  // Every page reads the settings: the query is compiled once, not on every read.
  #all: CompiledQuery<{ key: string; value: string }>;

  #changes: ChangeFeed | undefined;
  #keep: boolean;

  /** The settings as last read; dropped on every change this process hears of. */
  #memo: Promise<SiteSettings> | undefined;

  /**
   * `keep`: hold what was read in memory until a change is announced. Only where this
   * process hears of every change (one instance, as with the page cache).
   */
  constructor(db: Db, changes?: ChangeFeed, options: { keep?: boolean } = {}) {
    this.#db = db;
    this.#keep = options.keep ?? false;
    this.#changes = changes;
    this.#all = db.selectFrom('settings').select(['key', 'value']).compile();
    changes?.subscribe(() => {
      this.#memo = undefined;
    });
  }

  /**
   * The site settings. Every page reads them, so they are kept in memory until a change
   * is announced (without a change feed, read each time).
   */
  async get(): Promise<SiteSettings> {
    if (!this.#keep) return this.#read();
    this.#memo ??= this.#read().catch((error: unknown) => {
      this.#memo = undefined;
      throw error;
    });
    return this.#memo;
  }

  async #read(): Promise<SiteSettings> {
    const { rows } = await this.#db.executeQuery(this.#all);
    const stored = Object.fromEntries(
      rows.filter((r) => r.key in defaultSettings).map((r) => [r.key, JSON.parse(r.value) as unknown]),
    );
    return { ...defaultSettings, ...stored };
  }

  /**
   * Saves settings in one transaction and announces the change (every page shows some).
   * Inside a caller's transaction (`db`), the caller announces it once it commits.
   */
  async update(values: Partial<SiteSettings>, db?: Db): Promise<void> {
    if (db) return this.#write(values, db);
    await this.#db.transaction().execute((tx) => this.#write(values, tx));
    this.#changes?.publish({ kind: 'site' });
  }

  async #write(values: Record<string, unknown>, db: Db): Promise<void> {
    this.#memo = undefined;
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) continue;
      await db
        .insertInto('settings')
        .values({ key, value: JSON.stringify(value) })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value) }))
        .execute();
    }
  }

  /**
   * Stores an internal value unless one is there: whether this call stored it (a claim on
   * some work, for one instance among several). A claim its holder left behind (it died)
   * is taken over when `staleIf` says so of the value found: deleted only if it still holds
   * that value, then claimed again.
   */
  async claimInternal(
    key: string,
    value: string,
    db: Db = this.#db,
    staleIf?: (found: string) => boolean,
  ): Promise<boolean> {
    const insert = async () =>
      Number(
        (
          await db
            .insertInto('settings')
            .values({ key, value: JSON.stringify(value) })
            .onConflict((oc) => oc.column('key').doNothing())
            .executeTakeFirst()
        ).numInsertedOrUpdatedRows ?? 0,
      ) > 0;
    if (await insert()) return true;
    if (!staleIf) return false;
    const found = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    if (!found || !staleIf(JSON.parse(found.value) as string)) return false;
    await db.deleteFrom('settings').where('key', '=', key).where('value', '=', found.value).execute();
    return insert();
  }

  /** Gives a claim back, unless another instance has taken it over meanwhile. */
  async releaseInternal(key: string, value: string, db: Db = this.#db): Promise<void> {
    await db.deleteFrom('settings').where('key', '=', key).where('value', '=', JSON.stringify(value)).execute();
  }

  /** A value kept outside the site settings (secrets, install markers). */
  async getInternal(key: string): Promise<string | undefined> {
    const row = await this.#db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return row ? (JSON.parse(row.value) as string) : undefined;
  }

  /**
   * An internal value, made by `make` and kept on first use. When two instances make
   * one at once, the first stored wins and both return it.
   */
  async getOrCreateInternal(key: string, make: () => string): Promise<string> {
    const existing = await this.getInternal(key);
    if (existing !== undefined) return existing;
    await this.#db
      .insertInto('settings')
      .values({ key, value: JSON.stringify(make()) })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    return (await this.getInternal(key)) as string;
  }

  async setInternal(key: string, value: string | undefined, db: Db = this.#db): Promise<void> {
    if (value === undefined) {
      await db.deleteFrom('settings').where('key', '=', key).execute();
      return;
    }
    await this.#write({ [key]: value }, db);
  }
}
