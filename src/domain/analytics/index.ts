export { Analytics, AnalyticsReads, type AnalyticsReport, type Hit, SITE } from './analytics.js';
export { feedReader, isBrowser, MAX_PATH, pagePath, referringSite } from './classify.js';
