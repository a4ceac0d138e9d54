import type { Config } from '../../config.js';

/**
 * `HEARTH_TRUST_PROXY` as Fastify takes it. Fastify 5 trusts no hop for a bare number (it
 * cannot check the peer), so N hops is a function: the socket's peer and the N-1 entries
 * of X-Forwarded-For nearest to it are proxies, and the entry before them is the visitor.
 * Entries further left are whatever the visitor sent, and are never believed.
 */
export function fastifyTrustProxy(
  trust: Config['trustProxy'],
): false | string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : trust;
}
