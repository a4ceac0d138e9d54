/**
 * Photos downloaded from the old site, only when the person importing asks (`--fetch-media`). The
 * export names the URLs, so they are untrusted: a URL may point at the importing server's own
 * network. Every hop is checked on the address actually connected to: the host is resolved, every
 * address it resolves to must be public (one private address refuses the host), and the socket
 * connects to an address from that checked list, so a second DNS answer cannot swap it (rebinding).
 * Only http and https, at most 3 redirects (each checked again), a size limit enforced while the
 * body streams, and connect and total time limits. A failure is not thrown: `read` answers
 * undefined and the reason is kept for the import report.
 */

import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import type { MediaFiles } from './model.js';

export interface RemoteMediaOptions {
  /** Largest body accepted, in bytes (default 25 MiB). */
  maxBytes?: number;
  /** Redirects followed before giving up (default 3). */
  maxRedirects?: number;
  /** Time to open the connection (TLS included), per hop, in ms (default 10 s). */
  connectTimeoutMs?: number;
  /** Time for the whole download, redirects included, in ms (default 60 s). */
  timeoutMs?: number;
  userAgent?: string;
  /** For the report, e.g. "old.example over HTTPS". */
  describe?: string;
  /**
   * Tests only: addresses this answers true for are allowed although they are not public (a
   * local test server). Every other address is still checked.
   */
  allowAddress?: (address: string) => boolean;
}

export interface RemoteMediaFailure {
  url: string;
  reason: string;
}

export interface RemoteMedia extends MediaFiles {
  /** Why the last download of `url` failed; undefined if it did not fail (or was not tried). */
  lastError(url: string): string | undefined;
  /** Every failed download, in order, for the report. */
  readonly failures: readonly RemoteMediaFailure[];
}

export const REMOTE_MEDIA_USER_AGENT = 'Hearth-Importer/0.1 (+media download for a blog import)';
const DEFAULTS = { maxBytes: 25 * 1024 * 1024, maxRedirects: 3, connectTimeoutMs: 10_000, timeoutMs: 60_000 };

/**
 * Whether an address is on the public internet: only ipaddr.js's `unicast` range is. Private,
 * loopback, link-local, unique-local, multicast, unspecified, broadcast, CGNAT, reserved,
 * documentation and benchmarking ranges are not; nor are IPv6 forms that carry an IPv4 address
 * (6to4, Teredo, NAT64) except IPv4-mapped, which is judged by the IPv4 address it maps.
 * Anything that does not parse is not public.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range() === 'unicast';
}

class Refused extends Error {}

/** A `MediaFiles` that downloads each photo from its URL on the old site, safely (see above). */
export function createRemoteMedia(options: RemoteMediaOptions = {}): RemoteMedia {
  const settings = { ...DEFAULTS, ...definedOnly(options) };
  const userAgent = options.userAgent ?? REMOTE_MEDIA_USER_AGENT;
  const allowed = (address: string) => isPublicAddress(address) || (options.allowAddress?.(address) ?? false);
  const failures: RemoteMediaFailure[] = [];
  const last = new Map<string, string>();

  const checkedLookup: net.LookupFunction = (hostname, lookupOptions, callback) => {
    dns.lookup(hostname, { all: true, family: lookupOptions.family ?? 0 }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const refused = addresses.find((a) => !allowed(a.address));
      if (addresses.length === 0 || refused) {
        const why = refused ? `resolves to ${refused.address}, which is not a public address` : 'has no address';
        return callback(Object.assign(new Refused(`the host ${hostname} ${why}`), { code: 'HEARTH_REFUSED' }), '', 0);
      }
      if (lookupOptions.all) return callback(null, addresses as unknown as string);
      const first = addresses[0] as dns.LookupAddress;
      return callback(null, first.address, first.family);
    });
  };

  async function download(start: string): Promise<Buffer> {
    const deadline = Date.now() + settings.timeoutMs;
    let url = parseUrl(start);
    for (let hop = 0; ; hop++) {
      const answer = await get(url, deadline);
      if ('location' in answer) {
        if (hop >= settings.maxRedirects) throw new Refused(`more than ${settings.maxRedirects} redirects`);
        url = parseUrl(answer.location, url);
        continue;
      }
      return answer.body;
    }
  }

  function get(url: URL, deadline: number): Promise<{ body: Buffer } | { location: string }> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // An IP address in the URL is connected to without a lookup: check it here.
    if (net.isIP(host) !== 0 && !allowed(host)) {
      return Promise.reject(new Refused(`${host} is not a public address`));
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) return Promise.reject(new Refused(`took longer than ${settings.timeoutMs} ms`));
    return new Promise((resolve, reject) => {
      const client = url.protocol === 'https:' ? https : http;
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(total);
        clearTimeout(connect);
        request.destroy();
        reject(error);
      };
      const request = client.request(url, {
        method: 'GET',
        agent: false,
        lookup: checkedLookup,
        headers: { 'user-agent': userAgent, accept: 'image/*,*/*;q=0.5', 'accept-encoding': 'identity' },
      });
      const total = setTimeout(() => fail(new Refused(`took longer than ${settings.timeoutMs} ms`)), remaining);
      const connect = setTimeout(
        () => fail(new Refused(`could not connect within ${settings.connectTimeoutMs} ms`)),
        Math.min(settings.connectTimeoutMs, remaining),
      );
      request.on('socket', (socket) => {
        const connected = () => clearTimeout(connect);
        socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', connected);
      });
      request.on('error', (error) => fail(error instanceof Refused ? error : new Refused(reasonOf(error))));
      request.on('response', (response) => {
        clearTimeout(connect);
        const status = response.statusCode ?? 0;
        if ([301, 302, 303, 307, 308].includes(status)) {
          response.resume();
          const location = response.headers.location;
          settled = true;
          clearTimeout(total);
          request.destroy();
          if (!location) reject(new Refused(`HTTP ${status} without a Location`));
          else resolve({ location });
          return;
        }
        if (status < 200 || status > 299) return fail(new Refused(`HTTP ${status}`));
        const declared = Number(response.headers['content-length']);
        if (Number.isFinite(declared) && declared > settings.maxBytes) {
          return fail(new Refused(`larger than ${settings.maxBytes} bytes (${declared} declared)`));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > settings.maxBytes) return fail(new Refused(`larger than ${settings.maxBytes} bytes`));
          chunks.push(chunk);
        });
        response.on('error', (error) => fail(new Refused(reasonOf(error))));
        response.on('aborted', () => fail(new Refused('the connection was closed before the end')));
        response.on('end', () => {
          if (settled) return;
          if (!response.complete) return fail(new Refused('the connection was closed before the end'));
          settled = true;
          clearTimeout(total);
          resolve({ body: Buffer.concat(chunks, size) });
        });
      });
      request.end();
    });
  }

  return {
    describe: options.describe ?? 'the old site, over the internet',
    failures,
    lastError: (url) => last.get(url),
    async read(_file, url) {
      try {
        const body = await download(url);
        last.delete(url);
        return body;
      } catch (error) {
        const reason = error instanceof Refused ? error.message : reasonOf(error);
        last.set(url, reason);
        failures.push({ url, reason });
        return undefined;
      }
    },
  };
}

/** An absolute http(s) URL, or a refusal naming why not. */
function parseUrl(text: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    throw new Refused(`"${text}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Refused(`${url.protocol.slice(0, -1)} URLs are not downloaded, only http and https`);
  }
  if (url.username !== '' || url.password !== '') throw new Refused('URLs with a user name or password are refused');
  return url;
}

function reasonOf(error: unknown): string {
  const e = error as NodeJS.ErrnoException & { hostname?: string };
  if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN') return `the host ${e.hostname ?? ''} was not found`.trim();
  return e?.message ?? String(error);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
