import { Secret, TOTP } from 'otpauth';

const PERIOD = 30;

/** A new TOTP secret (160 bits, base32) for an authenticator app. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** Whether text is a base32 TOTP secret Hearth could have made. */
export function isTotpSecret(text: string): boolean {
  return /^[A-Z2-7]{32}$/.test(text);
}

/** The otpauth:// URI an authenticator app reads (from a QR code or a tap on a phone). */
export function totpUri(secret: string, account: string, issuer: string): string {
  return totpFor(secret, account, issuer).toString();
}

/**
 * The time step a code belongs to if it is right now (one step of clock drift either way),
 * and later than `lastStep` so that a code seen over someone's shoulder cannot be reused.
 */
export function acceptTotp(secret: string, code: string, at: Date, lastStep: number | null): number | undefined {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return undefined;
  const timestamp = at.getTime();
  const delta = totpFor(secret, '', '').validate({ token, timestamp, window: 1 });
  if (delta === null) return undefined;
  const step = TOTP.counter({ period: PERIOD, timestamp }) + delta;
  return lastStep !== null && step <= lastStep ? undefined : step;
}

function totpFor(secret: string, label: string, issuer: string): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD,
    secret: Secret.fromBase32(secret),
  });
}
