import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAccount } from '../../../src/domain/account.js';
import { normalizeDisplayName } from '../../../src/domain/display-name.js';
import { externalIdOf, isValidExternalId } from '../../../src/domain/external-id.js';
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
