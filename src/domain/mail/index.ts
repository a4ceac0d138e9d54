/** Sending mail: over SMTP, or kept in the outbox when no server is set. */

export { createMailer, type Delivery, type Mailer, type MailerOptions, type MailMessage } from './mailer.js';
