import type { FastifyReply, FastifyRequest } from 'fastify';

/** Framing is refused everywhere: the run pages have their own CSP with the same directive. */
export const FRAME_ANCESTORS_NONE = "frame-ancestors 'none'";

/**
 * Headers on every response (an `onSend` hook of the root, so every route, the 404s and the
 * dashboard get them):
 * - `X-Content-Type-Options: nosniff`;
 * - `X-Frame-Options: DENY`, and `Content-Security-Policy: frame-ancestors 'none'` unless the
 *   route set a stricter policy of its own (the run pages);
 * - `Cache-Control: no-store` unless the route set its own (the dashboard's static files): run
 *   pages, report.json, results.csv and the dashboard's API carry e-mail addresses and tax IDs.
 */
export async function setSecurityHeaders(_request: FastifyRequest, reply: FastifyReply): Promise<void> {
  applySecurityHeaders(reply);
}

/** What `setSecurityHeaders` does, for answers that skip the hooks (fastify's routing errors). */
export function applySecurityHeaders(reply: FastifyReply): void {
  reply.header('x-content-type-options', 'nosniff');
  reply.header('x-frame-options', 'DENY');
  if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', FRAME_ANCESTORS_NONE);
  if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
}

/** The same headers as raw header lines, for answers written straight to the socket (Node's 400/408/431). */
export const RAW_SECURITY_HEADERS = [
  'X-Content-Type-Options: nosniff',
  'X-Frame-Options: DENY',
  `Content-Security-Policy: ${FRAME_ANCESTORS_NONE}`,
  'Cache-Control: no-store',
];
