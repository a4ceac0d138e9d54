import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../storage/index.js';
import { feedReader, isBrowser, pagePath, referringSite } from './classify.js';

/** One answered request, as the HTTP layer describes it to analytics. */
export interface Hit {
  kind: 'page' | 'feed';
  /** The request's URL (path and query); the query is dropped. */
  url: string;
  userAgent: string | undefined;
  ip: string;
  host: string | undefined;
  referrer: string | undefined;
  /** The visitor asked not to be tracked (DNT: 1 or Sec-GPC: 1). */
  optOut: boolean;
}

interface Counts {
  views: number;
  /** This process's hashes of address and browser, unsalted, held only until the next flush. */
  who: Set<string>;
}

interface FeedCounts {
  fetches: number;
  reported: number;
  who: Set<string>;
}

/** The whole site's row in `analytics_daily`. */
export const SITE = '*';
/** Hashes are cut to this many hex digits: enough to tell visitors apart in a day, no more. */
const HASH_DIGITS = 16;
/**
 * Most distinct paths, referring sites and feed readers an instance takes in a day: past
 * it, a new referrer or reader counts as OTHER and a new path for the whole site only, so
 * forged headers cannot fill the tables.
 */
const MAX_KEYS = 2000;
export const OTHER = '(other)';
/** A feed reader saying it fetches for more subscribers than this is not believed beyond it. */
const MAX_REPORTED = 1_000_000;
const BATCH = 200;

const day = (at: Date) => at.toISOString().slice(0, 10);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Counts visits in memory and writes them, added up, every few seconds (`flush`): a page
 * view costs a hash and a few map updates, never a write of its own. Several instances
 * each add their counts; unique visitors are told apart across them by the day's salt,
 * kept in the database and deleted with the day's hashes.
 */
export class Analytics {
  #db: Db;
  #now: () => Date;
  #pages = new Map<string, Map<string, Counts>>();
  #referrers = new Map<string, Map<string, number>>();
  #feeds = new Map<string, Map<string, FeedCounts>>();
  #lastPurge = 0;
  /** The keys taken in today, by kind: what MAX_KEYS counts. */
  #known = { day: '', paths: new Set<string>(), sites: new Set<string>(), readers: new Set<string>() };
  #flushing: Promise<void> | undefined;

  constructor(deps: { db: Db; now?: () => Date }) {
    this.#db = deps.db;
    this.#now = deps.now ?? (() => new Date());
  }

  /** Takes one request into account (robots and opted-out visitors are left out by the caller's settings). */
  record(hit: Hit, options: { honourOptOut: boolean }): void {
    if (options.honourOptOut && hit.optOut) return;
    const today = day(this.#now());
    if (this.#known.day !== today) this.#known = { day: today, paths: new Set(), sites: new Set(), readers: new Set() };
    const who = sha256(`${hit.ip}\n${hit.userAgent ?? ''}`);
    if (hit.kind === 'feed') {
      // A program that does not name itself is not counted as a reader.
      if (!hit.userAgent?.trim()) return;
      const found = feedReader(hit.userAgent);
      const reader = this.#admit(this.#known.readers, found.reader) ? found.reader : OTHER;
      const feeds = mapFor(this.#feeds, today);
      let counts = feeds.get(reader);
      if (!counts) {
        counts = { fetches: 0, reported: 0, who: new Set() };
        feeds.set(reader, counts);
      }
      counts.fetches++;
      if (found.subscribers !== undefined && reader !== OTHER)
        counts.reported = Math.max(counts.reported, Math.min(found.subscribers, MAX_REPORTED));
      else counts.who.add(who);
      return;
    }
    if (!isBrowser(hit.userAgent)) return;
    const pages = mapFor(this.#pages, today);
    const path = pagePath(hit.url);
    for (const key of this.#admit(this.#known.paths, path) ? [SITE, path] : [SITE]) {
      let counts = pages.get(key);
      if (!counts) {
        counts = { views: 0, who: new Set() };
        pages.set(key, counts);
      }
      counts.views++;
      counts.who.add(who);
    }
    const found = referringSite(hit.referrer, hit.host);
    if (found) {
      const site = this.#admit(this.#known.sites, found) ? found : OTHER;
      const referrers = mapFor(this.#referrers, today);
      referrers.set(site, (referrers.get(site) ?? 0) + 1);
    }
  }

  /** Whether `key` is, or may now be, one of today's known keys of its kind. */
  #admit(known: Set<string>, key: string): boolean {
    if (known.has(key)) return true;
    if (known.size >= MAX_KEYS) return false;
    known.add(key);
    return true;
  }

  /** Writes what was counted since the last flush, in one transaction; one flush at a time. */
  async flush(retentionDays: number): Promise<void> {
    while (this.#flushing) await this.#flushing;
    const pages = this.#pages;
    const referrers = this.#referrers;
    const feeds = this.#feeds;
    this.#pages = new Map();
    this.#referrers = new Map();
    this.#feeds = new Map();
    this.#flushing = this.#write(pages, referrers, feeds, retentionDays).finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  async #write(
    pages: Map<string, Map<string, Counts>>,
    referrers: Map<string, Map<string, number>>,
    feeds: Map<string, Map<string, FeedCounts>>,
    retentionDays: number,
  ): Promise<void> {
    const now = this.#now();
    const purge = now.getTime() - this.#lastPurge > 60 * 60 * 1000;
    if (pages.size === 0 && referrers.size === 0 && feeds.size === 0 && !purge) return;
    await this.#db.transaction().execute(async (tx) => {
      for (const [d, paths] of pages) {
        const salt = await this.#salt(tx, d);
        for (const [path, counts] of paths) {
          const visitors = await this.#newVisitors(tx, d, path, salt, counts.who);
          await tx
            .insertInto('analytics_daily')
            .values({ day: d, path, views: counts.views, visitors })
            .onConflict((oc) =>
              oc.columns(['day', 'path']).doUpdateSet((eb) => ({
                views: eb('analytics_daily.views', '+', counts.views),
                visitors: eb('analytics_daily.visitors', '+', visitors),
              })),
            )
            .execute();
        }
      }
      for (const [d, sites] of referrers) {
        for (const [site, views] of sites) {
          await tx
            .insertInto('analytics_referrers')
            .values({ day: d, site, views })
            .onConflict((oc) =>
              oc.columns(['day', 'site']).doUpdateSet((eb) => ({ views: eb('analytics_referrers.views', '+', views) })),
            )
            .execute();
        }
      }
      for (const [d, readers] of feeds) {
        const salt = await this.#salt(tx, d);
        for (const [reader, counts] of readers) {
          // A reader that says how many it fetches for is believed (the most it said that
          // day); any other counts one subscriber per address and program.
          const individuals = await this.#newVisitors(tx, d, `feed:${reader}`, salt, counts.who);
          const existing = await tx
            .selectFrom('analytics_feeds')
            .select(['subscribers', 'fetches'])
            .where('day', '=', d)
            .where('reader', '=', reader)
            .executeTakeFirst();
          const subscribers = Math.max(existing?.subscribers ?? 0, counts.reported) + individuals;
          await tx
            .insertInto('analytics_feeds')
            .values({ day: d, reader, subscribers, fetches: counts.fetches })
            .onConflict((oc) =>
              oc.columns(['day', 'reader']).doUpdateSet((eb) => ({
                subscribers,
                fetches: eb('analytics_feeds.fetches', '+', counts.fetches),
              })),
            )
            .execute();
        }
      }
      if (purge) {
        // Yesterday's hashes are kept for counts still on their way from other instances.
        const yesterday = day(new Date(now.getTime() - 24 * 60 * 60 * 1000));
        await tx.deleteFrom('analytics_visitors').where('day', '<', yesterday).execute();
        await tx.deleteFrom('analytics_salts').where('day', '<', yesterday).execute();
        const oldest = day(new Date(now.getTime() - retentionDays * 24 * 60 * 60 * 1000));
        await tx.deleteFrom('analytics_daily').where('day', '<', oldest).execute();
        await tx.deleteFrom('analytics_referrers').where('day', '<', oldest).execute();
        await tx.deleteFrom('analytics_feeds').where('day', '<', oldest).execute();
      }
    });
    if (purge) this.#lastPurge = now.getTime();
  }

  /** The day's salt: made by the first instance that needs it, the same for every instance. */
  async #salt(tx: Db, d: string): Promise<string> {
    await tx
      .insertInto('analytics_salts')
      .values({ day: d, salt: randomBytes(32).toString('hex') })
      .onConflict((oc) => oc.column('day').doNothing())
      .execute();
    const row = await tx.selectFrom('analytics_salts').select('salt').where('day', '=', d).executeTakeFirstOrThrow();
    return row.salt;
  }

  /**
   * Stores the day's salted, shortened hashes of `who` for `path`; how many were new. The
   * path is in the hash, so one visitor's rows on different pages cannot be joined.
   */
  async #newVisitors(tx: Db, d: string, path: string, salt: string, who: Set<string>): Promise<number> {
    const hashes = [...who].map((w) => sha256(`${salt}\n${d}\n${path}\n${w}`).slice(0, HASH_DIGITS));
    let added = 0;
    for (let i = 0; i < hashes.length; i += BATCH) {
      const rows = hashes.slice(i, i + BATCH).map((hash) => ({ day: d, path, hash }));
      const result = await tx
        .insertInto('analytics_visitors')
        .values(rows)
        .onConflict((oc) => oc.columns(['day', 'path', 'hash']).doNothing())
        .executeTakeFirst();
      added += Number(result.numInsertedOrUpdatedRows ?? 0);
    }
    return added;
  }
}

function mapFor<V>(maps: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let map = maps.get(key);
  if (!map) {
    map = new Map();
    maps.set(key, map);
  }
  return map;
}

/** What the admin's analytics page shows for a range of days. */
export interface AnalyticsReport {
  from: string;
  to: string;
  days: { day: string; views: number; visitors: number }[];
  views: number;
  /** Each day's unique visitors, added up (a visitor on two days counts twice). */
  visitors: number;
  pages: { path: string; views: number; visitors: number }[];
  referrers: { site: string; views: number }[];
  /** Each reader's most subscribers in a day of the range. */
  feeds: { reader: string; subscribers: number; fetches: number }[];
}

/** Reads the daily counts back: the dashboard and its CSV. */
export class AnalyticsReads {
  #db: Db;
  #now: () => Date;

  constructor(deps: { db: Db; now?: () => Date }) {
    this.#db = deps.db;
    this.#now = deps.now ?? (() => new Date());
  }

  /** The last `count` days, today included. */
  range(count: number): { from: string; to: string; all: string[] } {
    const today = this.#now();
    const all: string[] = [];
    for (let i = count - 1; i >= 0; i--) all.push(day(new Date(today.getTime() - i * 24 * 60 * 60 * 1000)));
    return { from: all[0] as string, to: all[all.length - 1] as string, all };
  }

  async report(count: number, top = 20): Promise<AnalyticsReport> {
    const { from, to, all } = this.range(count);
    const n = (v: unknown) => Number(v ?? 0);
    const [site, pages, referrers, feeds] = await Promise.all([
      this.#db
        .selectFrom('analytics_daily')
        .select(['day', 'views', 'visitors'])
        .where('path', '=', SITE)
        .where('day', '>=', from)
        .where('day', '<=', to)
        .execute(),
      this.#db
        .selectFrom('analytics_daily')
        .select((eb) => ['path', eb.fn.sum<number>('views').as('views'), eb.fn.sum<number>('visitors').as('visitors')])
        .where('path', '!=', SITE)
        .where('day', '>=', from)
        .where('day', '<=', to)
        .groupBy('path')
        .orderBy('views', 'desc')
        .orderBy('path')
        .limit(top)
        .execute(),
      this.#db
        .selectFrom('analytics_referrers')
        .select((eb) => ['site', eb.fn.sum<number>('views').as('views')])
        .where('day', '>=', from)
        .where('day', '<=', to)
        .groupBy('site')
        .orderBy('views', 'desc')
        .orderBy('site')
        .limit(top)
        .execute(),
      this.#db
        .selectFrom('analytics_feeds')
        .select((eb) => [
          'reader',
          eb.fn.max<number>('subscribers').as('subscribers'),
          eb.fn.sum<number>('fetches').as('fetches'),
        ])
        .where('day', '>=', from)
        .where('day', '<=', to)
        .groupBy('reader')
        .orderBy('subscribers', 'desc')
        .orderBy('reader')
        .limit(top)
        .execute(),
    ]);
    const byDay = new Map(site.map((r) => [r.day, r]));
    const days = all.map((d) => ({ day: d, views: n(byDay.get(d)?.views), visitors: n(byDay.get(d)?.visitors) }));
    return {
      from,
      to,
      days,
      views: days.reduce((a, d) => a + d.views, 0),
      visitors: days.reduce((a, d) => a + d.visitors, 0),
      pages: pages.map((r) => ({ path: r.path, views: n(r.views), visitors: n(r.visitors) })),
      referrers: referrers.map((r) => ({ site: r.site, views: n(r.views) })),
      feeds: feeds.map((r) => ({ reader: r.reader, subscribers: n(r.subscribers), fetches: n(r.fetches) })),
    };
  }

  /**
   * Newsletter sign-ups confirmed in the range, per page the form was sent from (most
   * first; '' where unknown): which posts bring readers by email.
   */
  async signups(count: number, top = 20): Promise<{ path: string; signups: number }[]> {
    const { from, to } = this.range(count);
    const end = new Date(Date.parse(`${to}T00:00:00Z`) + 24 * 60 * 60 * 1000).toISOString();
    const rows = await this.#db
      .selectFrom('subscribers')
      .select((eb) => ['source_path', eb.fn.countAll<number>().as('n')])
      .where('source', '=', 'form')
      .where('consent_at', '>=', `${from}T00:00:00.000Z`)
      .where('consent_at', '<', end)
      .groupBy('source_path')
      .orderBy('n', 'desc')
      .orderBy('source_path')
      .limit(top)
      .execute();
    return rows.map((r) => ({ path: r.source_path, signups: Number(r.n) }));
  }

  /** Every count of the range as CSV rows: day, kind (page, site, referrer, feed), name, views, visitors. */
  async csv(count: number): Promise<string> {
    const { from, to } = this.range(count);
    const [daily, referrers, feeds] = await Promise.all([
      this.#db
        .selectFrom('analytics_daily')
        .selectAll()
        .where('day', '>=', from)
        .where('day', '<=', to)
        .orderBy('day')
        .orderBy('path')
        .execute(),
      this.#db
        .selectFrom('analytics_referrers')
        .selectAll()
        .where('day', '>=', from)
        .where('day', '<=', to)
        .orderBy('day')
        .orderBy('site')
        .execute(),
      this.#db
        .selectFrom('analytics_feeds')
        .selectAll()
        .where('day', '>=', from)
        .where('day', '<=', to)
        .orderBy('day')
        .orderBy('reader')
        .execute(),
    ]);
    const rows: string[][] = [['day', 'kind', 'name', 'views', 'visitors']];
    for (const r of daily)
      rows.push([r.day, r.path === SITE ? 'site' : 'page', r.path, String(r.views), String(r.visitors)]);
    for (const r of referrers) rows.push([r.day, 'referrer', r.site, String(r.views), '']);
    for (const r of feeds) rows.push([r.day, 'feed', r.reader, String(r.fetches), String(r.subscribers)]);
    return `${rows.map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
  }
}

/** A CSV field, quoted when it must be; a leading =, +, - or @ is made inert for spreadsheets. */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
