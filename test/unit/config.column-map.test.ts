import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { configProblemsOf } from '../helpers/config-problems.js';

describe('ORGSYNC_COLUMN_MAP / --map', () => {
  it('parses FIELD=COLUMN pairs, matched like headers (trimmed, ignoring case)', () => {
    const config = loadConfig({
      env: { ORGSYNC_COLUMN_MAP: ' Display_Name = Company Name , invoice_email=billing_email,' },
    });
    expect(config.columnMap).toEqual([
      { field: 'display_name', column: 'company name' },
      { field: 'invoice_email', column: 'billing_email' },
    ]);
    expect(loadConfig({ env: {} }).columnMap).toBeUndefined();
  });

  it('takes --map over the environment', () => {
    const config = loadConfig({
      env: { ORGSYNC_COLUMN_MAP: 'display_name=a' },
      flags: { columnMap: 'display_name=b' },
    });
    expect(config.columnMap).toEqual([{ field: 'display_name', column: 'b' }]);
  });

  it('accepts the owned metadata keys as configured, and refuses any other field, naming field and column', () => {
    expect(
      loadConfig({ env: { ORGSYNC_METADATA_KEYS: 'crm_tier', ORGSYNC_COLUMN_MAP: 'crm_tier=tier' } }).columnMap,
    ).toEqual([{ field: 'crm_tier', column: 'tier' }]);
    const problems = configProblemsOf(() =>
      loadConfig({ env: { ORGSYNC_COLUMN_MAP: 'display_name=company,company_size=employees' } }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^ORGSYNC_COLUMN_MAP: company_size=employees: "company_size" is not one of orgsync's fields/,
    );
    expect(problems[0]).toContain('the column "employees"');
    expect(problems[0]).toContain('account_id, region, display_name');
    expect(problems[0]).toContain('invoice_email, billing_plan, billing_currency, tax_id');
    const fromFlag = configProblemsOf(() => loadConfig({ env: {}, flags: { columnMap: 'updated_at=modified' } }));
    expect(fromFlag[0]).toMatch(/^--map: updated_at=modified: "updated_at" is not one of orgsync's fields/);
  });

  it('refuses a field mapped twice, two fields on one column, and pairs that are not FIELD=COLUMN', () => {
    expect(
      configProblemsOf(() => loadConfig({ env: { ORGSYNC_COLUMN_MAP: 'display_name=a,Display_Name=b' } }))[0],
    ).toMatch(/ORGSYNC_COLUMN_MAP: display_name is mapped twice \(to "a" and "b"\): give each field one source column/);
    expect(
      configProblemsOf(() => loadConfig({ env: { ORGSYNC_COLUMN_MAP: 'account_id=id,display_name=ID' } }))[0],
    ).toMatch(/account_id and display_name are both mapped to the column "id": a source column feeds one field/);
    for (const bad of ['display_name', 'display_name=', '=company', 'a=b=c'])
      expect(configProblemsOf(() => loadConfig({ env: { ORGSYNC_COLUMN_MAP: bad } }))[0]).toMatch(
        /is not FIELD=SOURCE_COLUMN; write e\.g\. display_name=company_name/,
      );
  });
});
