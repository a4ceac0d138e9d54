import type { Candidate, SpamCheck } from './types.js';

/** The host of an http(s) address or the domain of an email address, in lower case. */
function hostOf(address: string): string | undefined {
  if (address.startsWith('mailto:')) return address.slice(7).split('@')[1]?.split('?')[0]?.toLowerCase();
  try {
    return new URL(address).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/** Every host the comment names: its website, its links, its email's domain. */
function hostsOf(c: Candidate): string[] {
  const hosts = [...(c.website ? [c.website] : []), ...c.links].map(hostOf);
  if (c.email) hosts.push(c.email.split('@')[1]);
  return hosts.filter((h): h is string => h !== undefined && h !== '');
}

const clean = (list: string[]) => list.map((v) => v.trim().toLowerCase()).filter((v) => v !== '');
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The site's blocklist (settings `commentBlocked*`): whole words or phrases in the name,
 * text or website; exact email addresses; exact IP addresses; domains with their
 * subdomains, wherever the comment names them.
 */
export const blocklistCheck: SpamCheck = (c, env) => {
  const s = env.settings;
  const words = clean(s.commentBlockedWords);
  if (words.length > 0) {
    const text = `${c.name}\n${c.body}\n${c.website ?? ''}`.toLowerCase();
    const found = words.some((w) =>
      new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(w)}(?![\\p{L}\\p{N}])`, 'u').test(text),
    );
    if (found) return { verdict: 'spam', reason: 'blocked-word' };
  }
  if (c.email && clean(s.commentBlockedEmails).includes(c.email)) return { verdict: 'spam', reason: 'blocked-email' };
  if (clean(s.commentBlockedIps).includes(c.ip.toLowerCase())) return { verdict: 'spam', reason: 'blocked-ip' };
  const domains = clean(s.commentBlockedDomains).map((d) => d.replace(/^\*?\./, ''));
  if (domains.length > 0) {
    const hosts = hostsOf(c);
    if (hosts.some((h) => domains.some((d) => h === d || h.endsWith(`.${d}`))))
      return { verdict: 'spam', reason: 'blocked-domain' };
  }
  return undefined;
};
