import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './http-error.js';

/** The one admin login of `/admin/queues` and `/runs` (ORGSYNC_ADMIN_USER / ORGSYNC_ADMIN_PASSWORD). */
export interface AdminCredentials {
  user: string;
  /** Never logged. */
  password: string;
}

/** SHA-256 first, so that both sides have the same length and the compare leaks no length either. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** The user and password of an `Authorization: Basic ...` header, or `undefined` when absent or malformed. */
export function parseBasicAuthorization(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * A fastify `onRequest` hook that lets a request through only with the admin's credentials
 * (compared in constant time, user and password both checked every time); otherwise 401 with a
 * `WWW-Authenticate` challenge, so a browser asks for them.
 */
export function createBasicAuthHook(credentials: AdminCredentials) {
  return async function requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const given = parseBasicAuthorization(request.headers.authorization);
    const userOk = sameSecret(given?.user ?? '', credentials.user);
    const passwordOk = sameSecret(given?.password ?? '', credentials.password);
    if (given !== undefined && userOk && passwordOk) return undefined;
    reply.header('www-authenticate', 'Basic realm="orgsync", charset="UTF-8"');
    return sendError(
      reply,
      401,
      'unauthorized',
      'this page needs the admin login (HTTP basic auth; ORGSYNC_ADMIN_USER / ORGSYNC_ADMIN_PASSWORD)',
    );
  };
}
