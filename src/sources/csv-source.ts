import { Readable, pipeline } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { ConfigError, SourceError } from '../errors.js';
import { columnKey, type SourceRecord } from '../domain/account-record.js';
import type { AccountSource } from './source.js';
import { createColumnRenamer, type ColumnMapping, type ColumnRenamer } from './column-map.js';
import { decodeText, parseEncodingOption } from './csv/decode-text.js';
import { MAX_RECORD_CHARS, csvParseOptions } from './csv/parse-options.js';
import { detectDelimiter, parseDelimiterOption, type CsvDelimiter } from './csv/detect-delimiter.js';
import { readFileChunks, shownPath } from './csv/read-file-chunks.js';
import { readHeader } from './csv/read-header.js';
import { createRecordLineTracker, type RecordLineTracker, type ScanFailure } from './csv/record-line-tracker.js';

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
  /**
   * Every column orgsync reads (the required ones, `region`, the owned metadata keys): a repeated
   * one of them is refused, other repeated columns are ignored. Default: any repeated column is refused.
   */
  readColumns?: readonly string[] | undefined;
  /**
   * `--map` / ORGSYNC_COLUMN_MAP: the header column each mapped field is read from. Required and read
   * columns are orgsync's names; a mapped column missing from the header is a `ConfigError`.
   */
  columnMap?: readonly ColumnMapping[] | undefined;
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
  readColumns: ReadonlySet<string> | undefined;
  renamer: ColumnRenamer;
}

/**
 * A source reading accounts from a CSV file (design section 3), streamed in constant memory.
 * Bad options throw a `ConfigError` here (`-` for stdin among them); file problems (missing,
 * unreadable, not a regular file, not UTF-8, no header, missing or repeated columns) throw a
 * `SourceError` from the first `next()` of `records()`, before any record; a broken quote or a
 * record over 1 MiB throws where it is met. Each record's `line` is the physical line it starts on
 * (header = 1); blank lines and lines of delimiters are skipped at constant cost; spaces before an
 * opening quote are dropped; short rows give `null` for the missing cells, extra cells are ignored
 * (docs/sources.md).
 */
export function createCsvSource(options: CsvSourceOptions): AccountSource {
  if (options.path === '-') {
    throw new ConfigError([
      '--source csv:- : orgsync does not read a CSV from standard input (it must be able to read the file to its end); save the data to a file and pass --source csv:FILE',
    ]);
  }
  const settings: CsvSettings = {
    path: options.path,
    delimiter: checkDelimiter(options.delimiter),
    encoding: parseEncodingOption(options.encoding),
    requiredColumns: options.requiredColumns ?? DEFAULT_REQUIRED_COLUMNS,
    readColumns: options.readColumns && new Set(options.readColumns.map(columnKey)),
    renamer: createColumnRenamer(options.columnMap),
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

async function* readCsvRecords(settings: CsvSettings, signal: AbortSignal | undefined): AsyncGenerator<SourceRecord> {
  const name = shownPath(settings.path);
  const text = decodeText(readFileChunks(settings.path), { name, encoding: settings.encoding });
  let parser: ReturnType<typeof parse> | undefined;
  let input: Readable | undefined;
  try {
    signal?.throwIfAborted();
    const head = await readHead(text);
    const delimiter = settings.delimiter ?? head.delimiter;
    const tracker = createRecordLineTracker(delimiter, { maxRecordChars: MAX_RECORD_CHARS });
    input = Readable.from(feed(head.text, text, tracker), { objectMode: false });
    parser = parse(csvParseOptions(delimiter));
    // Errors of either stream reach the loop below through the parser, which pipeline destroys.
    pipeline(input, parser, () => undefined);
    let columns: string[] | undefined;
    try {
      for await (const fields of parser) {
        const position = tracker.shift();
        if (position === undefined && tracker.failure !== undefined) throw scanFailure(name, tracker.failure);
        if (!isStringArray(fields) || position === undefined || position.cells !== fields.length) {
          throw new SourceError(
            `${name}: orgsync lost track of line numbers near line ${position?.line ?? tracker.currentRecordLine}. ` +
              'This is a bug in orgsync; please report it with the first lines of the file (no personal data needed)',
          );
        }
        if (position.blank) continue; // e.g. "","" (plain blank lines and ,,,, never get here)
        if (columns === undefined) {
          const delimiterDetected = settings.delimiter === undefined;
          const { renamer } = settings;
          // Checked against the header, before any record is read (and so before any write).
          renamer.assertColumns(fields.map(columnKey), `${name}'s header`);
          columns = readHeader(renamer.identity ? fields : fields.map((f) => renamer.nameOf(columnKey(f))), {
            name,
            requiredColumns: settings.requiredColumns,
            readColumns: settings.readColumns,
            delimiter,
            delimiterDetected,
          });
          continue;
        }
        signal?.throwIfAborted();
        yield { line: position.line, values: valuesOf(columns, fields, position.fields) };
      }
    } catch (err) {
      if (tracker.failure !== undefined && !(err instanceof SourceError)) throw scanFailure(name, tracker.failure);
      throw err instanceof CsvError ? describeParseError(name, err, tracker) : err;
    }
    if (tracker.failure !== undefined) throw scanFailure(name, tracker.failure);
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

/**
 * The text for the parser: the head already read, then the rest, reshaped by the tracker (see
 * `createRecordLineTracker`). Reading stops as soon as the tracker has found a failure.
 */
async function* feed(head: string, rest: AsyncIterable<string>, tracker: RecordLineTracker): AsyncGenerator<string> {
  const first = tracker.push(head);
  if (first !== '') yield first;
  if (tracker.failure !== undefined) return;
  for await (const chunk of rest) {
    const shaped = tracker.push(chunk);
    if (shaped !== '') yield shaped;
    if (tracker.failure !== undefined) return;
  }
  const last = tracker.end();
  if (last !== '') yield last;
}

/** The record's values by column; cells the file does not have (a short row) are `null`. */
function valuesOf(
  columns: readonly string[],
  fields: readonly string[],
  fieldsInFile: number,
): Record<string, string | null> {
  const entries: [string, string | null][] = [];
  columns.forEach((column, index) => {
    if (column !== '') entries.push([column, index < fieldsInFile ? (fields[index] ?? null) : null]);
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

const QUOTE_HINT = 'a quote inside a quoted field is written twice ("")';

/** The message for a text the tracker could not split into records. */
function scanFailure(name: string, failure: ScanFailure): SourceError {
  if (failure.kind === 'unclosed-quote') {
    const at = failure.quoteLine;
    return new SourceError(
      `${name}: the quoted field opened on line ${at} is never closed, so everything after it would be read as ` +
        `one value. Fix the quotes on line ${at}: ${QUOTE_HINT}`,
    );
  }
  return new SourceError(
    `${name}: the record starting on line ${failure.recordLine} is over 1 MiB long (${failure.maxRecordChars.toLocaleString('en-US')} characters); ` +
      'no account row is that big: check that line, and its quotes',
  );
}

/** A csv-parse error the tracker did not foresee (it mirrors the parser, so this should not happen). */
function describeParseError(name: string, err: CsvError, tracker: RecordLineTracker): SourceError {
  return new SourceError(`${name}: cannot read the CSV near line ${tracker.currentRecordLine}: ${err.message}`, {
    cause: err,
  });
}
