import type { Db } from '../../storage/index.js';

/** The site's own settings, edited by its owner (the admin comes later). */
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
}

export const defaultSettings: SiteSettings = {
  title: 'My Hearth blog',
  tagline: 'A home for my writing',
  description: '',
  timezone: 'UTC',
  postsPerPage: 7,
  locale: 'en',
  aboutPage: 'about',
};

/** Reads and writes site settings, one JSON value per key. */
export class SettingsService {
  #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async get(): Promise<SiteSettings> {
    const rows = await this.#db.selectFrom('settings').select(['key', 'value']).execute();
    const stored = Object.fromEntries(
      rows.filter((r) => r.key in defaultSettings).map((r) => [r.key, JSON.parse(r.value) as unknown]),
    );
    return { ...defaultSettings, ...stored };
  }

  async update(values: Partial<SiteSettings>, db: Db = this.#db): Promise<void> {
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
    await this.update({ [key]: value } as Partial<SiteSettings>, db);
  }
}
