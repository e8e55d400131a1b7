import type { SourceRecord } from '../src/domain/account-record.js';
import type { AccountSource } from '../src/sources/source.js';

/** An `AccountSource` over records already in memory (a chunk's rows, one reconciled account). */
export function createInMemorySource(description: string, records: readonly SourceRecord[]): AccountSource {
  return {
    description,
    async *records(options) {
      for (const record of records) {
        if (options?.signal?.aborted) throw options.signal.reason;
        yield record;
      }
    },
  };
}
