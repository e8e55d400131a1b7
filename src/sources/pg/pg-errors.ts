import { DatabaseError } from 'pg';
import { SourceError, coerceError } from '../../errors.js';
import { describePgTarget, redactPassword, type PgTarget } from './pg-target.js';

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

function errorCode(error: Error): string | undefined {
  if ('code' in error && typeof error.code === 'string') return error.code;
  // Node reports a failed dual-stack connect as an AggregateError; its first error has the code.
  if (error instanceof AggregateError) {
    const first: unknown = error.errors[0];
    if (first instanceof Error) return errorCode(first);
  }
  return undefined;
}

function connectReason(error: Error, connectTimeoutMs: number): string {
  if (error instanceof DatabaseError) return error.message;
  const code = errorCode(error);
  const known = code === undefined ? undefined : NETWORK_REASONS[code];
  if (known !== undefined) return known;
  if (/timeout/i.test(error.message)) return `no answer within ${connectTimeoutMs} ms`;
  return error.message || 'unknown error';
}

/** "cannot connect to PostgreSQL at HOST:PORT (database DB): connection refused — check DATABASE_URL". */
export function connectError(caught: unknown, target: PgTarget, connectTimeoutMs: number): SourceError {
  const error = coerceError(caught);
  const reason = redactPassword(connectReason(error, connectTimeoutMs), target);
  return new SourceError(`cannot connect to ${describePgTarget(target)}: ${reason} — check DATABASE_URL`, {
    cause: error,
  });
}

/** "query failed: column "x" does not exist (PostgreSQL at HOST:PORT, database DB)". */
export function queryError(caught: unknown, target: PgTarget, what = 'query'): SourceError {
  const error = coerceError(caught);
  const where = describePgTarget(target);
  if (error instanceof DatabaseError) {
    const hint = error.hint ? ` (hint: ${error.hint})` : '';
    const message = `${what} failed: ${error.message}${hint} [SQLSTATE ${error.code ?? 'unknown'}] on ${where}`;
    return new SourceError(redactPassword(message, target), { cause: error });
  }
  const code = errorCode(error);
  const reason = (code === undefined ? undefined : NETWORK_REASONS[code]) ?? error.message;
  return new SourceError(redactPassword(`${what} failed: lost the connection to ${where}: ${reason}`, target), {
    cause: error,
  });
}
