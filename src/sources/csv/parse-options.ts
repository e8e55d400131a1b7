import type { Options } from 'csv-parse';

/** The longest record orgsync reads, in characters: far above any real account row, it stops an unbalanced quote from eating all memory. */
export const MAX_RECORD_CHARS = 1024 * 1024;

/**
 * The csv-parse options of the CSV source. `createRecordLineTracker` mirrors exactly these
 * quoting, trimming and line-end rules; change both together (the tracker's property tests compare
 * them).
 */
export function csvParseOptions(delimiter: string): Options {
  return {
    delimiter,
    record_delimiter: ['\r\n', '\n', '\r'], // mixed line ends are common in hand-edited files
    relax_column_count: true, // a short or long row is the domain's to judge, not a fatal error
    relax_quotes: true, // a quote inside an unquoted field (O"Brien) is kept as a character
    // Spaces before a field's first character are dropped, so `a, "Smith, John"` reads the quoted
    // field `Smith, John` instead of splitting it at its comma. Values are trimmed anyway.
    ltrim: true,
    // The tracker enforces MAX_RECORD_CHARS first; this byte limit (a character is at most 3 bytes
    // of UTF-8) only backs it up.
    max_record_size: 4 * MAX_RECORD_CHARS,
  };
}
