import type pg from 'pg';
import type QueryStream from 'pg-query-stream';

/** Pulls rows from a `QueryStream` one at a time. */
export interface PgRowReader {
  /** The next row; rejects with the abort reason or the connection's error as soon as either happens. */
  next(): Promise<IteratorResult<unknown>>;
  /** Removes every listener the reader added. */
  dispose(): void;
}

/**
 * Reads a `QueryStream` without hanging when the connection dies or the signal fires. On its own,
 * the stream never settles a pending read once the socket is gone (brianc/node-postgres#2870 and
 * #2468), so a database failover would stall a nightly sync forever.
 */
export function createPgRowReader(stream: QueryStream, client: pg.Client, signal?: AbortSignal): PgRowReader {
  const rows = stream[Symbol.asyncIterator]();
  let failure: { error: unknown } | undefined;
  let rejectPending: ((error: unknown) => void) | undefined;

  const fail = (error: unknown): void => {
    failure ??= { error };
    rejectPending?.(failure.error);
  };
  const onError = (error: Error): void => fail(error);
  const onEnd = (): void => fail(new Error('the connection closed before the query finished'));
  const onAbort = (): void => fail(signal?.reason);
  client.on('error', onError);
  client.on('end', onEnd);
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted === true) onAbort();

  return {
    async next() {
      if (failure !== undefined) throw failure.error;
      try {
        // A fresh promise per row, so no listener piles up on a long-lived one.
        return await new Promise<IteratorResult<unknown>>((resolve, reject) => {
          rejectPending = reject;
          rows.next().then(resolve, reject);
        });
      } finally {
        rejectPending = undefined;
      }
    },
    dispose() {
      client.off('error', onError);
      client.off('end', onEnd);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}
