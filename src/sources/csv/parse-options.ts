import type { Options } from 'csv-parse';

/** csv-parse's buffer limit per record: far above any real account row, it stops an unbalanced quote from eating all memory. */
export const MAX_RECORD_BYTES = 1024 * 1024;

/**
 * The csv-parse options of the CSV source. `createRecordLineTracker` mirrors exactly these
 * quoting and line-end rules; change both together (the tracker's property test compares them).
 */
export function csvParseOptions(delimiter: string): Options {
  return {
    delimiter,
    record_delimiter: ['\r\n', '\n', '\r'], // mixed line ends are common in hand-edited files
    relax_column_count: true, // a short or long row is the domain's to judge, not a fatal error
    relax_quotes: true, // a quote inside an unquoted field (O"Brien) is kept as a character
    max_record_size: MAX_RECORD_BYTES,
  };
}
