import { ConfigError } from '../../errors.js';

/** Where a PostgreSQL source connects, for error messages. Holds no secret except `password`, which only `redact` uses. */
export interface PgTarget {
  host: string;
  port: string;
  database: string;
  /** @internal Used only to scrub messages; never printed. */
  password: string;
}

/**
 * Reads host, port and database from a `postgres://` URL without ever echoing the URL (it may
 * hold a password). Throws `ConfigError` when the URL cannot be parsed.
 */
export function parsePgTarget(databaseUrl: string): PgTarget {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    // No `cause`: Node's ERR_INVALID_URL carries the input, password included.
    throw new ConfigError([
      'DATABASE_URL is not a valid URL (expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE)',
    ]);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError([`DATABASE_URL must start with postgres:// or postgresql://, got ${url.protocol}//`]);
  }
  const user = decodeURIComponent(url.username);
  return {
    host: url.hostname || url.searchParams.get('host') || 'localhost',
    port: url.port || url.searchParams.get('port') || '5432',
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || user || 'postgres',
    password: decodeURIComponent(url.password),
  };
}

/** "PostgreSQL at 127.0.0.1:5432 (database test)". */
export function describePgTarget(target: PgTarget): string {
  return `PostgreSQL at ${target.host}:${target.port} (database ${target.database})`;
}

/** Removes the password from a message, in case a driver ever echoes it. */
export function redactPassword(message: string, target: PgTarget): string {
  // Very short "passwords" would garble every message if replaced; they are no secret anyway.
  if (target.password.length < 4) return message;
  return message.split(target.password).join('***');
}
