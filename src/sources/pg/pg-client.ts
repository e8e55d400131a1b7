import pg from 'pg';
import { connectError } from './pg-errors.js';
import type { PgTarget } from './pg-target.js';
import { pgTypeParsers } from './pg-values.js';

/** How to reach the database. */
export interface PgConnectOptions {
  databaseUrl: string;
  target: PgTarget;
  /** How long to wait for the server to accept the connection, in milliseconds. */
  connectTimeoutMs: number;
  /** Shown in `pg_stat_activity` unless the URL sets `application_name`. */
  applicationName: string;
  /** Told when the connection fails after connecting (without a listener, the client's 'error' event would crash the process). */
  onConnectionError: (error: Error) => void;
}

/** One connected client; `close()` is idempotent and never rejects. */
export interface PgSession {
  client: pg.Client;
  close(): Promise<void>;
}

/**
 * Connects one client (not a pool: a source reads with one connection at a time). Throws a
 * `SourceError` naming host, port and database when the connection fails; the abort reason when
 * `signal` fires first. The client is closed on every failure path.
 */
export async function openPgSession(options: PgConnectOptions, signal?: AbortSignal): Promise<PgSession> {
  signal?.throwIfAborted();
  const client = new pg.Client({
    connectionString: options.databaseUrl,
    connectionTimeoutMillis: options.connectTimeoutMs,
    application_name: options.applicationName,
    types: pgTypeParsers,
  });
  const onError = (error: Error): void => options.onConnectionError(error);
  client.on('error', onError);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= client.end().then(
      () => void client.off('error', onError),
      // The socket is already gone; there is nothing left to release.
      () => void client.off('error', onError),
    );
    return closing;
  };
  const onAbort = (): void => void close();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await client.connect();
  } catch (error) {
    await close();
    signal?.throwIfAborted();
    throw connectError(error, options.target, options.connectTimeoutMs);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  return { client, close };
}

/** Lends a connected client to `fn` and always closes it (`with*` convention). */
export async function withPgSession<T>(
  options: PgConnectOptions,
  signal: AbortSignal | undefined,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const session = await openPgSession(options, signal);
  const onAbort = (): void => void session.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await fn(session.client);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await session.close();
  }
}
