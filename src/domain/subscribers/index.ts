/**
 * Readers by email (issue 20): sign-up with double opt-in, preferences, unsubscribing,
 * bounces and complaints, a subscriber's data, the admin's list and its CSV.
 */

export { checkName, isOneLine, MAX_EMAIL_LENGTH, MAX_NAME_LENGTH, normaliseEmail, sourcePath } from './address.js';
export { MAX_BOUNCES, recordBounce, recordComplaint } from './bounces.js';
export {
  CSV_COLUMNS,
  exportCsv,
  guardCell,
  type ImportMode,
  type ImportProblem,
  type ImportReport,
  importCsv,
} from './csv.js';
export {
  type Confirmation,
  checkAddress,
  type Frequency,
  PER_PAGE,
  SIGNUPS_PER_HOUR,
  SUBSCRIBE_HONEYPOT,
  SUBSCRIBER_SOURCES,
  SUBSCRIBER_STATUSES,
  type SubscribeInput,
  type Subscriber,
  type SubscriberExport,
  SubscriberService,
  type SubscriberServiceDeps,
  type Subscription,
} from './subscriber-service.js';
