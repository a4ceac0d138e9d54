/*
 * What a request tells analytics, and nothing more: whether it came from a person's
 * browser, a feed reader or a robot; the referring site's host name; a path cut to size.
 * Nothing here is stored as it came: only these reductions.
 */

/** Longest path kept; longer ones are cut (they were answered 200, so the page exists). */
export const MAX_PATH = 300;
const MAX_SITE = 100;
const MAX_READER = 40;

/**
 * Robots, previews, monitors and programs: not counted as page views. A browser's
 * user agent starts with "Mozilla/" (every engine's does); one that does not is a program.
 */
const ROBOT =
  /bot\b|bot\/|crawl|spider|slurp|preview|facebookexternalhit|embedly|quora link|outbrain|pinterest|vkshare|validator|whatsapp|headless|phantom|lighthouse|pingdom|uptime|monitor|scanner|feed|rss|fetcher|subscriber|archive\.org/i;

export function isBrowser(userAgent: string | undefined): boolean {
  if (!userAgent || userAgent.length > 1000) return false;
  if (!userAgent.startsWith('Mozilla/') && !userAgent.startsWith('Opera/')) return false;
  return !ROBOT.test(userAgent);
}

/** Feed readers that put their name after "Mozilla/5.0 (compatible; …". */
const KNOWN_READERS =
  /Feedly|Inoreader|NewsBlur|Feedbin|The Old Reader|Miniflux|FreshRSS|NetNewsWire|Reeder|Tiny Tiny RSS|Feeder|Bloglovin|Feedspot|Newsboat|Thunderbird/i;

/** A feed reader's name and the subscribers it reports ("Feedly/1.0 (…; 42 subscribers)"). */
export function feedReader(userAgent: string | undefined): { reader: string; subscribers: number | undefined } {
  const ua = (userAgent ?? '').slice(0, 1000);
  const count = /(\d{1,9})\s+(?:subscribers|readers|users)\b/i.exec(ua);
  const known = KNOWN_READERS.exec(ua)?.[0];
  const name =
    known ??
    ua
      .split(/[/(;]/)[0]
      ?.replace(/[^\p{L}\p{N} ._-]/gu, '')
      .trim()
      .slice(0, MAX_READER) ??
    '';
  return { reader: name || 'unknown', subscribers: count ? Number(count[1]) : undefined };
}

/**
 * The site a visit came from: the referrer's host name (without "www."), unless it is this
 * site or not a web address. Forged values are reduced the same way, or dropped.
 */
export function referringSite(referrer: string | undefined, ownHost: string | undefined): string | undefined {
  if (!referrer || referrer.length > 2000) return undefined;
  let url: URL;
  try {
    url = new URL(referrer);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const host = url.hostname.toLowerCase().replace(/^www\./, '');
  const own = (ownHost ?? '')
    .toLowerCase()
    .replace(/:\d+$/, '')
    .replace(/^www\./, '');
  if (!host || host === own || host.length > MAX_SITE) return undefined;
  return host;
}

/** The path of a request without its query, cut to `MAX_PATH` characters. */
export function pagePath(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  return path.slice(0, MAX_PATH);
}
