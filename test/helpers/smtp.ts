import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server on 127.0.0.1 that keeps what it receives, parsed as a mail client
 * would (quoted-printable and all), so tests can read a message and follow its links.
 */
export async function startSmtpServer(
  options: {
    /**
     * Asked before a message is accepted (n counts every message that arrived, from 1): an
     * SMTP code and text to refuse it with (421, 550), or undefined to accept it.
     */
    refuse?: (mail: ParsedMail, n: number) => { code: number; message: string } | undefined;
    /** Recipients refused at RCPT TO with 550 (a mailbox that does not exist). */
    unknownRecipients?: readonly string[];
    /** Recipients refused at RCPT TO with 450 (a mailbox busy for now). */
    deferredRecipients?: readonly string[];
  } = {},
): Promise<{
  url: string;
  received: ParsedMail[];
  /** Every message that arrived, accepted or not. */
  arrived(): number;
  /** The next message to arrive (or one that arrived and was not taken yet). */
  next(timeoutMs?: number): Promise<ParsedMail>;
  close(): Promise<void>;
}> {
  const received: ParsedMail[] = [];
  let taken = 0;
  const waiting: (() => void)[] = [];
  let arrived = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (options.unknownRecipients?.includes(address.address)) {
        callback(Object.assign(new Error('5.1.1 No such mailbox here'), { responseCode: 550 }));
        return;
      }
      if (options.deferredRecipients?.includes(address.address)) {
        callback(Object.assign(new Error('4.2.1 Mailbox busy, try later'), { responseCode: 450 }));
        return;
      }
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          const refused = options.refuse?.(mail, ++arrived);
          if (refused) {
            callback(Object.assign(new Error(refused.message), { responseCode: refused.code }));
            return;
          }
          received.push(mail);
          for (const wake of waiting.splice(0)) wake();
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    arrived: () => arrived,
    async next(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length <= taken) {
        if (Date.now() > deadline) throw new Error('no message arrived');
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return received[taken++] as ParsedMail;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The first link in a message's text that starts with `prefix`. */
export function linkIn(mail: ParsedMail, prefix: string): string {
  const link = (mail.text ?? '').split(/\s+/).find((word) => word.startsWith(prefix));
  if (!link) throw new Error(`no ${prefix} link in: ${mail.text}`);
  return link;
}
