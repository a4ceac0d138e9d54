import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { HearthError } from '../../errors.js';

/** A plain-text message, with an HTML alternative when `html` is given. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** The Message-ID to use (`<id@host>`), so a resent message is known as the same one. */
  messageId?: string;
  /** Extra headers, such as `List-Unsubscribe`. */
  headers?: Record<string, string>;
}

/** Where a message went: to the SMTP server, or into the outbox folder as an .eml file. */
export type Delivery = { via: 'smtp'; messageId: string } | { via: 'outbox'; file: string };

/** Sends Hearth's email. */
export interface Mailer {
  send(message: MailMessage): Promise<Delivery>;
  close(): void;
}

export interface MailerOptions {
  /** smtp:// or smtps:// URL; without it, messages go to `outboxDir`. */
  smtpUrl: string | undefined;
  from: string;
  outboxDir: string;
  /** Told of every message kept in the outbox, so a local writer can follow its links. */
  log?: (entry: { to: string; subject: string; file: string; text: string }) => void;
}

/**
 * nodemailer over SMTP when configured. Without SMTP each message is written, as the
 * .eml a mail server would have received, to the outbox folder and to the log.
 *
 * @example
 *   const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, outboxDir });
 *   await mailer.send({ to: 'ida@example.org', subject: 'Hello', text: '…' });
 */
export function createMailer(options: MailerOptions): Mailer {
  if (options.smtpUrl) {
    const transport = nodemailer.createTransport(options.smtpUrl);
    return {
      async send(message) {
        try {
          const info = await transport.sendMail({ from: options.from, ...message });
          return { via: 'smtp', messageId: info.messageId };
        } catch (error) {
          throw new HearthError(
            'HEARTH_ERR_MAIL_SEND',
            { to: message.to, reason: (error as Error).message },
            { cause: error },
          );
        }
      },
      close: () => transport.close(),
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(message) {
      const info = await transport.sendMail({ from: options.from, ...message });
      await fs.mkdir(options.outboxDir, { recursive: true, mode: 0o700 });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const file = path.join(options.outboxDir, `${stamp}-${randomBytes(4).toString('hex')}.eml`);
      // The links in these messages sign people in: readable by Hearth's user only.
      await fs.writeFile(file, info.message as Buffer, { mode: 0o600 });
      options.log?.({ to: message.to, subject: message.subject, file, text: message.text });
      return { via: 'outbox', file };
    },
    close: () => transport.close(),
  };
}
