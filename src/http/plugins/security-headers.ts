import type { FastifyInstance } from 'fastify';
import { securityHeaders } from './send-page.js';

/**
 * The security headers (CSP without inline script, nosniff, Referrer-Policy, frame
 * refusal, Permissions-Policy) on every response Fastify sends: admin pages, redirects,
 * JSON, static files. Pages written by `sendPage` bypass this hook and carry them there.
 */
export function addSecurityHeaders(app: FastifyInstance): void {
  const entries = Object.entries(securityHeaders);
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of entries) if (!reply.hasHeader(name)) reply.header(name, value);
    return payload;
  });
}

/**
 * The CSP of a page whose script adds `<style>` elements (the editor: CodeMirror writes its
 * styles at run time): the same policy, with this response's nonce allowed for styles only.
 * Scripts stay `'self'`; the nonce is new on each response (admin pages are never cached).
 */
export function cspWithStyleNonce(nonce: string): string {
  return securityHeaders['content-security-policy'].replace("style-src 'self'", `style-src 'self' 'nonce-${nonce}'`);
}
