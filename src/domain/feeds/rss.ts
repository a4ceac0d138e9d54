import { escapeHtml } from '../../shared/html.js';
import { type XmlElement, xmlDocument } from '../../shared/xml.js';
import type { FeedChannel, FeedEntry } from './types.js';

/** RFC 822 date, in UTC (`Tue, 20 Oct 2026 08:30:00 GMT`), as RSS 2.0 requires. */
export const rfc822 = (date: Date) => date.toUTCString();

/**
 * An RSS 2.0 document (https://www.rssboard.org/rss-specification). Full content goes in
 * `content:encoded`, the summary in `description`; the author in `dc:creator` (RSS's own
 * `author` must be an email address); the feature image as an enclosure and a Media RSS
 * `media:content` with its size and alt text.
 */
export function rssDocument(channel: FeedChannel, entries: FeedEntry[]): string {
  return xmlDocument('rss', {
    '@_version': '2.0',
    '@_xmlns:atom': 'http://www.w3.org/2005/Atom',
    '@_xmlns:content': 'http://purl.org/rss/1.0/modules/content/',
    '@_xmlns:dc': 'http://purl.org/dc/elements/1.1/',
    '@_xmlns:media': 'http://search.yahoo.com/mrss/',
    channel: {
      title: channel.title,
      link: channel.pageUrl,
      description: channel.description,
      language: channel.language,
      ...(channel.updated ? { lastBuildDate: rfc822(channel.updated) } : {}),
      generator: 'Hearth',
      docs: 'https://www.rssboard.org/rss-specification',
      'atom:link': { '@_href': channel.feedUrls.rss, '@_rel': 'self', '@_type': 'application/rss+xml' },
      item: entries.map((entry) => item(entry, channel.content === 'full')),
    },
  });
}

function item(entry: FeedEntry, full: boolean): XmlElement {
  const image = entry.image;
  return {
    title: entry.title,
    link: entry.url,
    guid: { '@_isPermaLink': 'false', '#text': entry.id },
    pubDate: rfc822(entry.published),
    'dc:creator': entry.author.name,
    category: entry.categories.map((c) => c.label),
    // `description` may hold HTML: the plain-text summary is escaped as such.
    description: escapeHtml(entry.summary),
    ...(full ? { 'content:encoded': entry.html } : {}),
    ...(image
      ? {
          enclosure: { '@_url': image.url, '@_length': String(image.bytes), '@_type': image.mimeType },
          'media:content': {
            '@_url': image.url,
            '@_type': image.mimeType,
            '@_medium': 'image',
            '@_fileSize': String(image.bytes),
            '@_width': String(image.width),
            '@_height': String(image.height),
            ...(image.alt ? { 'media:description': { '@_type': 'plain', '#text': image.alt } } : {}),
          },
        }
      : {}),
  };
}
