import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkMergedMetadata, mergeMetadata, validateMetadataKeyName } from '../../../src/domain/metadata.js';
import { RowErrorCode } from '../../../src/domain/row-error-codes.js';

const owned = ['invoice_email', 'billing_plan', 'billing_currency', 'tax_id'];

describe('validateMetadataKeyName', () => {
  it('accepts 3 to 25 characters', () => {
    expect(validateMetadataKeyName('abc')).toBeNull();
    expect(validateMetadataKeyName('k'.repeat(25))).toBeNull();
    expect(validateMetadataKeyName('billing_plan')).toBeNull();
  });

  it('refuses keys that are too short or too long, naming the limits', () => {
    expect(validateMetadataKeyName('ab')).toMatch(
      /"ab" is 2 characters long; Scalekit accepts keys of 3–25 characters/,
    );
    expect(validateMetadataKeyName('k'.repeat(26))).toMatch(/26 characters long/);
  });

  it('refuses control characters and surrounding spaces', () => {
    expect(validateMetadataKeyName('bad\tkey')).toMatch(/control character/);
    expect(validateMetadataKeyName(' plan ')).toMatch(/starts or ends with a space/);
  });
});

describe('mergeMetadata', () => {
  it('sets owned keys, removes owned keys whose desired value is null, keeps every other key', () => {
    const merged = mergeMetadata(
      { crm_id: 'x1', billing_plan: 'basic', tax_id: 'DE123' },
      { invoice_email: 'b@acme.example', billing_plan: 'pro', billing_currency: null, tax_id: null },
      owned,
    );
    expect(merged).toEqual({ crm_id: 'x1', billing_plan: 'pro', invoice_email: 'b@acme.example' });
    expect(Object.keys(merged)).toEqual(['crm_id', 'billing_plan', 'invoice_email']);
  });

  it('ignores desired keys orgsync does not own, and leaves owned keys missing from desired alone', () => {
    expect(mergeMetadata({ crm_id: 'x1', tax_id: 'T' }, { crm_id: 'hijack', billing_plan: 'pro' }, owned)).toEqual({
      crm_id: 'x1',
      tax_id: 'T',
      billing_plan: 'pro',
    });
  });

  it('keeps a foreign key named __proto__ as an ordinary key', () => {
    const current: Record<string, string> = JSON.parse('{"__proto__": "kept", "tax_id": "T"}');
    const merged = mergeMetadata(current, { tax_id: null }, owned);
    expect(Object.keys(merged)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
  });

  const keyArb = fc.oneof(fc.constantFrom(...owned), fc.string({ minLength: 3, maxLength: 8 }));
  const currentArb = fc.dictionary(keyArb, fc.string({ minLength: 1, maxLength: 5 }), { maxKeys: 12 });
  const desiredArb = fc.dictionary(keyArb, fc.option(fc.string({ minLength: 1, maxLength: 5 })), { maxKeys: 8 });

  it('never changes, adds or removes a key it does not own (property)', () => {
    fc.assert(
      fc.property(currentArb, desiredArb, (current, desired) => {
        const merged = mergeMetadata(current, desired, owned);
        for (const key of new Set([...Object.keys(current), ...Object.keys(merged)])) {
          if (owned.includes(key)) continue;
          expect(merged[key]).toBe(current[key]);
        }
      }),
    );
  });

  it('gives every owned key its desired value (property)', () => {
    fc.assert(
      fc.property(currentArb, desiredArb, (current, desired) => {
        const merged = mergeMetadata(current, desired, owned);
        for (const key of owned) {
          if (!Object.hasOwn(desired, key)) expect(merged[key]).toBe(current[key]);
          else if (desired[key] === null) expect(Object.hasOwn(merged, key)).toBe(false);
          else expect(merged[key]).toBe(desired[key]);
        }
      }),
    );
  });

  it('is idempotent: merging the result again changes nothing (property)', () => {
    fc.assert(
      fc.property(currentArb, desiredArb, (current, desired) => {
        const once = mergeMetadata(current, desired, owned);
        const twice = mergeMetadata(once, desired, owned);
        expect(twice).toEqual(once);
        expect(Object.keys(twice)).toEqual(Object.keys(once));
      }),
    );
  });
});

describe('checkMergedMetadata', () => {
  const map = (n: number, prefix: string) =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}_${i}`, 'v']));

  it('accepts up to 10 pairs', () => {
    expect(checkMergedMetadata({ ...map(6, 'crm'), ...map(4, 'own') }, owned)).toBeNull();
  });

  it('refuses 11 pairs, naming how many foreign keys the organization already has', () => {
    const merged = { ...map(9, 'crm'), invoice_email: 'a@b.example', billing_plan: 'pro' };
    const problem = checkMergedMetadata(merged, owned);
    expect(problem).toMatchObject({ code: RowErrorCode.METADATA_TOO_MANY_PAIRS, field: 'metadata' });
    expect(problem?.message).toMatch(/would have 11 metadata pairs; Scalekit allows at most 10/);
    expect(problem?.message).toMatch(
      /already has 9 key\(s\) that orgsync does not own \(crm_0, .*crm_8\) and orgsync would set 2/,
    );
  });
});
