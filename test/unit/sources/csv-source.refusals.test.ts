import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { createCsvSource, type CsvSourceOptions } from '../../../src/sources/csv-source.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { readAll, readUntilSourceError } from './read-csv.js';

const temp = useTempDir('orgsync-csv-refusals-');

async function sourceErrorOf(options: CsvSourceOptions): Promise<string> {
  return (await readUntilSourceError(options)).message;
}

const HEADER = 'account_id,region,display_name';

describe('createCsvSource: things that are not a regular file', () => {
  it.runIf(process.platform !== 'win32')('refuses a named pipe at once instead of waiting for a writer', async () => {
    const fifo = join(temp.path, 'accounts.csv');
    execFileSync('mkfifo', [fifo]);
    const message = await sourceErrorOf({ path: fifo });
    expect(message).toBe(
      `cannot read ${fifo}: it is a named pipe (FIFO), not a regular file; orgsync reads a CSV only from a regular file, so save the data to a file first`,
    );
    await rm(fifo);
  });

  it.runIf(existsSync('/dev/zero'))('refuses a device', async () => {
    expect(await sourceErrorOf({ path: '/dev/zero' })).toMatch(
      /^cannot read \/dev\/zero: it is a device, not a regular file/,
    );
  });

  it('refuses "-" (standard input) when the source is created, saying what to do instead', () => {
    expect(() => createCsvSource({ path: '-' })).toThrow(ConfigError);
    expect(() => createCsvSource({ path: '-' })).toThrow(/does not read a CSV from standard input.*--source csv:FILE/);
  });

  it('a loop of symbolic links: a plain reason, the path once', async () => {
    const a = join(temp.path, 'loop-a.csv');
    const b = join(temp.path, 'loop-b.csv');
    await symlink(b, a);
    await symlink(a, b);
    const message = await sourceErrorOf({ path: a });
    expect(message).toBe(
      `cannot read ${a}: the path runs into a loop of symbolic links (a link that points, directly or not, to itself)`,
    );
    expect(message).not.toMatch(/ELOOP/);
  });

  it('an over-long path: a plain reason, the path once and shortened', async () => {
    const long = join(temp.path, `${'n'.repeat(300)}.csv`);
    const message = await sourceErrorOf({ path: long });
    expect(message).toMatch(/^cannot read .*n…n+\.csv \(a path of \d+ characters\): the path is too long/);
    expect(message).not.toMatch(/ENAMETOOLONG/);
    expect(message.length).toBeLessThan(400);
  });

  it('escapes control characters in the file name', async () => {
    const message = await sourceErrorOf({ path: join(temp.path, 'no\u001b[2Jsuch\u009b.csv') });
    expect(message).toContain('no\\u001b[2Jsuch\\u009b.csv');
    expect(message).not.toMatch(/\p{Cc}/u);
  });
});

describe('createCsvSource: encodings', () => {
  it('refuses --encoding base64 and hex: text encodings only', () => {
    for (const encoding of ['base64', 'hex', 'Base-64'])
      expect(() => createCsvSource({ path: 'a.csv', encoding })).toThrow(
        /is a binary-to-text coding, not a text encoding/,
      );
  });

  it('refuses --encoding utf-16be on a little-endian byte-order mark, and the reverse', async () => {
    const le = await temp.file(
      'le.csv',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${HEADER}\n`, 'utf16le')]),
    );
    expect(await sourceErrorOf({ path: le, encoding: 'utf-16be' })).toBe(
      `${le} is UTF-16LE text (it starts with a little-endian UTF-16 byte-order mark), but --encoding utf-16be was given: pass --encoding utf-16le`,
    );
    expect(await sourceErrorOf({ path: le, encoding: 'latin1' })).toMatch(/pass --encoding utf-16le$/);
    expect(await readAll({ path: le, encoding: 'utf-16le' })).toEqual([]);
    expect(await readAll({ path: le, encoding: 'utf16' })).toEqual([]);
    const be = await temp.file('be.csv', Buffer.from([0xfe, 0xff, 0x00, 0x61, 0x00, 0x0a]));
    expect(await sourceErrorOf({ path: be, encoding: 'UCS-2' })).toMatch(
      /is UTF-16BE text .* pass --encoding utf-16be$/,
    );
  });

  it('refuses UTF-16 without a byte-order mark, naming UTF-16 and --encoding instead of "missing columns"', async () => {
    const text = `${HEADER}\nA-1,us-east,Acme\n`;
    const le = await temp.file('le-nobom.csv', Buffer.from(text, 'utf16le'));
    const message = await sourceErrorOf({ path: le });
    expect(message).toBe(
      `${le} is UTF-16 text (little-endian, without a byte-order mark: every other byte is a NUL), not UTF-8. ` +
        "Pass --encoding utf-16le, or re-save the file as 'CSV UTF-8'",
    );
    expect(message.includes('\u0000')).toBe(false);
    const be = await temp.file('be-nobom.csv', Buffer.from(text, 'utf16le').swap16());
    expect(await sourceErrorOf({ path: be })).toMatch(/big-endian.*Pass --encoding utf-16be/);
    expect(await sourceErrorOf({ path: be, encoding: 'utf-16le' })).toMatch(/pass --encoding utf-16be$/);
    const records = await readAll({ path: le, encoding: 'utf-16le' });
    expect(records).toEqual([{ line: 2, values: { account_id: 'A-1', region: 'us-east', display_name: 'Acme' } }]);
  });

  it('refuses a UTF-8 byte-order mark read with another --encoding', async () => {
    const path = await temp.file('utf8-bom.csv', `\ufeff${HEADER}\n`);
    expect(await sourceErrorOf({ path, encoding: 'windows-1252' })).toMatch(
      /starts with a UTF-8 byte-order mark, so it is UTF-8 text, but --encoding windows-1252 was given: leave --encoding out/,
    );
  });

  it('still reads a UTF-8 file that holds a NUL in a cell (the NUL pattern needs half the bytes)', async () => {
    const path = await temp.file('nul-cell.csv', `${HEADER}\nA\u0000,us-east,x\n`);
    expect((await readAll({ path }))[0]?.values.account_id).toBe('A\u0000');
  });
});

describe('createCsvSource: repeated columns', () => {
  const readColumns = ['account_id', 'region', 'display_name', 'invoice_email', 'billing_plan'];

  it('ignores a repeated column orgsync does not read, every copy of it', async () => {
    const path = await temp.file('notes-twice.csv', `${HEADER},notes,Notes, NOTES \nA-1,us-east,Acme,x,y,z\n`);
    expect(await readAll({ path, readColumns })).toEqual([
      { line: 2, values: { account_id: 'A-1', region: 'us-east', display_name: 'Acme' } },
    ]);
  });

  it('refuses a repeated column orgsync reads, a metadata key as well as a required one', async () => {
    const meta = await temp.file('plan-twice.csv', `${HEADER},billing_plan,Billing_Plan\nA-1,us-east,Acme,pro,basic\n`);
    expect(await sourceErrorOf({ path: meta, readColumns })).toBe(
      `${meta}: the column "billing_plan" appears twice in the header (columns 4 and 5); orgsync reads it, so it cannot tell which one holds the value: remove or rename one of them`,
    );
    const id = await temp.file('id-twice.csv', `${HEADER},account_id\nA-1,us-east,Acme,B\n`);
    expect(await sourceErrorOf({ path: id, readColumns })).toMatch(/the column "account_id" appears twice/);
  });

  it('without readColumns, any repeated column is refused (the caller did not say what it reads)', async () => {
    const path = await temp.file('notes-twice-2.csv', `${HEADER},notes,Notes\nA-1,us-east,Acme,x,y\n`);
    expect(await sourceErrorOf({ path })).toMatch(/the column "notes" appears twice/);
  });

  it('escapes header names in messages: a header cannot clear the screen', async () => {
    const path = await temp.file('esc-header.csv', '\u001b]0;owned\u0007id,\u001b[2Jname,\u202eregion\nA,b,c\n');
    const message = await sourceErrorOf({ path });
    expect(message).toContain('Columns found: \\u001b]0;owned\\u0007id, \\u001b[2jname, \\u202eregion.');
    expect(message).not.toMatch(/[\p{Cc}\u202e]/u);
  });

  it('names the file by the path it was given', async () => {
    await mkdir(join(temp.path, 'sub'), { recursive: true });
    const path = await temp.file(join('sub', 'r.csv'), `${HEADER},region\nA,b,c,d\n`);
    expect(await sourceErrorOf({ path, readColumns })).toMatch(/sub\/r\.csv: the column "region" appears twice/);
  });
});
