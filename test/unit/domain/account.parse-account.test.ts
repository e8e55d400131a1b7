import { describe, expect, it } from 'vitest';
import { parseAccount } from '../../../src/domain/account.js';
import { RowErrorCode } from '../../../src/domain/row-error-codes.js';
import type { DomainRules } from '../../../src/domain/types.js';
import type { SourceRecord } from '../../../src/domain/account-record.js';

const rules: DomainRules = {
  regions: ['us-east', 'us-west', 'eu-west'],
  metadataKeys: ['invoice_email', 'billing_plan', 'billing_currency', 'tax_id'],
};

function record(values: Record<string, string | null>, line = 7): SourceRecord {
  return { line, values: { account_id: 'CUST-1', region: 'us-east', display_name: 'Acme', ...values } };
}

function problemOf(values: Record<string, string | null>, r: DomainRules = rules) {
  const result = parseAccount(record(values), r);
  if (result.ok) throw new Error('expected the row to be invalid');
  return result.problem;
}

describe('parseAccount: valid rows', () => {
  it('builds the account with external ID `<region>-<account_id>` and every owned key the record carries', () => {
    const result = parseAccount(
      record({ invoice_email: 'billing@acme.example', billing_plan: 'pro', billing_currency: null, tax_id: '' }),
      rules,
    );
    expect(result).toEqual({
      ok: true,
      account: {
        line: 7,
        accountId: 'CUST-1',
        region: 'us-east',
        externalId: 'us-east-CUST-1',
        displayName: 'Acme',
        metadata: { invoice_email: 'billing@acme.example', billing_plan: 'pro', billing_currency: null, tax_id: null },
      },
    });
  });

  it('lower-cases and trims the region, trims the account ID but keeps its case', () => {
    const result = parseAccount(record({ account_id: '  Cust-A1 ', region: ' US-East\t' }), rules);
    expect(result.ok && result.account.externalId).toBe('us-east-Cust-A1');
  });

  it('trims the display name and metadata values; empty or whitespace cells mean "absent"', () => {
    const result = parseAccount(
      record({
        display_name: '  Acme  ',
        billing_plan: '  pro ',
        tax_id: '   ',
        billing_currency: '',
        invoice_email: null,
      }),
      rules,
    );
    expect(result.ok && result.account.displayName).toBe('Acme');
    expect(result.ok && result.account.metadata).toEqual({
      invoice_email: null,
      billing_plan: 'pro',
      billing_currency: null,
      tax_id: null,
    });
  });

  it('uses the fixed region for rows without one; the column then need not exist', () => {
    const fixed = { ...rules, fixedRegion: 'eu-west' };
    const result = parseAccount({ line: 2, values: { account_id: 'C1', display_name: 'A' } }, fixed);
    expect(result.ok && result.account.externalId).toBe('eu-west-C1');
    const empty = parseAccount(record({ region: '  ' }), fixed);
    expect(empty.ok && empty.account.externalId).toBe('eu-west-CUST-1');
    const same = parseAccount(record({ region: ' EU-West ' }), fixed);
    expect(same.ok && same.account.externalId).toBe('eu-west-CUST-1');
  });

  it('never lets the fixed region override a region column that says otherwise (REGION_MISMATCH)', () => {
    const problem = problemOf({ region: 'us-west' }, { ...rules, fixedRegion: 'us-east' });
    expect(problem).toMatchObject({ code: RowErrorCode.REGION_MISMATCH, field: 'region', accountId: 'CUST-1' });
    expect(problem.externalId).toBeUndefined();
    expect(problem.message).toMatch(/region "us-west" disagrees with --region "us-east"/);
  });

  it('leaves an owned key the record does not carry out of metadata (not managed); null or "" means remove', () => {
    const result = parseAccount(
      {
        line: 3,
        values: { account_id: 'C1', region: 'us-east', display_name: 'A', billing_plan: 'pro', tax_id: null },
      },
      rules,
    );
    expect(result.ok && result.account.metadata).toEqual({ billing_plan: 'pro', tax_id: null });
    expect(result.ok && Object.hasOwn(result.account.metadata, 'invoice_email')).toBe(false);
  });

  it('normalises the account ID to NFC, so a decomposed accent makes the same external ID', () => {
    const composed = parseAccount(record({ account_id: 'CAF\u00c9-1' }), rules);
    const decomposed = parseAccount(record({ account_id: 'CAFE\u0301-1' }), rules);
    expect(composed.ok && composed.account.externalId).toBe('us-east-CAF\u00c9-1');
    expect(decomposed.ok && decomposed.account.externalId).toBe('us-east-CAF\u00c9-1');
    expect(decomposed.ok && decomposed.account.accountId).toBe('CAF\u00c9-1');
  });

  it('accepts limits exactly: a 200-character name, a 256-character value, a 255-character external ID', () => {
    const accountId = 'x'.repeat(255 - 'us-east-'.length);
    const result = parseAccount(
      record({ account_id: accountId, display_name: 'n'.repeat(200), tax_id: 't'.repeat(256) }),
      rules,
    );
    expect(result.ok).toBe(true);
  });

  it('counts characters, not UTF-16 units: 200 emoji are a valid display name', () => {
    expect(parseAccount(record({ display_name: '😀'.repeat(200) }), rules).ok).toBe(true);
    expect(problemOf({ display_name: '😀'.repeat(201) }).code).toBe(RowErrorCode.DISPLAY_NAME_TOO_LONG);
  });

  it('reads configured metadata keys case-insensitively from the lower-cased columns', () => {
    const result = parseAccount(record({ billing_plan: 'pro' }), { ...rules, metadataKeys: ['Billing_Plan'] });
    expect(result.ok && result.account.metadata).toEqual({ Billing_Plan: 'pro' });
  });

  it('does not read inherited properties as cells (a column named like an Object method)', () => {
    const result = parseAccount(record({ tostring: '' }), { ...rules, metadataKeys: ['constructor', 'toString'] });
    expect(result.ok && result.account.metadata).toEqual({ toString: null });
  });
});

describe('parseAccount: one code per rule', () => {
  it.each([
    ['ACCOUNT_ID_MISSING', { account_id: '  ' }, 'account_id', /account_id is empty/],
    ['ACCOUNT_ID_MISSING', { account_id: null }, 'account_id', /account_id is empty/],
    [
      'ACCOUNT_ID_INVALID',
      { account_id: 'CUST\u00001' },
      'account_id',
      /"CUST\\u00001" contains a control character .* at character 5/,
    ],
    ['ACCOUNT_ID_INVALID', { account_id: 'CU\nST' }, 'account_id', /control character/],
    [
      'REGION_MISSING',
      { region: '' },
      'region',
      /region is empty: set it to one of us-east, us-west, eu-west, or run with --region/,
    ],
    [
      'REGION_UNKNOWN',
      { region: 'Mars-North' },
      'region',
      /region "mars-north" is not a configured region: use one of us-east, us-west, eu-west, or add it to ORGSYNC_REGIONS/,
    ],
    [
      'EXTERNAL_ID_TOO_LONG',
      { account_id: 'x'.repeat(248) },
      'account_id',
      /would be 256 characters long, but Scalekit allows at most 255: shorten account_id to at most 247 characters/,
    ],
    ['DISPLAY_NAME_MISSING', { display_name: ' \t ' }, 'display_name', /display_name is empty/],
    [
      'DISPLAY_NAME_INVALID',
      { display_name: 'Acme\u001b[2J' },
      'display_name',
      /display_name "Acme\\u001b\[2J" contains a control character \(U\+001B: .*\) at character 5: remove it/,
    ],
    ['DISPLAY_NAME_INVALID', { display_name: 'A\u0000B' }, 'display_name', /U\+0000.* at character 2/],
    ['DISPLAY_NAME_INVALID', { display_name: 'A\u0007B' }, 'display_name', /U\+0007/],
    ['DISPLAY_NAME_INVALID', { display_name: 'Smith\tJohn' }, 'display_name', /U\+0009/],
    ['DISPLAY_NAME_INVALID', { display_name: 'Acme\r\nInc' }, 'display_name', /U\+000D.* at character 5/],
    ['DISPLAY_NAME_INVALID', { display_name: 'A\u009bB' }, 'display_name', /"A\\u009bB".*U\+009B/],
    ['DISPLAY_NAME_INVALID', { display_name: 'A\u007fB' }, 'display_name', /U\+007F/],
    ['DISPLAY_NAME_INVISIBLE', { display_name: '\u200b\u200b' }, 'display_name', /no visible character/],
    ['DISPLAY_NAME_INVISIBLE', { display_name: '\u200e\u202e' }, 'display_name', /no visible character/],
    ['DISPLAY_NAME_INVISIBLE', { display_name: '\u0301' }, 'display_name', /"\\u0301"|"\u0301"/],
    [
      'METADATA_VALUE_INVALID',
      { billing_plan: 'pro\u001b]0;owned\u0007' },
      'billing_plan',
      /billing_plan ".*" contains a control character \(U\+001B: .*\) at character 4: remove it/,
    ],
    ['METADATA_VALUE_INVALID', { tax_id: 'T\n1' }, 'tax_id', /tax_id "T\\n1" .*U\+000A.* at character 2/],
    ['METADATA_VALUE_INVALID', { invoice_email: 'a@b.example\u0000x' }, 'invoice_email', /^invoice_email contains/],
    [
      'DISPLAY_NAME_TOO_LONG',
      { display_name: 'n'.repeat(201) },
      'display_name',
      /is 201 characters long, but Scalekit allows at most 200/,
    ],
    [
      'INVOICE_EMAIL_INVALID',
      { invoice_email: 'billing at acme' },
      'invoice_email',
      /invoice_email is not a valid e-mail address/,
    ],
    [
      'METADATA_VALUE_TOO_LONG',
      { billing_plan: 'p'.repeat(257) },
      'billing_plan',
      /billing_plan "p{40}…" is 257 characters long, .* at most 256/,
    ],
  ])('%s for %j', (code, values, field, message) => {
    const problem = problemOf(values);
    expect(problem).toMatchObject({ line: 7, action: 'invalid', code, field });
    expect(problem.message).toMatch(message);
  });

  it('accepts names with a visible character beside invisible ones, and accented names', () => {
    expect(parseAccount(record({ display_name: '\u200bAcme' }), rules).ok).toBe(true);
    expect(parseAccount(record({ display_name: 'Cafe\u0301' }), rules).ok).toBe(true);
    expect(parseAccount(record({ display_name: '株式会社' }), rules).ok).toBe(true);
    expect(parseAccount(record({ display_name: '🚀' }), rules).ok).toBe(true);
  });

  it('shows C1 controls, DEL and bidi overrides escaped in messages, never raw', () => {
    const problem = problemOf({ display_name: '\u202eevil\u009b\u007f' });
    expect(problem.message).not.toMatch(/[\u0080-\u009f\u007f\u202e]/);
    expect(problem.message).toContain('\\u202e');
  });

  it('truncates quoted values to 40 characters', () => {
    const problem = problemOf({ display_name: 'abcdefghij'.repeat(30) });
    expect(problem.message).toContain(`"${'abcdefghij'.repeat(4)}…"`);
  });

  it('never echoes an e-mail address, not even a too-long one', () => {
    const bad = 'someone.private@@example.com';
    expect(problemOf({ invoice_email: bad }).message).not.toContain('someone');
    const long = `${'a'.repeat(250)}@example.com`;
    const problem = problemOf({ invoice_email: long });
    expect(problem.code).toBe(RowErrorCode.METADATA_VALUE_TOO_LONG);
    expect(problem.message).not.toContain('aaaa');
  });

  it('carries the account ID and external ID when they are known', () => {
    expect(problemOf({ display_name: '' })).toMatchObject({ accountId: 'CUST-1', externalId: 'us-east-CUST-1' });
    expect(problemOf({ region: 'mars' })).toMatchObject({ accountId: 'CUST-1', externalId: undefined });
    expect(problemOf({ account_id: 'x'.repeat(300) }).externalId).toBeUndefined();
  });
});

describe('parseAccount: several problems in one row', () => {
  it('reports the first in column order as the code and every one in the message, joined by "; "', () => {
    const problem = problemOf({
      account_id: '',
      region: 'mars',
      display_name: '',
      invoice_email: 'nope',
      tax_id: 't'.repeat(300),
    });
    expect(problem.code).toBe(RowErrorCode.ACCOUNT_ID_MISSING);
    expect(problem.field).toBe('account_id');
    const parts = problem.message.split('; ');
    expect(parts.map((p) => p.split(' ')[0])).toEqual([
      'account_id',
      'region',
      'display_name',
      'invoice_email',
      'tax_id',
    ]);
  });

  it('puts the external ID check after region and before display_name', () => {
    const problem = problemOf({ account_id: 'x'.repeat(300), display_name: '' });
    expect(problem.code).toBe(RowErrorCode.EXTERNAL_ID_TOO_LONG);
    expect(problem.message).toMatch(/; display_name is empty/);
  });
});
