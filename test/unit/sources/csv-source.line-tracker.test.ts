import fc from 'fast-check';
import { parse, type Options } from 'csv-parse';
import { describe, expect, it } from 'vitest';
import { csvParseOptions } from '../../../src/sources/csv/parse-options.js';
import {
  createRecordLineTracker,
  type RecordLineTrackerOptions,
  type RecordPosition,
  type ScanFailure,
} from '../../../src/sources/csv/record-line-tracker.js';

interface Tracked {
  positions: RecordPosition[];
  /** The text handed to the parser. */
  text: string;
  failure: ScanFailure | undefined;
}

function track(chunks: readonly string[], delimiter = ',', options: RecordLineTrackerOptions = {}): Tracked {
  const tracker = createRecordLineTracker(delimiter, options);
  let text = '';
  for (const chunk of chunks) text += tracker.push(chunk);
  text += tracker.end();
  const positions: RecordPosition[] = [];
  for (let p = tracker.shift(); p !== undefined; p = tracker.shift()) positions.push(p);
  return { positions, text, failure: tracker.failure };
}

/** What csv-parse, configured as the source configures it (plus `extra` options), makes of the same chunks. */
async function parseChunks(
  chunks: readonly string[],
  delimiter = ',',
  extra: Options = {},
): Promise<{ records: string[][]; errorCode?: string; inconsistentRecords: number }> {
  const parser = parse({ ...csvParseOptions(delimiter), ...extra });
  const records: string[][] = [];
  const done = new Promise<{ errorCode?: string }>((resolve) => {
    parser.on('data', (record: string[]) => records.push(record));
    parser.on('end', () => resolve({}));
    parser.on('error', (err: Error & { code?: string }) => resolve({ errorCode: err.code ?? 'unknown' }));
  });
  for (const chunk of chunks) parser.write(chunk);
  parser.end();
  const outcome = await done;
  return { records, ...outcome, inconsistentRecords: parser.info.invalid_field_length };
}

/** Cuts `text` at the given offsets. */
function cut(text: string, offsets: readonly number[]): string[] {
  const points = [...new Set(offsets.map((o) => o % (text.length + 1)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let from = 0;
  for (const point of points) {
    chunks.push(text.slice(from, point));
    from = point;
  }
  chunks.push(text.slice(from));
  return chunks;
}

const isBlank = (cells: readonly string[]) => cells.every((cell) => cell.trim() === '');

/**
 * What the source makes of parsed records, the way it did before the tracker reshaped the text:
 * blank records skipped, the first other one is the header, each row's cells up to the header's
 * count, missing ones null.
 */
function rowsOfRawParse(records: readonly string[][]): (string | null)[][] {
  const kept = records.filter((r) => !isBlank(r));
  const width = kept[0]?.length ?? 0;
  return kept.map((r) => Array.from({ length: width }, (_, i) => r[i] ?? null));
}

/** The same, from the reshaped text and the tracker's positions (as `csv-source.ts` reads them). */
function rowsOfTracked(records: readonly string[][], positions: readonly RecordPosition[]): (string | null)[][] {
  expect(records.map((r) => r.length)).toEqual(positions.map((p) => p.cells));
  const rows: (string | null)[][] = [];
  let width: number | undefined;
  records.forEach((record, index) => {
    if (positions[index]?.blank === true) return;
    width ??= record.length;
    const inFile = positions[index]?.fields ?? 0;
    rows.push(Array.from({ length: width }, (_, i) => (i < inFile ? (record[i] ?? null) : null)));
  });
  return rows;
}

describe('createRecordLineTracker: line numbers', () => {
  it('gives the start line of each record, counting CRLF inside quotes as one line, leaving blank lines out', () => {
    const tracked = track(['h1,h2\r\na,b\r\n"x\r\ny",c\r\n\r\n , \r\nd,e']);
    expect(tracked.positions).toEqual([
      { line: 1, fields: 2, cells: 2, blank: false },
      { line: 2, fields: 2, cells: 2, blank: false },
      { line: 3, fields: 2, cells: 2, blank: false },
      { line: 7, fields: 2, cells: 2, blank: false },
    ]);
    expect(tracked.text).toBe('h1,h2\r\na,b\r\n"x\r\ny",c\r\nd,e');
  });

  it('gives the same answer however the text is cut into chunks', () => {
    const text = 'h1,h2,h3\r\na,"b""\r\nc" \t,"d" e\r\n"",""\r\n,,,\rx,y\n,\n p,q,r,s\n';
    const whole = track([text]);
    for (let i = 0; i <= text.length; i += 1) expect(track([text.slice(0, i), text.slice(i)])).toEqual(whole);
  });

  it('follows relaxed quoting: a quote after the start of a field is a character', () => {
    expect(track(['a,O"Brien\nb,"x"y,z\n']).positions).toEqual([
      { line: 1, fields: 2, cells: 2, blank: false },
      { line: 2, fields: 3, cells: 2, blank: false },
    ]);
  });

  it('drops spaces after a closing quote when a delimiter or the line end follows, keeps them otherwise', () => {
    expect(track(['a,b,c\n"Smith, John" ,gold, "x" \t\n"O" Brien,"y"  \t']).text).toBe(
      'a,b,c\n"Smith, John",gold, "x"\n"O" Brien,"y",',
    );
  });

  it('opens a quoted field after spaces, as csv-parse with ltrim does', () => {
    const tracked = track(['id, region, name\nSP-1, us-east, "Smith, John", gold\n']);
    expect(tracked.positions).toEqual([
      { line: 1, fields: 3, cells: 3, blank: false },
      { line: 2, fields: 4, cells: 3, blank: false },
    ]);
  });

  it('uses the given delimiter', () => {
    expect(track(['a;b,c\tz\n'], ';').positions).toEqual([{ line: 1, fields: 2, cells: 2, blank: false }]);
    expect(track(['a;b,c\tz\n'], '\t').positions).toEqual([{ line: 1, fields: 2, cells: 2, blank: false }]);
  });
});

describe('createRecordLineTracker: the text handed to the parser', () => {
  it('leaves out blank lines and lines of delimiters and spaces, before and after the header', () => {
    expect(track(['\n,,\n \t\na,b,c\n\n,,,,,\n  ,\t,\n1,2,3\n']).text).toBe('a,b,c\n1,2,3\n');
  });

  it('pads a short record to the header, and keeps its real field count', () => {
    const tracked = track(['a,b,c,d\n1\n1,2\r\n1,2,3']);
    expect(tracked.text).toBe('a,b,c,d\n1,,,\n1,2,,\r\n1,2,3,');
    expect(tracked.positions.map((p) => [p.fields, p.cells])).toEqual([
      [4, 4],
      [1, 4],
      [2, 4],
      [3, 4],
    ]);
  });

  it('drops the fields past the header, quoted line breaks included', () => {
    const tracked = track(['a,b\n1,2,3,"x\ny",4\n5,6\n,,,z\n']);
    expect(tracked.text).toBe('a,b\n1,2\n5,6\n,\n');
    expect(tracked.positions.map((p) => [p.line, p.blank])).toEqual([
      [1, false],
      [2, false],
      [4, false],
      [5, false], // ,,,z: empty cells for the header's columns, but not a blank row
    ]);
  });

  it('pads at most maxPadCells delimiters; a shorter record goes to the parser as it is', () => {
    expect(track(['a,b,c,d\n1\n1,2\n'], ',', { maxPadCells: 2 }).text).toBe('a,b,c,d\n1\n1,2,,\n');
  });

  it('leaves out records of blank quoted cells before the header, so that the header is the first record', () => {
    const tracked = track(['"",""\r\n" ",\na,b\n"",""\n']);
    expect(tracked.text).toBe('a,b\n"",""\n');
    expect(tracked.positions).toEqual([
      { line: 3, fields: 2, cells: 2, blank: false },
      { line: 4, fields: 2, cells: 2, blank: true },
    ]);
  });
});

describe('createRecordLineTracker: failures', () => {
  it('reports the line where an unclosed quote opened', () => {
    expect(track(['h\na\n"b\nc\nd\n']).failure).toEqual({ kind: 'unclosed-quote', quoteLine: 3 });
    expect(track(['h\n"a"\n']).failure).toBeUndefined();
  });

  it('reports a record over the limit with the line it starts on, once it has ended', () => {
    const long = 'x'.repeat(50);
    const tracked = track(['h1,h2\n', 'a,b\n', `c,"${long}\n${long}"\n`, 'd,e\n'], ',', { maxRecordChars: 40 });
    expect(tracked.failure).toEqual({ kind: 'record-too-long', recordLine: 3, maxRecordChars: 40 });
    expect(tracked.positions.map((p) => p.line)).toEqual([1, 2]);
    expect(tracked.text).not.toContain('d,e');
    expect(tracked.text.length).toBeLessThan(60);
  });

  it('calls a quote still open at the end "unclosed", even past the limit', () => {
    const tracked = track(['h\n"', 'y'.repeat(500), '\nz\n'], ',', { maxRecordChars: 40 });
    expect(tracked.failure).toEqual({ kind: 'unclosed-quote', quoteLine: 2 });
  });

  it('keeps nothing of a long run of spaces after a closing quote once past the limit', () => {
    const tracker = createRecordLineTracker(',', { maxRecordChars: 40 });
    let text = tracker.push('h\n"a"');
    for (let i = 0; i < 100; i += 1) text += tracker.push(' '.repeat(1000));
    text += tracker.push(',b\n');
    expect(tracker.failure).toEqual({ kind: 'record-too-long', recordLine: 2, maxRecordChars: 40 });
    expect(text.length).toBeLessThan(50);
  });

  it('counts a line of spaces or delimiters against the limit too', () => {
    expect(track(['h\n', ' '.repeat(100), '\n'], ',', { maxRecordChars: 40 }).failure).toMatchObject({
      kind: 'record-too-long',
      recordLine: 2,
    });
  });
});

describe('createRecordLineTracker: agrees with csv-parse (properties)', () => {
  const textArb = fc.string({
    unit: fc.constantFrom('a', 'b', ' ', '\t', '\f', '\u00a0', ',', ';', '"', '\n', '\r'),
    maxLength: 80,
  });

  it('the reshaped text parses to the same rows as the raw text, for any text cut anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(
        textArb,
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.constantFrom(',', ';'),
        fc.constantFrom(0, 1, 64),
        async (text, offsets, delimiter, maxPadCells) => {
          const chunks = cut(text, offsets);
          const raw = await parseChunks([text], delimiter);
          const tracked = track(chunks, delimiter, { maxPadCells });
          if (raw.errorCode !== undefined) {
            expect(raw.errorCode).toBe('CSV_QUOTE_NOT_CLOSED');
            expect(tracked.failure?.kind).toBe('unclosed-quote');
            return;
          }
          expect(tracked.failure).toBeUndefined();
          const shaped = await parseChunks([tracked.text], delimiter);
          expect(shaped.errorCode).toBeUndefined();
          const rows = rowsOfTracked(shaped.records, tracked.positions);
          // With room to pad, csv-parse never meets a record of the wrong length (its slow path).
          if (maxPadCells === 64) expect(shaped.inconsistentRecords).toBe(0);
          if (!/"[ \t\f]/.test(text)) {
            expect(rows).toEqual(rowsOfRawParse(raw.records));
            return;
          }
          // Spaces after a closing quote are dropped before a delimiter or a line end: as csv-parse's
          // rtrim reads them, trailing spaces aside. Where such spaces are followed by anything else,
          // rtrim reads differently from the rule (it refuses "x" y, and reopens quotes in "" "x"),
          // so only the checks above apply.
          if (new RegExp(`"[ \\t\\f]+[^ \\t\\f\\r\\n${delimiter}]`).test(text)) return;
          const rtrimmed = await parseChunks([text], delimiter, { rtrim: true });
          if (rtrimmed.errorCode !== undefined) return;
          const trimEnd = (r: (string | null)[][]) => r.map((cells) => cells.map((cell) => cell?.trimEnd() ?? null));
          expect(trimEnd(rows)).toEqual(trimEnd(rowsOfRawParse(rtrimmed.records)));
        },
      ),
      { numRuns: 3000 },
    );
  }, 60_000);

  it('gives the physical start line of records built with known positions', () => {
    const fieldArb = fc.string({ unit: fc.constantFrom('a', 'b', ' ', ',', '"', '\n', '\r\n', '\r'), maxLength: 8 });
    const rowArb = fc.record({
      fields: fc.array(fieldArb, { minLength: 1, maxLength: 4 }),
      end: fc.constantFrom('\n', '\r\n', '\r'),
      blankLinesAfter: fc.nat({ max: 2 }),
    });
    fc.assert(
      fc.property(
        fc.array(rowArb, { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        (rows, offsets) => {
          let text = '';
          const expected: number[] = [];
          let headerSeen = false;
          const lineAt = () => 1 + (text.match(/\r\n|\n|\r/g)?.length ?? 0);
          for (const row of rows) {
            const rendered = row.fields
              .map((f) => (/[",\r\n]/.test(f) || f === '' ? `"${f.replaceAll('"', '""')}"` : f))
              .join(',');
            const spacesOnly = /^[ ,]*$/.test(rendered);
            const keep: boolean = !spacesOnly && (headerSeen || !isBlank(row.fields));
            if (keep) expected.push(lineAt());
            headerSeen ||= keep;
            text += rendered + row.end;
            for (let i = 0; i < row.blankLinesAfter; i += 1) text += row.end;
          }
          expect(track(cut(text, offsets)).positions.map((p) => p.line)).toEqual(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
