import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { maskEmails } from '../engine/summary-text.js';
import { createFailureLimiter, retryAfterSeconds, type FailureLimit } from './failure-limiter.js';
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

/** Default limit of failed admin logins per client address: 10 in a row, then one more a minute. */
export const DEFAULT_ADMIN_LOGIN_FAILURE_LIMIT: FailureLimit = { maxFailures: 10, perMs: 10 * 60_000 };

/** Options of `createBasicAuthHook`. */
export interface BasicAuthOptions {
  credentials: AdminCredentials;
  /** Failed logins (an `Authorization` header with the wrong user or password) are logged here. */
  logger: Logger;
  /** Failed logins allowed per client address. Default `DEFAULT_ADMIN_LOGIN_FAILURE_LIMIT`. */
  failureLimit?: FailureLimit | undefined;
}

/** The user name as a log field: at most 64 characters, an e-mail address masked (`o•••@example.com`). */
function loggableUser(user: string | undefined): string | null {
  return user === undefined ? null : maskEmails(user.slice(0, 64));
}

/**
 * A fastify `onRequest` hook that lets a request through only with the admin's credentials
 * (compared in constant time, user and password both checked every time); otherwise 401 with a
 * `WWW-Authenticate` challenge, so a browser asks for them. A wrong login is logged (user and
 * address, never the password) and counted per address: past the limit, every request from that
 * address gets 429 with `Retry-After`, right credentials included, until a failure is forgiven.
 * One hook (one count) serves every admin page.
 */
export function createBasicAuthHook(options: BasicAuthOptions) {
  const { credentials, logger } = options;
  const failures = createFailureLimiter(options.failureLimit ?? DEFAULT_ADMIN_LOGIN_FAILURE_LIMIT);
  return async function requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const waitMs = failures.blockedForMs(request.ip);
    if (waitMs > 0) {
      reply.header('retry-after', retryAfterSeconds(waitMs));
      return sendError(
        reply,
        429,
        'too_many_requests',
        'too many failed admin logins from this address; retry after the number of seconds in Retry-After',
      );
    }
    const given = parseBasicAuthorization(request.headers.authorization);
    const userOk = sameSecret(given?.user ?? '', credentials.user);
    const passwordOk = sameSecret(given?.password ?? '', credentials.password);
    if (given !== undefined && userOk && passwordOk) return undefined;
    // No Authorization header at all is a browser's first visit, not a failed login.
    if (request.headers.authorization !== undefined) {
      failures.recordFailure(request.ip);
      logger.warn(
        { user: loggableUser(given?.user), address: request.ip, route: request.routeOptions.url ?? 'unmatched' },
        'failed admin login',
      );
    }
    reply.header('www-authenticate', 'Basic realm="orgsync", charset="UTF-8"');
    return sendError(
      reply,
      401,
      'unauthorized',
      'this page needs the admin login (HTTP basic auth; ORGSYNC_ADMIN_USER / ORGSYNC_ADMIN_PASSWORD)',
    );
  };
}
