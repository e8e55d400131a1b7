import { describe, expect, it } from 'vitest';
import { parseAccount } from '../../../src/domain/account.js';
import { partitionDuplicates } from '../../../src/domain/duplicates.js';
import type { Account } from '../../../src/domain/types.js';
import { createCsvSource } from '../../../src/sources/csv-source.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { fixture, readAll } from './read-csv.js';

const temp = useTempDir('orgsync-csv-');

describe('createCsvSource: hostile but valid formatting', () => {
  it('reads BOM, CRLF, quoted commas/quotes/newlines, padded mixed-case headers, extra columns and blank lines', async () => {
    const records = await readAll({ path: fixture('hostile-but-valid.csv') });
    expect(records.map((r) => r.line)).toEqual([2, 4, 5, 10, 11, 13]);
    expect(records[0]?.values).toEqual({
      account_id: 'CUST-1',
      region: 'us-east',
      display_name: 'Acme, Inc.',
      invoice_email: 'billing@acme.example',
      billing_plan: 'pro',
      notes: 'plain',
    });
    expect(records[1]?.values).toMatchObject({
      region: 'EU-West ',
      display_name: 'The "Quoted" Co',
      invoice_email: '',
    });
    expect(records[2]?.values).toMatchObject({ display_name: 'Multi\r\nLine\r\nName', notes: 'note with\r\nnewline' });
    // A short row: the missing cells are null; a long row: the extra cells are ignored.
    expect(records[3]?.values).toEqual({
      account_id: 'CUST-4',
      region: 'ap-south',
      display_name: 'Short row',
      invoice_email: null,
      billing_plan: null,
      notes: null,
    });
    expect(Object.keys(records[4]?.values ?? {})).toHaveLength(6);
    // Spaces before a cell's first character are dropped while reading (csv-parse's ltrim, so that a
    // quote after them opens a quoted cell); the rest of a value is as written (the domain trims it).
    expect(records[5]?.values).toMatchObject({ account_id: 'CUST-6  ', display_name: 'Padded  ', notes: '' });
  });

  it('names itself csv:<path>', () => {
    expect(createCsvSource({ path: 'accounts.csv' }).description).toBe('csv:accounts.csv');
  });

  it('gives the same records for the same content with LF, CRLF or CR line ends, and mixed', async () => {
    const rows = ['account_id,region,display_name', 'A,us-east,"x', 'y"', '', 'B,us-east,b'];
    const expected = [
      { line: 2, values: { account_id: 'A', region: 'us-east', display_name: 'x\ny' } },
      { line: 5, values: { account_id: 'B', region: 'us-east', display_name: 'b' } },
    ];
    expect(await readAll({ path: await temp.file('lf.csv', rows.join('\n')) })).toEqual(expected);
    const crlf = await readAll({ path: await temp.file('crlf.csv', `${rows.join('\r\n')}\r\n`) });
    expect(crlf.map((r) => r.line)).toEqual([2, 5]);
    expect(crlf[0]?.values['display_name']).toBe('x\r\ny');
    const cr = await readAll({ path: await temp.file('cr.csv', rows.join('\r')) });
    expect(cr.map((r) => r.line)).toEqual([2, 5]);
    const mixed = await readAll({
      path: await temp.file('mixed.csv', 'account_id,region,display_name\r\nA,us-east,a\nB,us-east,b\r\n\nC,us-east,c'),
    });
    expect(mixed.map((r) => [r.line, r.values['account_id']])).toEqual([
      [2, 'A'],
      [3, 'B'],
      [5, 'C'],
    ]);
  });

  it('keeps a quote inside an unquoted field as a character', async () => {
    const records = await readAll({
      path: await temp.file('quote.csv', 'account_id,region,display_name\nA,us-east,O"Brien & Sons\n'),
    });
    expect(records[0]?.values['display_name']).toBe('O"Brien & Sons');
  });

  it('skips leading blank lines before the header', async () => {
    const records = await readAll({
      path: await temp.file('lead.csv', '\n\naccount_id,region,display_name\nA,us-east,a\n'),
    });
    expect(records).toEqual([{ line: 4, values: { account_id: 'A', region: 'us-east', display_name: 'a' } }]);
  });

  it('yields no records for a header-only file', async () => {
    expect(await readAll({ path: await temp.file('header.csv', 'account_id,region,display_name\r\n') })).toEqual([]);
  });

  it('ignores columns with an empty header name', async () => {
    const records = await readAll({
      path: await temp.file('empty-name.csv', 'account_id,,region,display_name,\nA,junk,us-east,a,junk\n'),
    });
    expect(records[0]?.values).toEqual({ account_id: 'A', region: 'us-east', display_name: 'a' });
  });

  it('keeps a column named __proto__ as an ordinary value', async () => {
    const records = await readAll({
      path: await temp.file('proto.csv', 'account_id,region,display_name,__proto__\nA,us-east,a,x\n'),
    });
    expect(Object.hasOwn(records[0]?.values ?? {}, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(records[0]?.values)).toBe(Object.prototype);
  });
});

describe('createCsvSource: delimiters', () => {
  it('detects ";" from the header', async () => {
    const records = await readAll({ path: fixture('semicolon.csv') });
    expect(records.map((r) => r.values)).toEqual([
      { account_id: 'CUST-1', region: 'us-east', display_name: 'Acme; Inc., Europe', billing_plan: 'pro' },
      { account_id: 'CUST-2', region: 'eu-west', display_name: 'Beta GmbH', billing_plan: '' },
    ]);
  });

  it('detects tabs from the header', async () => {
    const records = await readAll({ path: fixture('tab.csv') });
    expect(records[0]?.values['display_name']).toBe('Acme, Inc.; Europe');
    expect(records.map((r) => r.line)).toEqual([2, 3]);
  });

  it('uses --delimiter when given: "tab", "\\t", "|", ";"', async () => {
    expect((await readAll({ path: fixture('tab.csv'), delimiter: 'tab' }))[0]?.values['account_id']).toBe('CUST-1');
    expect((await readAll({ path: fixture('tab.csv'), delimiter: '\\t' }))[0]?.values['account_id']).toBe('CUST-1');
    const pipe = await temp.file('pipe.csv', 'account_id|region|display_name\nA|us-east|a, b; c\n');
    expect((await readAll({ path: pipe, delimiter: '|' }))[0]?.values['display_name']).toBe('a, b; c');
  });
});

describe('createCsvSource: encodings', () => {
  it('reads a Latin-1 file with --encoding latin1', async () => {
    const records = await readAll({ path: fixture('latin1.csv'), encoding: 'latin1' });
    expect(records[1]?.values['display_name']).toBe('Société Générale');
  });

  it('reads windows-1252 and a UTF-16LE file with a BOM when told', async () => {
    expect((await readAll({ path: fixture('latin1.csv'), encoding: 'windows-1252' }))[1]?.values['display_name']).toBe(
      'Société Générale',
    );
    const utf16 = await readAll({ path: fixture('utf16le-bom.csv'), encoding: 'utf-16le' });
    expect(utf16).toEqual([{ line: 2, values: { account_id: 'CUST-1', region: 'us-east', display_name: 'Café Ltd' } }]);
  });

  it('accepts --encoding utf-8 as the default strict decoding', async () => {
    expect(await readAll({ path: fixture('semicolon.csv'), encoding: 'UTF-8' })).toHaveLength(2);
  });

  it('decodes a multi-byte character split across read chunks', async () => {
    const name = 'é'.repeat(40_000); // 80,000 bytes: crosses the 64 KiB chunk boundary, on odd and even offsets
    const path = await temp.file(
      'split.csv',
      `account_id,region,display_name\nA,us-east,${name}\nB,us-east,x${name}\n`,
    );
    const records = await readAll({ path });
    expect(records[0]?.values['display_name']).toBe(name);
    expect(records[1]?.values['display_name']).toBe(`x${name}`);
  });
});

describe('createCsvSource with the domain', () => {
  it('turns bad-rows.csv into one invalid row per rule and one conflict pair', async () => {
    const rules = { regions: ['us-east', 'eu-west'], metadataKeys: ['invoice_email', 'billing_plan'] };
    const accounts: Account[] = [];
    const invalid: [number, string][] = [];
    for (const record of await readAll({ path: fixture('bad-rows.csv') })) {
      const result = parseAccount(record, rules);
      if (result.ok) accounts.push(result.account);
      else invalid.push([result.problem.line, result.problem.code]);
    }
    expect(invalid).toEqual([
      [2, 'ACCOUNT_ID_MISSING'],
      [3, 'ACCOUNT_ID_INVALID'],
      [4, 'REGION_MISSING'],
      [5, 'REGION_UNKNOWN'],
      [6, 'EXTERNAL_ID_TOO_LONG'],
      [7, 'DISPLAY_NAME_MISSING'],
      [8, 'DISPLAY_NAME_TOO_LONG'],
      [9, 'INVOICE_EMAIL_INVALID'],
      [10, 'METADATA_VALUE_TOO_LONG'],
    ]);
    const { unique, conflicts } = partitionDuplicates(accounts);
    expect(conflicts.map((c) => [c.line, c.code])).toEqual([
      [11, 'DUPLICATE_EXTERNAL_ID'],
      [12, 'DUPLICATE_EXTERNAL_ID'],
    ]);
    expect(unique.map((a) => a.externalId)).toEqual(['us-east-CUST-15']);
  });
});
