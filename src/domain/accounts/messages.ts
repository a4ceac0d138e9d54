import type { MailMessage } from '../mail/index.js';

/** The invitation email: who invites, to which blog, with which role, until when. */
export function inviteMessage(input: {
  to: string;
  siteTitle: string;
  inviter: string;
  role: string;
  link: string;
  expiresAt: string;
}): MailMessage {
  return {
    to: input.to,
    subject: `You are invited to write for ${input.siteTitle}`,
    text: [
      `Hello,`,
      ``,
      `${input.inviter} invites you to join ${input.siteTitle} as ${article(input.role)} ${input.role}.`,
      `To accept, open this link and choose your name and password:`,
      ``,
      input.link,
      ``,
      `The link works once and until ${readable(input.expiresAt)} (UTC).`,
      `If you were not expecting this, you can ignore this email.`,
    ].join('\n'),
  };
}

/** The password reset email. */
export function passwordResetMessage(input: {
  to: string;
  siteTitle: string;
  link: string;
  expiresAt: string;
}): MailMessage {
  return {
    to: input.to,
    subject: `Reset your password for ${input.siteTitle}`,
    text: [
      `Hello,`,
      ``,
      `Someone asked to reset the password of your account on ${input.siteTitle}.`,
      `To choose a new password, open this link:`,
      ``,
      input.link,
      ``,
      `The link works once and until ${readable(input.expiresAt)} (UTC).`,
      `If you did not ask for this, ignore this email: your password stays as it is.`,
    ].join('\n'),
  };
}

const readable = (iso: string) => iso.slice(0, 16).replace('T', ' ');
const article = (word: string) => (/^[aeiou]/i.test(word) ? 'an' : 'a');
