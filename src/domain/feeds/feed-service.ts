import { urls } from '../../shared/urls.js';
import type { Db } from '../../storage/index.js';
import { MEDIA_URL_PREFIX } from '../media/index.js';
import type { SettingsService, SiteSettings } from '../settings/index.js';
import type { TaxonomyService } from '../taxonomy/index.js';
import type { UserService } from '../users/index.js';
import { atomDocument } from './atom.js';
import { feedHtml, summaryFromHtml } from './feed-html.js';
import { type FeedFilter, type FeedPostRow, readFeedPosts } from './feed-reads.js';
import { jsonFeedDocument } from './json-feed.js';
import { rssDocument } from './rss.js';
import type { FeedChannel, FeedContent, FeedDocument, FeedEntry, FeedFormat, FeedScope } from './types.js';

/** How many posts a feed carries: the newest. */
export const FEED_LENGTH = 20;

/** The file name of each format, below the site or an archive (`/category/x/atom.xml`). */
export const feedFiles: Record<FeedFormat, string> = { rss: 'feed.xml', atom: 'atom.xml', json: 'feed.json' };

export const feedMediaTypes: Record<FeedFormat, string> = {
  rss: 'application/rss+xml',
  atom: 'application/atom+xml',
  json: 'application/feed+json',
};

const archivePaths = { category: urls.category, tag: urls.tag, author: urls.author };

/** The path of a feed: `/feed.xml`, `/tag/soup/feed.json`. */
export function feedPath(scope: FeedScope, format: FeedFormat): string {
  if (scope.kind === 'site') return `/${feedFiles[format]}`;
  return `${archivePaths[scope.kind](scope.slug)}${feedFiles[format]}`;
}

/** Autodiscovery links (`<link rel="alternate">`) for a scope's feeds, one per format. */
export function feedLinks(scope: FeedScope, title: string): { type: string; href: string; title: string }[] {
  return (Object.keys(feedFiles) as FeedFormat[]).map((format) => ({
    type: feedMediaTypes[format],
    href: feedPath(scope, format),
    title,
  }));
}

/**
 * A post's feed id: a `tag:` URI (RFC 4151) from the site's host, the day the post was
 * created and its id. It does not change when the post is renamed, re-dated or edited.
 *
 * @example
 *   postTagUri('https://blog.example', '2026-10-20T08:30:00.000Z', 12) // 'tag:blog.example,2026-10-20:post-12'
 */
export function postTagUri(publicUrl: string, createdAt: string, id: number): string {
  return `tag:${new URL(publicUrl).hostname},${createdAt.slice(0, 10)}:post-${id}`;
}

export interface FeedServiceDeps {
  db: Db;
  settings: SettingsService;
  taxonomy: TaxonomyService;
  users: UserService;
  /** The site's public URL, no trailing slash. */
  publicUrl: string;
  now?: () => Date;
}

interface Source {
  filter: FeedFilter;
  title: string;
  description: string;
  pagePath: string;
}

/**
 * Feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1 of the newest published posts, for the
 * whole site or one category, tag or author. Entries carry the whole post or its
 * excerpt as the `feedContent` setting says.
 */
export class FeedService {
  #db: Db;
  #settings: SettingsService;
  #taxonomy: TaxonomyService;
  #users: UserService;
  #publicUrl: string;
  #now: () => Date;

  constructor(deps: FeedServiceDeps) {
    this.#db = deps.db;
    this.#settings = deps.settings;
    this.#taxonomy = deps.taxonomy;
    this.#users = deps.users;
    this.#publicUrl = deps.publicUrl;
    this.#now = deps.now ?? (() => new Date());
  }

  /** The feed in one format; undefined when the category, tag or author does not exist. */
  async build(scope: FeedScope, format: FeedFormat): Promise<FeedDocument | undefined> {
    const settings = await this.#settings.get();
    const source = await this.#source(scope, settings);
    if (!source) return undefined;
    const now = this.#now();
    const rows = await readFeedPosts(this.#db, source.filter, now.toISOString(), FEED_LENGTH);
    const tags = await this.#taxonomy.tagsOfPosts(rows.map((r) => r.id));
    const content = feedContent(settings);
    const entries = rows.map((row) => this.#entry(row, tags.get(row.id) ?? [], content));
    const updated = entries.reduce<Date | undefined>(
      (max, e) => (max && max >= e.updated ? max : e.updated),
      undefined,
    );
    const channel: FeedChannel = {
      title: source.title,
      description: source.description,
      language: settings.locale,
      pageUrl: this.#url(source.pagePath),
      feedUrls: {
        rss: this.#url(feedPath(scope, 'rss')),
        atom: this.#url(feedPath(scope, 'atom')),
        json: this.#url(feedPath(scope, 'json')),
      },
      updated,
      content,
      iconUrl: this.#url('/favicon.ico'),
    };
    const body =
      format === 'rss'
        ? rssDocument(channel, entries)
        : format === 'atom'
          ? atomDocument(channel, entries, now)
          : jsonFeedDocument(channel, entries);
    return {
      body,
      mediaType: feedMediaTypes[format],
      updated,
      source: source.filter,
    };
  }

  async #source(scope: FeedScope, settings: SiteSettings): Promise<Source | undefined> {
    const site = settings.title;
    const about = settings.description || settings.tagline || site;
    switch (scope.kind) {
      case 'site':
        return { filter: undefined, title: site, description: about, pagePath: urls.home() };
      case 'category': {
        const c = await this.#taxonomy.categoryBySlug(scope.slug);
        return (
          c && {
            filter: { kind: 'category', id: c.id },
            title: `${c.name} · ${site}`,
            description: c.description || about,
            pagePath: urls.category(c.slug),
          }
        );
      }
      case 'tag': {
        const t = await this.#taxonomy.tagBySlug(scope.slug);
        return (
          t && {
            filter: { kind: 'tag', id: t.id },
            title: `${t.name} · ${site}`,
            description: about,
            pagePath: urls.tag(t.slug),
          }
        );
      }
      case 'author': {
        const a = await this.#users.bySlug(scope.slug);
        return (
          a && {
            filter: { kind: 'author', id: a.id },
            title: `${a.name} · ${site}`,
            description: a.bio || about,
            pagePath: urls.author(a.slug),
          }
        );
      }
    }
  }

  #entry(row: FeedPostRow, tags: { slug: string; name: string }[], content: FeedContent): FeedEntry {
    const url = this.#url(urls.post(row.slug));
    // Published posts always have a time (the query asks for one at or before now).
    const published = new Date(row.published_at ?? row.created_at);
    const edited = new Date(row.updated_at);
    return {
      id: postTagUri(this.#publicUrl, row.created_at, row.id),
      url,
      title: row.title,
      summary: row.excerpt.trim() || summaryFromHtml(row.html),
      html: content === 'full' ? feedHtml(row.html, { publicUrl: this.#publicUrl, pageUrl: url }) : '',
      published,
      updated: edited > published ? edited : published,
      author: {
        name: row.author_name,
        url: this.#url(urls.author(row.author_slug)),
        avatarUrl: row.avatar_path ? this.#url(`${MEDIA_URL_PREFIX}${row.avatar_path}`) : undefined,
      },
      categories: [
        ...(row.category_slug && row.category_name
          ? [{ term: row.category_slug, label: row.category_name, scheme: this.#url('/category/') }]
          : []),
        ...tags.map((t) => ({ term: t.slug, label: t.name, scheme: this.#url('/tag/') })),
      ],
      image: row.feature_path
        ? {
            url: this.#url(`${MEDIA_URL_PREFIX}${row.feature_path}`),
            mimeType: row.feature_mime_type ?? 'application/octet-stream',
            bytes: row.feature_bytes ?? 0,
            width: row.feature_width ?? 0,
            height: row.feature_height ?? 0,
            alt: row.feature_image_alt ?? row.feature_alt ?? '',
          }
        : undefined,
    };
  }

  #url(path: string): string {
    return `${this.#publicUrl}${path}`;
  }
}

/** The `feedContent` setting, read defensively: anything but 'excerpt' means full content. */
function feedContent(settings: SiteSettings): FeedContent {
  return settings.feedContent === 'excerpt' ? 'excerpt' : 'full';
}
