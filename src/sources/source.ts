import type { SourceRecord } from '../domain/account-record.js';

/** The port every host-system source implements (CSV, PostgreSQL, HTTP). */
export interface AccountSource {
  /** How the source is named in reports and logs (`csv:accounts.csv`, `postgres:`, a URL without credentials). */
  readonly description: string;
  /**
   * Streams the records. Throws `SourceError` when the source cannot be read at all (missing file,
   * missing required columns, connection refused); a bad record is yielded, never thrown.
   */
  records(options?: { signal?: AbortSignal }): AsyncIterable<SourceRecord>;
  /**
   * Reads one account on its own, for reconciles that carry only the account's ID; sources that
   * cannot (CSV) leave it out, and are scanned instead. Gives the first record whose `account_id`
   * equals `accountId` (trimmed) and whose `region` (`normalizeRegion`) equals `region` when both
   * are given (a source without regions matches on the ID alone), or `null`. Its `line` is 1: a
   * lookup has no row number. Throws `SourceError` when the source cannot be read.
   */
  findAccount?(accountId: string, region?: string, options?: { signal?: AbortSignal }): Promise<SourceRecord | null>;
}

/** A source that can also read one account on its own (PostgreSQL, HTTP): `findAccount` is present. */
export type LookupSource = AccountSource & Required<Pick<AccountSource, 'findAccount'>>;
