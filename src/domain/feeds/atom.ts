import { type XmlElement, xmlDocument } from '../../shared/xml.js';
import type { FeedChannel, FeedEntry } from './types.js';

/** RFC 3339 date-time in UTC, as Atom and JSON Feed require. */
export const rfc3339 = (date: Date) => date.toISOString();

/**
 * An Atom 1.0 document (RFC 4287). The feed's id is its own address; each entry's id is
 * the post's stable `tag:` URI. Categories carry the slug as `term`, the name as `label`
 * and the archive base as `scheme`; the feature image is an `enclosure` link.
 */
export function atomDocument(channel: FeedChannel, entries: FeedEntry[], fallbackUpdated: Date): string {
  return xmlDocument('feed', {
    '@_xmlns': 'http://www.w3.org/2005/Atom',
    '@_xml:lang': channel.language,
    id: channel.feedUrls.atom,
    title: { '@_type': 'text', '#text': channel.title },
    ...(channel.description ? { subtitle: { '@_type': 'text', '#text': channel.description } } : {}),
    // Atom requires `updated`; a feed with no entries yet says when it was made.
    updated: rfc3339(channel.updated ?? fallbackUpdated),
    link: [
      { '@_rel': 'alternate', '@_type': 'text/html', '@_href': channel.pageUrl },
      { '@_rel': 'self', '@_type': 'application/atom+xml', '@_href': channel.feedUrls.atom },
    ],
    generator: 'Hearth',
    icon: channel.iconUrl,
    entry: entries.map((entry) => atomEntry(entry, channel.content === 'full')),
  });
}

function atomEntry(entry: FeedEntry, full: boolean): XmlElement {
  const image = entry.image;
  return {
    id: entry.id,
    title: { '@_type': 'text', '#text': entry.title },
    link: [
      { '@_rel': 'alternate', '@_type': 'text/html', '@_href': entry.url },
      ...(image
        ? [{ '@_rel': 'enclosure', '@_type': image.mimeType, '@_length': String(image.bytes), '@_href': image.url }]
        : []),
    ],
    published: rfc3339(entry.published),
    updated: rfc3339(entry.updated),
    author: { name: entry.author.name, ...(entry.author.url ? { uri: entry.author.url } : {}) },
    category: entry.categories.map((c) => ({ '@_term': c.term, '@_label': c.label, '@_scheme': c.scheme })),
    ...(entry.summary ? { summary: { '@_type': 'text', '#text': entry.summary } } : {}),
    ...(full ? { content: { '@_type': 'html', '#text': entry.html } } : {}),
  };
}
