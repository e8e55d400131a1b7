import { describe, expect, it } from 'vitest';
import { isValidEmailAddress } from '../../../src/domain/email-address.js';

describe('isValidEmailAddress', () => {
  it.each([
    'billing@acme.example',
    'first.last+invoices@sub.acme.co.uk',
    "o'brien@example.com",
    'x@a-b.io',
    'rené@société.fr',
    '1234@example.com',
  ])('accepts %s', (address) => {
    expect(isValidEmailAddress(address)).toBe(true);
  });

  it.each([
    ['no @', 'billing.acme.example'],
    ['two @', 'a@b@example.com'],
    ['empty local part', '@example.com'],
    ['empty domain', 'billing@'],
    ['single-label domain', 'billing@localhost'],
    ['one-letter TLD', 'billing@example.c'],
    ['numeric TLD (an IP address)', 'billing@10.0.0.1'],
    ['a space', 'bill ing@example.com'],
    ['two addresses', 'a@example.com, b@example.com'],
    ['a leading dot', '.a@example.com'],
    ['a trailing dot in the local part', 'a.@example.com'],
    ['two dots in a row', 'a..b@example.com'],
    ['a trailing dot in the domain', 'a@example.com.'],
    ['a label starting with -', 'a@-example.com'],
    ['a display-name form', 'Billing <billing@example.com>'],
    ['a control character', 'a\u0000b@example.com'],
    ['a local part over 64 characters', `${'a'.repeat(65)}@example.com`],
    [
      'over 254 characters',
      `a@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(10)}.com`,
    ],
  ])('refuses %s', (_why, address) => {
    expect(isValidEmailAddress(address)).toBe(false);
  });
});
