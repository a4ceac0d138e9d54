import { rfc3339 } from './atom.js';
import type { FeedChannel, FeedEntry } from './types.js';

/**
 * A JSON Feed 1.1 document (https://www.jsonfeed.org/version/1.1/). Written here rather
 * than with an XML feed library: it is plain JSON, and the `feed` package, the usual
 * choice, emits version 1.0 (`author` rather than `authors`, no `language`).
 */
export function jsonFeedDocument(channel: FeedChannel, entries: FeedEntry[]): string {
  const feed = {
    version: 'https://jsonfeed.org/version/1.1',
    title: channel.title,
    home_page_url: channel.pageUrl,
    feed_url: channel.feedUrls.json,
    ...(channel.description ? { description: channel.description } : {}),
    favicon: channel.iconUrl,
    language: channel.language,
    items: entries.map((entry) => ({
      id: entry.id,
      url: entry.url,
      title: entry.title,
      ...(channel.content === 'full' ? { content_html: entry.html } : { content_text: entry.summary }),
      ...(entry.summary ? { summary: entry.summary } : {}),
      ...(entry.image ? { image: entry.image.url } : {}),
      date_published: rfc3339(entry.published),
      date_modified: rfc3339(entry.updated),
      authors: [
        {
          name: entry.author.name,
          url: entry.author.url,
          ...(entry.author.avatarUrl ? { avatar: entry.author.avatarUrl } : {}),
        },
      ],
      ...(entry.categories.length > 0 ? { tags: entry.categories.map((c) => c.label) } : {}),
    })),
  };
  return JSON.stringify(feed, null, 2);
}
