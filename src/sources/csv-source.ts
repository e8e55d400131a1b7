import { Readable, pipeline } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { ConfigError, SourceError } from '../errors.js';
import type { AccountSource, SourceRecord } from './source.js';
import { decodeText, isUtf8Name } from './csv/decode-text.js';
import { csvParseOptions } from './csv/parse-options.js';
import { detectDelimiter, parseDelimiterOption, type CsvDelimiter } from './csv/detect-delimiter.js';
import { readFileChunks } from './csv/read-file-chunks.js';
import { readHeader } from './csv/read-header.js';
import { createRecordLineTracker, type RecordLineTracker } from './csv/record-line-tracker.js';

/** Options of `createCsvSource`. */
export interface CsvSourceOptions {
  /** Path of the CSV file, as the operator gave it (messages quote it as is). */
  path: string;
  /** Field delimiter: `,` `;` `|` or `tab` (also `\t`). Default: detected from the header line. */
  delimiter?: string | undefined;
  /** The file's encoding, any name iconv-lite knows (`windows-1252`, `latin1`, `utf-16le`...). Default: UTF-8, strictly checked. */
  encoding?: string | undefined;
  /** Columns the header must have. Default `account_id`, `region`, `display_name`; the engine drops `region` when a fixed region is configured. */
  requiredColumns?: readonly string[] | undefined;
}

/** The default required columns (design section 3). */
export const DEFAULT_REQUIRED_COLUMNS: readonly string[] = ['account_id', 'region', 'display_name'];

/** How much text may precede the end of the header line before detection gives up and uses what it has. */
const MAX_HEADER_CHARS = 1024 * 1024;

interface CsvSettings {
  path: string;
  delimiter: CsvDelimiter | undefined;
  encoding: string | undefined;
  requiredColumns: readonly string[];
}

/**
 * A source reading accounts from a CSV file (design section 3), streamed in constant memory.
 * Bad options throw a `ConfigError` here; file problems (missing, unreadable, not UTF-8, no header,
 * missing columns) throw a `SourceError` from the first `next()` of `records()`, before any record.
 * Each record's `line` is the physical line it starts on (header = 1); blank lines are skipped;
 * short rows give `null` for the missing cells, extra cells are ignored.
 */
export function createCsvSource(options: CsvSourceOptions): AccountSource {
  const settings: CsvSettings = {
    path: options.path,
    delimiter: checkDelimiter(options.delimiter),
    encoding: checkEncoding(options.encoding),
    requiredColumns: options.requiredColumns ?? DEFAULT_REQUIRED_COLUMNS,
  };
  return {
    description: `csv:${options.path}`,
    records: (recordsOptions) => readCsvRecords(settings, recordsOptions?.signal),
  };
}

function checkDelimiter(value: string | undefined): CsvDelimiter | undefined {
  if (value === undefined) return undefined;
  const delimiter = parseDelimiterOption(value);
  if (delimiter === undefined) {
    throw new ConfigError([
      `delimiter: ${JSON.stringify(value)} is not a delimiter orgsync reads; use one of , ; | tab`,
    ]);
  }
  return delimiter;
}

function checkEncoding(value: string | undefined): string | undefined {
  if (value === undefined || isUtf8Name(value)) return undefined;
  if (!iconv.encodingExists(value)) {
    throw new ConfigError([
      `encoding: ${JSON.stringify(value)} is not an encoding orgsync knows; use e.g. windows-1252, latin1, utf-16le or utf-8`,
    ]);
  }
  return value;
}

async function* readCsvRecords(settings: CsvSettings, signal: AbortSignal | undefined): AsyncGenerator<SourceRecord> {
  const name = settings.path;
  const text = decodeText(readFileChunks(settings.path), { name, encoding: settings.encoding });
  let parser: ReturnType<typeof parse> | undefined;
  let input: Readable | undefined;
  try {
    signal?.throwIfAborted();
    const head = await readHead(text);
    const delimiter = settings.delimiter ?? head.delimiter;
    const tracker = createRecordLineTracker(delimiter);
    input = Readable.from(feed(head.text, text, tracker), { objectMode: false });
    parser = parse(csvParseOptions(delimiter));
    // Errors of either stream reach the loop below through the parser, which pipeline destroys.
    pipeline(input, parser, () => undefined);
    let columns: string[] | undefined;
    try {
      for await (const fields of parser) {
        const position = tracker.shift();
        if (!isStringArray(fields) || position === undefined || position.fields !== fields.length) {
          throw new SourceError(
            `${name}: orgsync lost track of line numbers near line ${position?.line ?? tracker.currentRecordLine}. ` +
              'This is a bug in orgsync; please report it with the first lines of the file (no personal data needed)',
          );
        }
        if (fields.every((field) => field.trim() === '')) continue; // a blank line, or one of delimiters only
        if (columns === undefined) {
          const delimiterDetected = settings.delimiter === undefined;
          columns = readHeader(fields, {
            name,
            requiredColumns: settings.requiredColumns,
            delimiter,
            delimiterDetected,
          });
          continue;
        }
        signal?.throwIfAborted();
        yield { line: position.line, values: valuesOf(columns, fields) };
      }
    } catch (err) {
      throw err instanceof CsvError ? describeParseError(name, err, tracker) : err;
    }
    if (columns === undefined) throw noHeader(name, settings.requiredColumns);
  } finally {
    parser?.destroy();
    input?.destroy();
    await text.return(undefined);
  }
}

/** Reads text until the header's end is seen (or 1 MiB, or the end), and detects the delimiter. */
async function readHead(text: AsyncIterator<string>): Promise<{ text: string; delimiter: CsvDelimiter }> {
  let head = '';
  for (;;) {
    const detected = detectDelimiter(head);
    if (detected.complete || head.length >= MAX_HEADER_CHARS) return { text: head, delimiter: detected.delimiter };
    const next = await text.next();
    if (next.done === true) return { text: head, delimiter: detected.delimiter };
    head += next.value;
  }
}

/** The text for the parser: the head already read, then the rest; the tracker sees it first. */
async function* feed(head: string, rest: AsyncIterable<string>, tracker: RecordLineTracker): AsyncGenerator<string> {
  tracker.push(head);
  yield head;
  for await (const chunk of rest) {
    tracker.push(chunk);
    yield chunk;
  }
  tracker.end();
}

function valuesOf(columns: readonly string[], fields: readonly string[]): Record<string, string | null> {
  const entries: [string, string | null][] = [];
  columns.forEach((column, index) => {
    if (column !== '') entries.push([column, fields[index] ?? null]);
  });
  // fromEntries defines own properties, so a column named `__proto__` is an ordinary value.
  return Object.fromEntries(entries);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function noHeader(name: string, requiredColumns: readonly string[]): SourceError {
  return new SourceError(
    `${name} has no header row: the file is empty or holds only blank lines. ` +
      `Its first line must name the columns, e.g. ${requiredColumns.join(',')}`,
  );
}

function describeParseError(name: string, err: CsvError, tracker: RecordLineTracker): SourceError {
  const quoteLine = tracker.openQuoteLine;
  const quoteHint = 'a quote inside a quoted field is written twice ("")';
  if (err.code === 'CSV_QUOTE_NOT_CLOSED' || (err.code === 'CSV_MAX_RECORD_SIZE' && quoteLine !== undefined)) {
    return new SourceError(
      `${name}: the quoted field opened on line ${quoteLine ?? tracker.currentRecordLine} is never closed, so everything ` +
        `after it would be read as one value. Fix the quotes on line ${quoteLine ?? tracker.currentRecordLine}: ${quoteHint}`,
      { cause: err },
    );
  }
  if (err.code === 'CSV_MAX_RECORD_SIZE') {
    return new SourceError(
      `${name}: the record starting on line ${tracker.currentRecordLine} is over 1 MiB long; no account row is that big: check that line`,
      { cause: err },
    );
  }
  return new SourceError(`${name}: cannot read the CSV near line ${tracker.currentRecordLine}: ${err.message}`, {
    cause: err,
  });
}
