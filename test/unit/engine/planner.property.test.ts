import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Account } from '../../../src/domain/types.js';
import { mergeOwnedMetadata } from '../../../src/engine/metadata-check.js';
import type { PlanItem } from '../../../src/engine/plan-item.js';
import { createPlanner } from '../../../src/engine/planner.js';
import { createEmptySnapshot, type OrgState } from '../../../src/engine/snapshot.js';
import { OWNED_KEYS, REGIONS } from '../../helpers/accounts.js';

const value = fc.constantFrom('a', 'b', 'pro', 'x@y.example', ' spaced ');
const metadata = fc.record(
  Object.fromEntries(OWNED_KEYS.map((k) => [k, fc.option(value, { nil: null })])) as Record<
    (typeof OWNED_KEYS)[number],
    fc.Arbitrary<string | null>
  >,
);
const accountArb = fc.record({
  accountId: fc.constantFrom('A1', 'A2', 'A3', 'B1', 'B2', 'b1'),
  region: fc.constantFrom(...REGIONS),
  displayName: fc.constantFrom('Acme', 'Globex', 'Initech', 'Acme '),
  metadata,
});
const foreign = fc.dictionary(fc.constantFrom('crm_owner', 'sso_tier', 'region_hint'), value, { maxKeys: 3 });
const orgArb = fc.record({
  accountId: fc.constantFrom('A1', 'A2', 'A3', 'B1', 'C9'),
  region: fc.constantFrom(...REGIONS, 'legacy'),
  linked: fc.boolean(),
  displayName: fc.constantFrom('Acme', 'Globex', 'Old Name'),
  owned: metadata,
  foreign,
});

type OrgSeed = typeof orgArb extends fc.Arbitrary<infer T> ? T : never;

function toAccounts(
  rows: { accountId: string; region: string; displayName: string; metadata: Record<string, string | null> }[],
): Account[] {
  return rows.map((r, i) => ({ ...r, line: i + 2, externalId: `${r.region}-${r.accountId}` }));
}

function toOrgs(seeds: OrgSeed[]): OrgState[] {
  const byId = new Map<string, OrgState>();
  seeds.forEach((s, i) => {
    const owned = Object.fromEntries(Object.entries(s.owned).filter(([, v]) => v !== null)) as Record<string, string>;
    const externalId = s.linked ? `${s.region}-${s.accountId}` : null;
    const org = {
      id: `org_${i}`,
      display_name: s.displayName,
      external_id: externalId,
      metadata: { ...s.foreign, ...owned },
    };
    byId.set(externalId ?? org.id, org);
  });
  return [...byId.values()];
}

function plan(accounts: Account[], orgs: OrgState[], scope: 'partial' | 'full') {
  const snapshot = createEmptySnapshot('list', orgs.length);
  for (const org of orgs) {
    if (org.external_id) snapshot.byExternalId.set(org.external_id, org);
    else snapshot.unlinked.push(org);
  }
  const planner = createPlanner({ scope, regions: REGIONS, metadataKeys: OWNED_KEYS, snapshot });
  for (const account of accounts) planner.add({ ok: true, account });
  const result = planner.finish();
  return { ...result, items: [...result.items] };
}

/** What Scalekit would hold after apply --adopt wrote the plan (deletes not allowed). */
function simulateApply(orgs: OrgState[], items: PlanItem[]): OrgState[] {
  const next = orgs.map((o) => ({ ...o, metadata: { ...o.metadata } }));
  for (const item of items) {
    if (item.action === 'create' && item.desired) {
      const md = mergeOwnedMetadata({}, item.desired.metadata);
      next.push({
        id: `org_new_${next.length}`,
        display_name: item.desired.displayName,
        external_id: item.externalId,
        metadata: md,
      });
    } else if ((item.action === 'update' || item.action === 'adoptable') && item.orgId) {
      const org = next.find((o) => o.id === item.orgId);
      if (!org) throw new Error('plan names an unknown organization');
      for (const change of item.changes) {
        if (change.field === 'display_name' && change.to !== null) org.display_name = change.to;
        if (change.field === 'external_id') org.external_id = change.to;
        if (change.field.startsWith('metadata.'))
          org.metadata = mergeOwnedMetadata(org.metadata, { [change.field.slice(9)]: change.to });
      }
    }
  }
  return next;
}

describe('planner properties', () => {
  it('planning again after applying a plan yields no changes', () => {
    fc.assert(
      fc.property(
        fc.array(accountArb, { maxLength: 8 }),
        fc.array(orgArb, { maxLength: 8 }),
        fc.constantFrom('partial' as const, 'full' as const),
        (rows, seeds, scope) => {
          const accounts = toAccounts(rows);
          const orgs = toOrgs(seeds);
          const first = plan(accounts, orgs, scope);
          const second = plan(accounts, simulateApply(orgs, first.items), scope);
          const work = second.items.filter(
            (i) => i.action === 'create' || i.action === 'update' || i.action === 'adoptable',
          );
          expect(work).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never plans a change to a metadata key orgsync does not own', () => {
    fc.assert(
      fc.property(fc.array(accountArb, { maxLength: 8 }), fc.array(orgArb, { maxLength: 8 }), (rows, seeds) => {
        const result = plan(toAccounts(rows), toOrgs(seeds), 'full');
        for (const item of result.items) {
          for (const change of item.changes) {
            const ok =
              change.field === 'display_name' ||
              change.field === 'external_id' ||
              OWNED_KEYS.some((k) => change.field === `metadata.${k}`);
            expect(ok, change.field).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('planner properties over raw records', () => {
  it('never plans an item with an invalid external ID, whatever the records hold', async () => {
    const { parseAccount } = await import('../../../src/domain/account.js');
    const { isValidExternalId } = await import('../../../src/domain/external-id.js');
    const rules = { regions: REGIONS, metadataKeys: [...OWNED_KEYS] };
    const cell = fc.oneof(
      fc.string(),
      fc.constantFrom('', ' ', 'us-east', 'US-West ', 'x'.repeat(300), 'a\tb', 'ok@example.com'),
      fc.constant(null),
    );
    const recordArb = fc.record({
      account_id: cell,
      region: cell,
      display_name: cell,
      invoice_email: cell,
      billing_plan: cell,
    });
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 12 }), fc.array(orgArb, { maxLength: 6 }), (rows, seeds) => {
        const snapshot = createEmptySnapshot('list', 0);
        for (const org of toOrgs(seeds)) {
          if (org.external_id) snapshot.byExternalId.set(org.external_id, org);
          else snapshot.unlinked.push(org);
        }
        const planner = createPlanner({ scope: 'full', regions: REGIONS, metadataKeys: OWNED_KEYS, snapshot });
        rows.forEach((values, i) => planner.add(parseAccount({ line: i + 2, values }, rules)));
        for (const item of planner.finish().items) {
          if (item.externalId !== null) expect(isValidExternalId(item.externalId), item.externalId).toBe(true);
          if (item.action === 'create' || item.action === 'update' || item.action === 'adoptable')
            expect(item.externalId).not.toBeNull();
        }
      }),
      { numRuns: 300 },
    );
  });
});
