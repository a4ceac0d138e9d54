/** The three formats every feed is offered in. */
export type FeedFormat = 'rss' | 'atom' | 'json';

/** Which posts a feed carries: the whole site's, or one category's, tag's or author's. */
export type FeedScope = { kind: 'site' } | { kind: 'category' | 'tag' | 'author'; slug: string };

/** Whether entries carry the whole post or only its excerpt (the `feedContent` setting). */
export type FeedContent = 'full' | 'excerpt';

/** A feed as a whole, whatever its format. Every URL in it is absolute. */
export interface FeedChannel {
  title: string;
  description: string;
  /** BCP 47 language tag of the site. */
  language: string;
  /** The page the feed follows: the home page or an archive. */
  pageUrl: string;
  /** Where this feed is published in each format (the `self` links). */
  feedUrls: Record<FeedFormat, string>;
  /** When the newest entry last changed; undefined for a feed with no entries. */
  updated: Date | undefined;
  content: FeedContent;
  /** The site's icon, for readers that show one. */
  iconUrl: string;
}

/** A category or tag of an entry: `term` is its slug, `scheme` the base of its archive URLs. */
export interface FeedCategory {
  term: string;
  label: string;
  scheme: string;
}

/** A post as every feed format carries it. */
export interface FeedEntry {
  /** Stable and unique: a `tag:` URI made from the site's host and the post's id. */
  id: string;
  url: string;
  title: string;
  /** Plain text: the writer's excerpt, or the opening words of the post. */
  summary: string;
  /** The post's HTML with every URL in it absolute; only in full-content feeds. */
  html: string;
  published: Date;
  /** The later of the last edit and the publication. */
  updated: Date;
  /** `url` is the author's page, or a commenter's website when they gave one. */
  author: { name: string; url: string | undefined; avatarUrl: string | undefined };
  /** The post's category first, then its tags in the writer's order. */
  categories: FeedCategory[];
  image: FeedImage | undefined;
}

export interface FeedImage {
  url: string;
  mimeType: string;
  bytes: number;
  width: number;
  height: number;
  alt: string;
}

/** A feed ready to send. */
export interface FeedDocument {
  body: string;
  /** The format's media type, without parameters (`application/rss+xml`). */
  mediaType: string;
  /** When what it shows last changed: undefined for a feed with no entries. */
  updated: Date | undefined;
  /** The category, tag or author it follows, for cache invalidation. */
  source: { kind: 'category' | 'tag' | 'author'; id: number } | undefined;
}
