/** Newsletters (issue 20): a post or a weekly digest sent to subscribers, as a resumable job. */

export {
  type EmailLinks,
  type EmailMessage,
  type EmailPost,
  type EmailSite,
  PREFERENCES_PLACEHOLDER,
  renderDigestEmail,
  renderPostEmail,
  UNSUBSCRIBE_PLACEHOLDER,
} from './email.js';
export { emailImageOf, emailPostOf, emailSiteOf } from './email-post.js';
export {
  lastDigestMoment,
  type Newsletter,
  type NewsletterContent,
  NewsletterService,
  type NewsletterServiceDeps,
} from './newsletter-service.js';
