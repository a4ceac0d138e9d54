import net from 'node:net';
import type { Config } from '../../config.js';

/**
 * `HEARTH_TRUST_PROXY` as Fastify takes it. Fastify 5 trusts no hop for a bare number (it
 * cannot check the peer), so N hops is a function: the socket's peer and the N-1 entries
 * of X-Forwarded-For nearest to it are proxies, and the entry before them is the visitor.
 * Entries further left are whatever the visitor sent, and are never believed. (`true` is
 * the list `['loopback']` by then: a proxy on the same machine.)
 */
export function fastifyTrustProxy(
  trust: Config['trustProxy'],
): false | string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : trust;
}

/**
 * A warning for the log at start, when a number of hops is trusted while Hearth listens
 * beyond this machine: whoever reaches the port directly can then write their own
 * X-Forwarded-For and pass for any address.
 */
export function trustProxyWarning(config: Pick<Config, 'trustProxy' | 'host'>): string | undefined {
  if (typeof config.trustProxy !== 'number' || isLoopbackHost(config.host)) return undefined;
  return (
    `HEARTH_TRUST_PROXY=${config.trustProxy} believes whoever connects, and HEARTH_HOST=${config.host} ` +
    'lets others than a proxy on this machine connect: they can forge their address. ' +
    "List the proxies' addresses in HEARTH_TRUST_PROXY instead, or keep the port behind a firewall."
  );
}

function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return net.isIPv4(h) && h.startsWith('127.');
}
