import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { createColumnRenamer } from '../../../src/sources/column-map.js';

describe('createColumnRenamer', () => {
  const renamer = createColumnRenamer([
    { field: 'display_name', column: 'company_name' },
    { field: 'invoice_email', column: 'billing_email' },
  ]);

  it("gives a mapped column its field's name and leaves other columns as they are", () => {
    expect(renamer.nameOf('company_name')).toBe('display_name');
    expect(renamer.nameOf('billing_email')).toBe('invoice_email');
    expect(renamer.nameOf('account_id')).toBe('account_id');
    expect(renamer.nameOf('notes')).toBe('notes');
    expect(renamer.columnOf('display_name')).toBe('company_name');
    expect(renamer.columnOf('account_id')).toBe('account_id');
  });

  it('does not read a column named like a field that is read from another column, and says so in its name', () => {
    expect(renamer.nameOf('display_name')).toBe('display_name (not read: --map display_name=company_name)');
    const record = renamer.rename({ line: 2, values: { display_name: 'Old', company_name: 'New', account_id: 'A' } });
    expect(record).toEqual({
      line: 2,
      values: {
        'display_name (not read: --map display_name=company_name)': 'Old',
        display_name: 'New',
        account_id: 'A',
      },
    });
  });

  it('names each mapping whose column the source lacks, and the columns it has', () => {
    try {
      renamer.assertColumns(['account_id', 'region', 'company_name'], "accounts.csv's header");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(
        `invoice_email=billing_email: accounts.csv's header has no column "billing_email" to read invoice_email from`,
      );
      expect(problems[0]).toContain('its columns are "account_id", "region", "company_name"');
    }
    expect(() => renamer.assertColumns(['company_name', 'billing_email'], 'x')).not.toThrow();
  });

  it('without a mapping is the identity', () => {
    const identity = createColumnRenamer();
    const record = { line: 1, values: { a: '1' } };
    expect(identity.identity).toBe(true);
    expect(identity.rename(record)).toBe(record);
    expect(() => identity.assertColumns([], 'x')).not.toThrow();
  });
});
