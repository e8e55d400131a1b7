import fc from 'fast-check';
import { parse } from 'csv-parse';
import { describe, expect, it } from 'vitest';
import { csvParseOptions } from '../../../src/sources/csv/parse-options.js';
import { createRecordLineTracker, type RecordPosition } from '../../../src/sources/csv/record-line-tracker.js';

function track(
  chunks: readonly string[],
  delimiter = ',',
): { positions: RecordPosition[]; openQuoteLine: number | undefined } {
  const tracker = createRecordLineTracker(delimiter);
  for (const chunk of chunks) tracker.push(chunk);
  tracker.end();
  const positions: RecordPosition[] = [];
  for (let p = tracker.shift(); p !== undefined; p = tracker.shift()) positions.push(p);
  return { positions, openQuoteLine: tracker.openQuoteLine };
}

/** What csv-parse, configured as the source configures it, makes of the same chunks. */
async function parseChunks(
  chunks: readonly string[],
  delimiter = ',',
): Promise<{ records: string[][]; errorCode?: string }> {
  const parser = parse(csvParseOptions(delimiter));
  const records: string[][] = [];
  const done = new Promise<{ errorCode?: string }>((resolve) => {
    parser.on('data', (record: string[]) => records.push(record));
    parser.on('end', () => resolve({}));
    parser.on('error', (err: Error & { code?: string }) => resolve({ errorCode: err.code ?? 'unknown' }));
  });
  for (const chunk of chunks) parser.write(chunk);
  parser.end();
  return { records, ...(await done) };
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

describe('createRecordLineTracker', () => {
  it('gives the start line of each record, counting CRLF inside quotes as one line', () => {
    const text = 'h1,h2\r\na,b\r\n"x\r\ny",c\r\n\r\nd,e';
    expect(track([text]).positions).toEqual([
      { line: 1, fields: 2 },
      { line: 2, fields: 2 },
      { line: 3, fields: 2 },
      { line: 5, fields: 1 }, // the blank line: csv-parse emits it as [""] too
      { line: 6, fields: 2 },
    ]);
  });

  it('gives the same answer however the text is cut into chunks', () => {
    const text = 'h1,h2\r\na,"b""\r\nc"\r\n"",""\rx,y\n';
    const whole = track([text]).positions;
    for (let i = 0; i <= text.length; i += 1) expect(track([text.slice(0, i), text.slice(i)]).positions).toEqual(whole);
  });

  it('follows relaxed quoting: a quote after the start of a field is a character', () => {
    expect(track(['a,O"Brien\nb,"x"y,z\n']).positions).toEqual([
      { line: 1, fields: 2 },
      { line: 2, fields: 3 },
    ]);
  });

  it('reports the line where an unclosed quote opened', () => {
    expect(track(['h\na\n"b\nc\nd\n']).openQuoteLine).toBe(3);
    expect(track(['h\n"a"\n']).openQuoteLine).toBeUndefined();
  });

  it('uses the given delimiter', () => {
    expect(track(['a;b,c\tz\n'], ';').positions).toEqual([{ line: 1, fields: 2 }]);
    expect(track(['a;b,c\tz\n'], '\t').positions).toEqual([{ line: 1, fields: 2 }]);
  });

  it('agrees with csv-parse on every record and field count, for any text cut anywhere (property)', async () => {
    const textArb = fc.string({ unit: fc.constantFrom('a', ' ', ',', ';', '"', '\n', '\r'), maxLength: 60 });
    await fc.assert(
      fc.asyncProperty(
        textArb,
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.constantFrom(',', ';'),
        async (text, offsets, delimiter) => {
          const chunks = cut(text, offsets);
          const parsed = await parseChunks(chunks, delimiter);
          const tracked = track(chunks, delimiter);
          if (parsed.errorCode !== undefined) {
            expect(parsed.errorCode).toBe('CSV_QUOTE_NOT_CLOSED');
            expect(tracked.openQuoteLine).toBeDefined();
            return;
          }
          expect(tracked.openQuoteLine).toBeUndefined();
          expect(tracked.positions.map((p) => p.fields)).toEqual(parsed.records.map((r) => r.length));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('gives the physical start line of records built with known positions (property)', () => {
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
          const expected: RecordPosition[] = [];
          const lineAt = () => 1 + (text.match(/\r\n|\n|\r/g)?.length ?? 0);
          for (const row of rows) {
            expected.push({ line: lineAt(), fields: row.fields.length });
            text +=
              row.fields.map((f) => (/[",\r\n]/.test(f) || f === '' ? `"${f.replaceAll('"', '""')}"` : f)).join(',') +
              row.end;
            for (let i = 0; i < row.blankLinesAfter; i += 1) {
              expected.push({ line: lineAt(), fields: 1 });
              text += row.end;
            }
          }
          expect(track(cut(text, offsets)).positions).toEqual(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
