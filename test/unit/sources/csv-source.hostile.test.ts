import { describe, expect, it } from 'vitest';
import { createCsvSource } from '../../../src/sources/csv-source.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { readAll, readUntilSourceError } from './read-csv.js';

const temp = useTempDir('orgsync-csv-hostile-');

const errorOf = (path: string) => readUntilSourceError({ path });

/**
 * The CPU time of the cheaper of two full reads, in ms: CPU time, unlike wall time, does not grow
 * when other processes share the machine (vitest runs each test file in a process of its own).
 */
async function readCpuMs(path: string): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 2; i += 1) {
    const before = process.cpuUsage();
    for await (const _ of createCsvSource({ path }).records());
    const used = process.cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

const HEADER = 'account_id,region,display_name,invoice_email,billing_plan,billing_currency,tax_id\n';

describe('createCsvSource: a space before a quote', () => {
  it('reads the quoted field after the spaces instead of splitting it at its comma', async () => {
    const path = await temp.file(
      'space-quote.csv',
      'account_id,region,display_name,billing_plan\nSP-1, us-east, "Smith, John", gold\nSP-2,\tus-west,\t"Doe, ""Jane""" ,basic\n',
    );
    const records = await readAll({ path });
    expect(records[0]).toEqual({
      line: 2,
      values: { account_id: 'SP-1', region: 'us-east', display_name: 'Smith, John', billing_plan: 'gold' },
    });
    expect(records[1]?.values).toMatchObject({ display_name: 'Doe, "Jane"', region: 'us-west' });
  });

  it('does the same with ";" and after a tab-delimited file\'s spaces', async () => {
    const semicolon = await temp.file(
      'space-quote-semi.csv',
      'account_id;region;display_name\nA-1; us-east; "Smith; John"\n',
    );
    expect((await readAll({ path: semicolon }))[0]?.values.display_name).toBe('Smith; John');
    const tab = await temp.file(
      'space-quote-tab.csv',
      'account_id\tregion\tdisplay_name\nA-1\tus-east\t  "Smith\tJohn"\n',
    );
    expect((await readAll({ path: tab }))[0]?.values.display_name).toBe('Smith\tJohn');
  });

  it('keeps a quote that follows other characters as a character, as before', async () => {
    const path = await temp.file('inner-quote.csv', 'account_id,region,display_name\nA-1,us-east,O"Brien "Ltd"\n');
    expect((await readAll({ path }))[0]?.values.display_name).toBe('O"Brien "Ltd"');
  });
});

describe('createCsvSource: blank lines and short rows', () => {
  it('skips blank lines and lines of delimiters and spaces, keeping every line number exact', async () => {
    const path = await temp.file(
      'blanks.csv',
      `\n,,,\n${HEADER}\n\n,,,,,,\r\n  , ,\t,\nA-1,us-east,Alpha\n${',,,,\n'.repeat(1000)}A-2,us-east,"Be\nta"\n\nA-3,us-east,Gamma,,,,,extra,cells\n`,
    );
    const records = await readAll({ path });
    expect(records.map((r) => [r.line, r.values.account_id])).toEqual([
      [8, 'A-1'],
      [1009, 'A-2'],
      [1012, 'A-3'],
    ]);
    // Short rows read as null for the missing cells; extra cells are ignored.
    expect(records[0]?.values).toEqual({
      account_id: 'A-1',
      region: 'us-east',
      display_name: 'Alpha',
      invoice_email: null,
      billing_plan: null,
      billing_currency: null,
      tax_id: null,
    });
    expect(records[2]?.values.tax_id).toBe('');
  });

  it('still reports a row whose only content lies past the last column (it is not blank)', async () => {
    const path = await temp.file('past-last.csv', `${HEADER},,,,,,,stray note\n`);
    expect(await readAll({ path })).toEqual([
      {
        line: 2,
        values: {
          account_id: '',
          region: '',
          display_name: '',
          invoice_email: '',
          billing_plan: '',
          billing_currency: '',
          tax_id: '',
        },
      },
    ]);
  });

  it('reads blank lines far faster than rows, and short rows about as fast as full ones', async () => {
    const n = 100_000;
    const rows = (end: string) =>
      Array.from({ length: n }, (_, i) => `CUST-${i},us-east,Company ${i}${end}\n`).join('');
    const full = await temp.file('full.csv', HEADER + rows(',,,,'));
    const short = await temp.file('short.csv', HEADER + rows(''));
    const blank = await temp.file('blank-lines.csv', `${HEADER}${'\n'.repeat(n)}${',,,,\n'.repeat(n)}A,us-east,a\n`);
    const [fullMs, shortMs, blankMs] = [await readCpuMs(full), await readCpuMs(short), await readCpuMs(blank)];
    // csv-parse's error path (a CsvError per short record) made short rows ~4x and blank lines
    // ~10x as slow as full rows; without it they cost no more than the row they stand for.
    expect(shortMs).toBeLessThan(fullMs * 2);
    expect(blankMs).toBeLessThan(fullMs);
  }, 120_000);
});

describe('createCsvSource: records over 1 MiB', () => {
  it('names the line where the long record starts, and does not call a closed quote "never closed"', async () => {
    const big = 'x'.repeat(1_100_000);
    const path = await temp.file(
      'big-closed.csv',
      `${HEADER}${'A,us-east,a\n'.repeat(6000)}B,us-east,"${big}\n${big}"\nC,us-east,c\n`,
    );
    const { records, message } = await errorOf(path);
    expect(message).toMatch(/the record starting on line 6002 is over 1 MiB long/);
    expect(message).not.toMatch(/never closed/);
    expect(records.length).toBe(6000);
  });

  it('an unquoted record over 1 MiB too', async () => {
    const path = await temp.file('big-plain.csv', `${HEADER}A,us-east,a\nB,us-east,${'y'.repeat(1_200_000)}\n`);
    const { records, message } = await errorOf(path);
    expect(message).toMatch(/the record starting on line 3 is over 1 MiB long/);
    expect(records.map((r) => r.line)).toEqual([2]);
  });

  it('a quote never closed is named by the line where it opened, however far the file goes on', async () => {
    const path = await temp.file(
      'open-quote.csv',
      `${HEADER}A,us-east,a\nB,us-east,"open\n${'C,us-east,c\n'.repeat(200_000)}`,
    );
    const { message } = await errorOf(path);
    expect(message).toMatch(/the quoted field opened on line 3 is never closed/);
  });
});
