import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAccount } from '../../../src/domain/account.js';
import { normalizeDisplayName } from '../../../src/domain/display-name.js';
import { columnKey } from '../../../src/domain/account-record.js';
import {
  accountIdsOf,
  externalIdOf,
  isManagedExternalId,
  isValidExternalId,
  normalizeRegion,
  splitExternalId,
} from '../../../src/domain/external-id.js';
import type { DomainRules } from '../../../src/domain/types.js';

const rules: DomainRules = { regions: ['us-east', 'eu-west'], metadataKeys: ['invoice_email', 'billing_plan'] };

describe('externalIdOf / isValidExternalId', () => {
  it('joins region and account ID with a dash', () => {
    expect(externalIdOf('us-east', 'CUST-12345')).toBe('us-east-CUST-12345');
  });

  it('accepts 1 to 255 characters without control characters', () => {
    expect(isValidExternalId('a')).toBe(true);
    expect(isValidExternalId('x'.repeat(255))).toBe(true);
    expect(isValidExternalId('é'.repeat(255))).toBe(true);
    expect(isValidExternalId('😀'.repeat(255))).toBe(true);
  });

  it('refuses empty, too long, or control characters', () => {
    expect(isValidExternalId('')).toBe(false);
    expect(isValidExternalId('x'.repeat(256))).toBe(false);
    expect(isValidExternalId('us-east-A\tB')).toBe(false);
    expect(isValidExternalId('us-east-A\u0085B')).toBe(false);
    expect(isValidExternalId('us-east-A\u2028B')).toBe(false);
  });
});

describe('the parts of an external ID', () => {
  it('splits a managed external ID into region and account, the longest region first', () => {
    expect(splitExternalId('us-east-CUST-1', ['us', 'us-east'])).toEqual({ region: 'us-east', accountId: 'CUST-1' });
    expect(splitExternalId('us-east-CUST-1', ['us-east', 'us'])).toEqual({ region: 'us-east', accountId: 'CUST-1' });
    expect(splitExternalId('eu-west-A', ['us-east'])).toBeNull();
    expect(splitExternalId('us-east-', ['us-east'])).toBeNull();
  });

  it('gives back the parts it was built from, whatever the account ID holds', () => {
    fc.assert(
      fc.property(fc.constantFrom('us', 'us-east', 'eu-west'), fc.string({ minLength: 1 }), (region, accountId) => {
        const split = splitExternalId(externalIdOf(region, accountId), [region]);
        expect(split).toEqual({ region, accountId });
      }),
      { numRuns: 500 },
    );
  });

  it('tells a managed external ID: a configured region prefix and something after it', () => {
    expect(isManagedExternalId('us-east-CUST-1', ['eu-west', 'us-east'])).toBe(true);
    expect(isManagedExternalId('us-east-', ['us-east'])).toBe(false);
    expect(isManagedExternalId('us-eastCUST-1', ['us-east'])).toBe(false);
    expect(isManagedExternalId('ap-south-1', ['us-east'])).toBe(false);
    expect(isManagedExternalId(null, ['us-east'])).toBe(false);
    expect(isManagedExternalId('', ['us-east'])).toBe(false);
  });

  it('lists every account ID an external ID could stand for, in the order of the regions', () => {
    expect(accountIdsOf('us-east-CUST-2', ['us', 'us-east', 'eu-west'])).toEqual(['east-CUST-2', 'CUST-2']);
    expect(accountIdsOf('eu-west-X', ['us-east'])).toEqual([]);
  });

  it('normalises regions and column names by trimming and lower-casing them', () => {
    expect(normalizeRegion(' US-East\t')).toBe('us-east');
    expect(columnKey(' Display_Name ')).toBe('display_name');
  });
});

describe('normalizeDisplayName', () => {
  it('trims only: case and inner spaces still count', () => {
    expect(normalizeDisplayName('  Acme  Inc\t')).toBe('Acme  Inc');
    expect(normalizeDisplayName('acme')).not.toBe(normalizeDisplayName('Acme'));
  });
});

describe('parseAccount properties', () => {
  const cellArb = fc.oneof(
    fc.constant(null),
    fc.string({ maxLength: 300, unit: 'binary' }),
    fc.constantFrom('us-east', ' EU-West ', 'billing@acme.example', '', '  '),
  );
  const recordArb = fc.record({
    line: fc.integer({ min: 2, max: 1_000_000 }),
    values: fc.record({
      account_id: cellArb,
      region: cellArb,
      display_name: cellArb,
      invoice_email: cellArb,
      billing_plan: cellArb,
    }),
  });

  it('never throws, and any account that parses has a valid external ID built from its parts', () => {
    fc.assert(
      fc.property(recordArb, (record) => {
        const result = parseAccount(record, rules);
        if (!result.ok) {
          expect(result.problem.line).toBe(record.line);
          expect(result.problem.message.length).toBeGreaterThan(0);
          return;
        }
        const { account } = result;
        expect(isValidExternalId(account.externalId)).toBe(true);
        expect(account.externalId).toBe(externalIdOf(account.region, account.accountId));
        expect(rules.regions).toContain(account.region);
        expect(account.displayName).toBe(account.displayName.trim());
        expect(account.displayName.length).toBeGreaterThan(0);
        expect(Object.keys(account.metadata)).toEqual(rules.metadataKeys);
      }),
      { numRuns: 2000 },
    );
  });
});
