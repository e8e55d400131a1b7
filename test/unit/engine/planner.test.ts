import { describe, expect, it } from 'vitest';
import type { Account } from '../../../src/domain/types.js';
import { createPlanner, type ParsedRecord } from '../../../src/engine/planner.js';
import { createEmptySnapshot, type OrgState, type Snapshot } from '../../../src/engine/snapshot.js';
import { account, orgFor, OWNED_KEYS, REGIONS } from '../../helpers/accounts.js';

function snapshotOf(orgs: OrgState[]): Snapshot {
  const snapshot = createEmptySnapshot('list', orgs.length);
  for (const org of orgs) {
    if (org.external_id) snapshot.byExternalId.set(org.external_id, org);
    else snapshot.unlinked.push(org);
  }
  return snapshot;
}

function plan(accounts: (Account | ParsedRecord)[], orgs: OrgState[], scope: 'partial' | 'full' = 'partial') {
  const planner = createPlanner({ scope, regions: REGIONS, metadataKeys: OWNED_KEYS, snapshot: snapshotOf(orgs) });
  for (const a of accounts) planner.add('ok' in a ? a : { ok: true, account: a });
  const result = planner.finish();
  return { ...result, items: [...result.items] };
}

describe('createPlanner', () => {
  it('plans a create with every field it will set', () => {
    const a = account('C-1', { metadata: { invoice_email: null, billing_plan: 'pro' } });
    const result = plan([a], []);
    expect(result.items).toEqual([
      expect.objectContaining({
        action: 'create',
        externalId: 'us-east-C-1',
        accountId: 'C-1',
        line: 2,
        orgId: null,
        changes: [
          { field: 'display_name', from: null, to: 'Company C-1' },
          { field: 'external_id', from: null, to: 'us-east-C-1' },
          { field: 'metadata.billing_plan', from: null, to: 'pro' },
        ],
      }),
    ]);
  });

  it('counts an account that matches its organization as unchanged and lists nothing', () => {
    const a = account('C-1');
    const result = plan([a], [orgFor(a, 'org_1', { crm_owner: 'x' })]);
    expect(result.items).toEqual([]);
    expect(result.unchanged).toBe(1);
    expect(result.accounts).toBe(1);
  });

  it('diffs field by field and never touches a key orgsync does not own', () => {
    const a = account('C-1', { displayName: 'New Name', metadata: { billing_plan: 'pro', tax_id: null } });
    const org = {
      id: 'org_1',
      display_name: 'Old Name',
      external_id: 'us-east-C-1',
      metadata: { billing_plan: 'free', tax_id: 'T1', crm_owner: 'x' },
    };
    const [item] = plan([a], [org]).items;
    expect(item?.action).toBe('update');
    expect(item?.changes).toEqual([
      { field: 'display_name', from: 'Old Name', to: 'New Name' },
      { field: 'metadata.billing_plan', from: 'free', to: 'pro' },
      { field: 'metadata.tax_id', from: 'T1', to: null },
    ]);
  });

  it('reports both rows of a duplicated external ID as conflicts and plans neither', () => {
    const first = account('C-1', { line: 2 });
    const second = account('C-1', { line: 7, displayName: 'Other' });
    const result = plan([first, account('C-2', { line: 3 }), second], [orgFor(first, 'org_1')]);
    const conflicts = result.items.filter((i) => i.action === 'conflict');
    expect(conflicts.map((c) => c.line)).toEqual([2, 7]);
    expect(conflicts[0]?.error?.code).toBe('DUPLICATE_EXTERNAL_ID');
    expect(conflicts[0]?.error?.message).toMatch(
      /^external ID us-east-C-1 appears on lines 2 and 7; none of these rows is applied/,
    );
    expect(result.items.filter((i) => i.externalId === 'us-east-C-1' && i.action !== 'conflict')).toEqual([]);
    expect(result.unchanged).toBe(0);
    expect(result.items.map((i) => i.action)).toEqual(['conflict', 'create', 'conflict']);
  });

  it('finds orphans only in full scope, only under managed region prefixes, never for rejected rows', () => {
    const orgs: OrgState[] = [
      { id: 'org_1', display_name: 'Gone', external_id: 'us-east-GONE', metadata: {} },
      { id: 'org_2', display_name: 'Foreign', external_id: 'sandbox-1', metadata: {} },
      { id: 'org_3', display_name: 'Typo row', external_id: 'us-east-TYPO', metadata: {} },
    ];
    const rejected: ParsedRecord = {
      ok: false,
      problem: {
        line: 5,
        action: 'invalid',
        code: 'DISPLAY_NAME_MISSING',
        message: 'x',
        accountId: 'TYPO',
        externalId: 'us-east-TYPO',
      },
    };
    expect(plan([rejected], orgs, 'partial').items.map((i) => i.action)).toEqual(['invalid']);
    const full = plan([rejected], orgs, 'full').items;
    expect(full.map((i) => [i.action, i.externalId])).toEqual([
      ['invalid', 'us-east-TYPO'],
      ['orphan', 'us-east-GONE'],
    ]);
  });

  it('marks an unlinked organization with the same trimmed name as adoptable instead of creating a twin', () => {
    const a = account('C-9', { displayName: 'Northwind' });
    const unlinked: OrgState = { id: 'org_9', display_name: ' Northwind ', external_id: null, metadata: { crm: 'x' } };
    const [item] = plan([a], [unlinked]).items;
    expect(item).toMatchObject({ action: 'adoptable', orgId: 'org_9' });
    expect(item?.changes[0]).toEqual({ field: 'external_id', from: null, to: 'us-east-C-9' });
    expect(item?.changes).toContainEqual({ field: 'display_name', from: ' Northwind ', to: 'Northwind' });
  });

  it('does not adopt when the name is ambiguous', () => {
    const a = account('C-9', { displayName: 'Northwind' });
    const twins: OrgState[] = [
      { id: 'org_8', display_name: 'Northwind', external_id: null, metadata: {} },
      { id: 'org_9', display_name: 'Northwind', external_id: null, metadata: {} },
    ];
    expect(plan([a], twins).items.map((i) => i.action)).toEqual(['create']);
  });

  it('rejects an update that would exceed 10 metadata pairs after the merge', () => {
    const a = account('C-1', { metadata: { billing_plan: 'pro', tax_id: 'T' } });
    const foreign = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`foreign_${i}`, 'v']));
    const [item] = plan(
      [a],
      [{ id: 'org_1', display_name: a.displayName, external_id: a.externalId, metadata: foreign }],
    ).items;
    expect(item).toMatchObject({ action: 'invalid', error: { code: 'METADATA_TOO_MANY_PAIRS' } });
    expect(item?.error?.message).toContain('9 key(s) that orgsync does not own');
  });

  it('leaves an owned key the account does not carry alone: no change planned, the create omits it', () => {
    const a = account('C-1', { metadata: { billing_plan: 'pro' } });
    const org = {
      id: 'org_1',
      display_name: a.displayName,
      external_id: a.externalId,
      metadata: { billing_plan: 'pro', tax_id: 'T1', invoice_email: 'x@y.example' },
    };
    const result = plan([a, account('C-2', { line: 3, metadata: { tax_id: null } })], [org]);
    expect(result.unchanged).toBe(1);
    const [create] = result.items;
    expect(create?.changes.map((c) => c.field)).toEqual(['display_name', 'external_id']);
    expect(create?.desired?.metadata).toEqual({ tax_id: null });
  });

  it('reports 20,000 rows of one external ID as conflicts sharing one bounded message', () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => account('SAME-X', { line: i + 2, displayName: `N${i}` }));
    const result = plan(rows, [orgFor(account('SAME-X'), 'org_1')]);
    expect(result.items).toHaveLength(20_000);
    expect(result.unchanged).toBe(0);
    expect(result.items.every((i) => i.action === 'conflict')).toBe(true);
    expect(result.items.map((i) => i.line)).toEqual(rows.map((r) => r.line));
    const message = result.items[0]?.error?.message ?? '';
    expect(message).toBe(
      'external ID us-east-SAME-X appears on lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 19990 more; none of these rows is applied. ' +
        'Keep exactly one row per account: delete the extra rows or correct their account_id or region',
    );
    expect(new Set(result.items.map((i) => i.error)).size).toBe(1); // one shared error object, not 20,000 strings
  });

  it('reports account IDs that collide only under NFKC (fullwidth Ａ1 and A1) as conflicts naming both lines', () => {
    const ascii = account('A1', { line: 2 });
    const fullwidth = account('\uff211', { line: 5 });
    const result = plan([ascii, account('B', { line: 3 }), fullwidth], []);
    const conflicts = result.items.filter((i) => i.action === 'conflict');
    expect(conflicts.map((c) => [c.line, c.externalId, c.accountId])).toEqual([
      [2, 'us-east-A1', 'A1'],
      [5, 'us-east-\uff211', '\uff211'],
    ]);
    expect(conflicts[0]?.error).toMatchObject({ code: 'EXTERNAL_ID_LOOKALIKE' });
    expect(conflicts[0]?.error?.message).toMatch(/"us-east-A1", "us-east-\uff211" on lines 2 and 5 differ only/);
    expect(result.items.map((i) => i.action)).toEqual(['conflict', 'create', 'conflict']);
  });

  it('never creates a look-alike twin of an organization whose external ID differs only in Unicode form', () => {
    const decomposed: OrgState = {
      id: 'org_7',
      display_name: 'Cafe',
      external_id: 'us-east-CAFE\u0301-1',
      metadata: {},
    };
    const a = account('CAF\u00c9-1', { displayName: 'Cafe' });
    const result = plan([a], [decomposed], 'full');
    expect(result.items).toHaveLength(1); // a conflict, and the decomposed organization is no orphan
    expect(result.items[0]).toMatchObject({
      action: 'conflict',
      orgId: 'org_7',
      error: { code: 'EXTERNAL_ID_LOOKALIKE' },
    });
    expect(result.items[0]?.error?.message).toContain('of organization org_7 differ only in Unicode forms');
  });
});
