import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, SourceError } from '../../../src/errors.js';
import { createCsvSource, type CsvSourceOptions } from '../../../src/sources/csv-source.js';
import { cannotRead } from '../../../src/sources/csv/read-file-chunks.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { fixture, readAll, readUntilError, readUntilSourceError } from './read-csv.js';

async function sourceErrorOf(options: CsvSourceOptions): Promise<string> {
  const { records, message } = await readUntilSourceError(options);
  expect(records).toEqual([]);
  return message;
}

const temp = useTempDir('orgsync-csv-errors-');

describe('createCsvSource: files that cannot be read', () => {
  it('a missing file: "cannot read ...: no such file", on the first next()', async () => {
    const source = createCsvSource({ path: 'no-such-dir/accounts.csv' }); // constructing does not touch the file
    const iterator = source.records()[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toThrow(
      /^cannot read no-such-dir\/accounts\.csv: no such file \(looked for \/.*no-such-dir\/accounts\.csv\)$/,
    );
  });

  it('a directory', async () => {
    expect(await sourceErrorOf({ path: temp.path })).toMatch(/cannot read .*: it is a directory, not a CSV file/);
  });

  it('a file without read permission (the errno is simulated: the tests run as root, whom no mode stops)', () => {
    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    expect(cannotRead('locked.csv', denied).message).toBe(
      'cannot read locked.csv: permission denied (give the user running orgsync read access to it)',
    );
  });

  it('an empty file: "has no header row"', async () => {
    expect(await sourceErrorOf({ path: fixture('empty.csv') })).toMatch(
      /empty\.csv has no header row: the file is empty or holds only blank lines\. Its first line must name the columns, e\.g\. account_id,region,display_name$/,
    );
  });

  it('a file of blank lines, or only a BOM: "has no header row"', async () => {
    expect(await sourceErrorOf({ path: await temp.file('blank.csv', '\r\n  \n,,\n') })).toMatch(/has no header row/);
    expect(await sourceErrorOf({ path: await temp.file('bom.csv', '\ufeff') })).toMatch(/has no header row/);
  });
});

describe('createCsvSource: header problems', () => {
  it('names each missing required column and the columns found', async () => {
    const message = await sourceErrorOf({ path: fixture('missing-columns.csv') });
    expect(message).toBe(
      `${fixture('missing-columns.csv')} is missing the required columns account_id, display_name. Columns found: account id, name, region. ` +
        'Header names are matched ignoring case and surrounding spaces; the delimiter was "," (detected from the header; pass --delimiter if that is wrong)',
    );
  });

  it('takes the required columns from the options (no region when a fixed region is configured)', async () => {
    const path = await temp.file('no-region.csv', 'account_id,display_name\nA,a\n');
    const records = await readAll({ path, requiredColumns: ['account_id', 'display_name'] });
    expect(records).toEqual([{ line: 2, values: { account_id: 'A', display_name: 'a' } }]);
    expect(await sourceErrorOf({ path })).toMatch(/missing the required column region\./);
  });

  it('a wrong --delimiter shows up as missing columns, saying where the delimiter came from', async () => {
    expect(await sourceErrorOf({ path: fixture('semicolon.csv'), delimiter: ',' })).toMatch(
      /Columns found: account_id;region;display_name;billing_plan\. .*the delimiter was "," \(from --delimiter\)/,
    );
  });

  it('refuses a column named twice', async () => {
    const path = await temp.file('twice.csv', 'account_id,region,display_name, Region \nA,us-east,a,eu-west\n');
    expect(await sourceErrorOf({ path })).toMatch(
      /the column "region" appears twice in the header \(columns 2 and 4\); orgsync reads it, so it cannot tell which one holds the value: remove or rename one of them/,
    );
  });
});

describe('createCsvSource: encodings', () => {
  it('refuses Latin-1 without --encoding, naming the line of the first bad byte and the fixes', async () => {
    const message = await sourceErrorOf({ path: fixture('latin1.csv') });
    expect(message).toBe(
      `${fixture('latin1.csv')} is not valid UTF-8 (first bad byte at line 3). If it was exported from Excel, re-save it as 'CSV UTF-8', ` +
        "or pass --encoding with the file's encoding (windows-1252, latin1, utf-16le, ...)",
    );
  });

  it('finds the bad byte line far into the file, after the records before it', async () => {
    const good = Array.from({ length: 5000 }, (_, i) => `C${i},us-east,Name ${i}`).join('\n');
    const path = await temp.file(
      'late-bad.csv',
      Buffer.concat([
        Buffer.from(`account_id,region,display_name\n${good}\nX,us-east,`),
        Buffer.from([0xe9]),
        Buffer.from('\n'),
      ]),
    );
    const { records, error } = await readUntilError({ path });
    expect(error).toBeInstanceOf(SourceError);
    expect(error instanceof Error && error.message).toMatch(/first bad byte at line 5002\)/);
    expect(records.length).toBeLessThanOrEqual(5000);
  });

  it('refuses a file that ends in the middle of a character', async () => {
    const path = await temp.file(
      'cut.csv',
      Buffer.concat([Buffer.from('account_id,region,display_name\nA,us-east,'), Buffer.from([0xc3])]),
    );
    expect(await sourceErrorOf({ path })).toMatch(/not valid UTF-8 \(first bad byte at line 2\)/);
  });

  it('refuses a UTF-16 file without --encoding, saying which encoding to pass', async () => {
    expect(await sourceErrorOf({ path: fixture('utf16le-bom.csv') })).toMatch(
      /is UTF-16 text .* Pass --encoding utf-16le/,
    );
    const be = await temp.file('be.csv', Buffer.from([0xfe, 0xff, 0x00, 0x61]));
    expect(await sourceErrorOf({ path: be })).toMatch(/Pass --encoding utf-16be/);
  });

  it('rejects an unknown encoding name when the source is created', () => {
    expect(() => createCsvSource({ path: 'a.csv', encoding: 'klingon-8' })).toThrow(ConfigError);
    expect(() => createCsvSource({ path: 'a.csv', encoding: 'klingon-8' })).toThrow(
      /encoding: "klingon-8" is not an encoding orgsync knows; use e\.g\. windows-1252/,
    );
  });

  it('rejects an unknown delimiter when the source is created', () => {
    expect(() => createCsvSource({ path: 'a.csv', delimiter: '::' })).toThrow(
      /delimiter: "::" is not a delimiter orgsync reads; use one of , ; \| tab/,
    );
  });
});

describe('createCsvSource: broken quoting', () => {
  it('an unbalanced quote is a SourceError naming the line where the quote opened', async () => {
    const { records, error } = await readUntilError({ path: fixture('unclosed-quote.csv') });
    expect(records.map((r) => r.line)).toEqual([2]);
    expect(error).toBeInstanceOf(SourceError);
    expect(error instanceof Error && error.message).toMatch(
      /the quoted field opened on line 3 is never closed.*Fix the quotes on line 3: a quote inside a quoted field is written twice \(""\)/,
    );
  });

  it('stops an unbalanced quote before it swallows a big file (1 MiB per record)', async () => {
    const rest = 'B,us-east,b\n'.repeat(120_000); // about 1.4 MB inside the open quote
    const path = await temp.file('swallow.csv', `account_id,region,display_name\nA,us-east,"open\n${rest}`);
    const { error } = await readUntilError({ path });
    expect(error instanceof SourceError && error.message).toMatch(/the quoted field opened on line 2 is never closed/);
  });
});

describe('createCsvSource: lifecycle', () => {
  it('stops when the signal is aborted', async () => {
    const controller = new AbortController();
    const lines: number[] = [];
    const iterate = async () => {
      for await (const record of createCsvSource({ path: fixture('hostile-but-valid.csv') }).records({
        signal: controller.signal,
      })) {
        lines.push(record.line);
        controller.abort();
      }
    };
    await expect(iterate()).rejects.toThrow(/abort/i);
    expect(lines).toEqual([2]);
  });

  it('can be read again, and left early, without leaking the file', async () => {
    const source = createCsvSource({ path: fixture('hostile-but-valid.csv') });
    for await (const record of source.records()) {
      expect(record.line).toBe(2);
      break;
    }
    let count = 0;
    for await (const _ of source.records()) count += 1;
    expect(count).toBe(6);
  });

  it.runIf(existsSync('/proc/self/fd'))('closes the file when left early or when it fails', async () => {
    const openFixtures = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`).includes('fixtures');
        } catch {
          return false; // the descriptor of the directory listing itself is gone by now
        }
      }).length;
    const before = openFixtures();
    for (let i = 0; i < 5; i += 1) {
      for await (const _ of createCsvSource({ path: fixture('hostile-but-valid.csv') }).records()) break;
      await readUntilError({ path: fixture('unclosed-quote.csv') });
      await readUntilError({ path: fixture('latin1.csv') });
      await readUntilError({ path: fixture('missing-columns.csv') });
    }
    expect(openFixtures()).toBe(before);
  });
});
