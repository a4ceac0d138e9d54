import { HearthError } from '../../errors.js';
import type { AccountDeps, RequestContext } from './deps.js';
import type { SignedInUser } from './sessions.js';
import { hashToken } from './tokens.js';

/** One of the signed-in person's sessions, as the sessions page lists it. */
export interface DeviceSession {
  /** The session's name in forms: derived from its stored id, which never leaves the server. */
  key: string;
  createdAt: string;
  lastSeenAt: string;
  /** The browser and system in a few words, e.g. "Firefox on Linux". */
  device: string;
  ip: string | null;
  /** The session of the browser asking. */
  current: boolean;
}

const keyOf = (id: string) => hashToken(`session-key:${id}`).slice(0, 32);

/**
 * The signed-in person's own sessions: where they are signed in, and signing out one
 * device or every other one (say, after using a shared computer).
 */
export class Devices {
  #d: AccountDeps;

  constructor(deps: AccountDeps) {
    this.#d = deps;
  }

  async list(user: SignedInUser, token: string): Promise<DeviceSession[]> {
    const currentId = hashToken(token);
    const rows = await this.#d.sessions.listFor(user.id);
    return rows.map((r) => ({
      key: keyOf(r.id),
      createdAt: r.createdAt,
      lastSeenAt: r.lastSeenAt,
      device: summariseUserAgent(r.userAgent),
      ip: r.ip,
      current: r.id === currentId,
    }));
  }

  /** Signs out one session by its key; says whether it was the asking browser's own. */
  async endOne(user: SignedInUser, token: string, key: string, context: RequestContext): Promise<{ current: boolean }> {
    const row = (await this.#d.sessions.listFor(user.id)).find((r) => keyOf(r.id) === key);
    if (!row || !(await this.#d.sessions.endById(user.id, row.id)))
      throw new HearthError('HEARTH_ERR_SESSION_NOT_FOUND');
    await this.#d.audit.record({
      action: 'session_ended',
      actor: { id: user.id, email: user.email },
      subject: `user:${user.id}`,
      ip: context.ip,
      details: { device: summariseUserAgent(row.userAgent), startedAt: row.createdAt },
    });
    return { current: row.id === hashToken(token) };
  }

  /** Signs out every session of the user but the asking browser's; how many ended. */
  async endOthers(user: SignedInUser, token: string, context: RequestContext): Promise<number> {
    const ended = await this.#d.sessions.endOthers(user.id, token);
    await this.#d.audit.record({
      action: 'other_sessions_ended',
      actor: { id: user.id, email: user.email },
      subject: `user:${user.id}`,
      ip: context.ip,
      details: { count: ended },
    });
    return ended;
  }
}

const BROWSERS: [RegExp, string][] = [
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\b(OPR|Opera)\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(Firefox|FxiOS)\//, 'Firefox'],
  [/\b(HeadlessChrome|Chrome|CriOS|Chromium)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
  [/\bcurl\//, 'curl'],
];
const SYSTEMS: [RegExp, string][] = [
  [/\biPhone\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

/** A browser's User-Agent in a few words ("Firefox on Linux"); "Unknown browser" when it says nothing known. */
export function summariseUserAgent(userAgent: string | null): string {
  const ua = userAgent ?? '';
  const browser = BROWSERS.find(([re]) => re.test(ua))?.[1];
  const system = SYSTEMS.find(([re]) => re.test(ua))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  if (browser) return browser;
  if (system) return `A browser on ${system}`;
  return 'Unknown browser';
}
