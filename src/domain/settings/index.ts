import type { CompiledQuery } from 'kysely';
import type { Db } from '../../storage/index.js';
import type { ChangeFeed } from '../changes.js';
import type { DateFormat } from './date-formats.js';

export { checkSettings, type SettingsForm } from './check-settings.js';
export { type DateFormat, dateFormats } from './date-formats.js';

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
  /** How dates are written on the site. */
  dateFormat: DateFormat;
  /** The media library photo shown as the site's logo, if any. */
  logoId: number | null;
  /** The navigation menu, in order; empty for the automatic menu (home, categories, about). */
  menu: MenuItem[];
}

/** One link of the navigation menu: a path on the site or an http(s) address. */
export interface MenuItem {
  label: string;
  url: string;
}

export const defaultSettings: SiteSettings = {
  title: 'My Hearth blog',
  tagline: 'A home for my writing',
  description: '',
  timezone: 'UTC',
  postsPerPage: 7,
  locale: 'en',
  aboutPage: 'about',
  feedContent: 'full',
  dateFormat: 'long',
  logoId: null,
  menu: [],
};

/** Reads and writes site settings, one JSON value per key. */
export class SettingsService {
  #db: Db;
  // Every page reads the settings: the query is compiled once, not on every read.
  #all: CompiledQuery<{ key: string; value: string }>;

  #changes: ChangeFeed | undefined;

  constructor(db: Db, changes?: ChangeFeed) {
    this.#db = db;
    this.#changes = changes;
    this.#all = db.selectFrom('settings').select(['key', 'value']).compile();
  }

  async get(): Promise<SiteSettings> {
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
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) continue;
      await db
        .insertInto('settings')
        .values({ key, value: JSON.stringify(value) })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value) }))
        .execute();
    }
  }

  /** A value kept outside the site settings (secrets, install markers). */
  async getInternal(key: string): Promise<string | undefined> {
    const row = await this.#db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return row ? (JSON.parse(row.value) as string) : undefined;
  }

  async setInternal(key: string, value: string | undefined, db: Db = this.#db): Promise<void> {
    if (value === undefined) {
      await db.deleteFrom('settings').where('key', '=', key).execute();
      return;
    }
    await this.#write({ [key]: value }, db);
  }
}
export { SettingsEditor } from './settings-editor.js';
