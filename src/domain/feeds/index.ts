/** Feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1 of the site and of each category, tag and author. */

export { atomDocument } from './atom.js';
export { feedHtml, summaryFromHtml } from './feed-html.js';
export {
  FEED_LENGTH,
  FeedService,
  type FeedServiceDeps,
  feedFiles,
  feedLinks,
  feedMediaTypes,
  feedPath,
  postTagUri,
} from './feed-service.js';
export type { FeedChannel, FeedContent, FeedDocument, FeedEntry, FeedFormat, FeedScope } from './types.js';
