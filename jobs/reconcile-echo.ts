import { runSync } from '../src/engine/run.js';
import { createEmptySnapshot } from '../src/engine/snapshot.js';
import type { SourceRecord } from '../src/domain/account-record.js';
import { createInMemorySource } from './in-memory-source.js';
import type { ReconcileHelpers } from './job-helpers.js';
import type { ObservedOrganization } from '../src/store/known-state.js';

/**
 * Whether the organization as a Scalekit event showed it already holds what the account says: the
 * engine plans the account against that organization alone (a dry run, no call to Scalekit), and
 * the plan is `unchanged`. Same rules as a real run, so "nothing to write" means exactly that.
 */
export async function observedMatches(
  helpers: ReconcileHelpers,
  externalId: string,
  record: SourceRecord,
  observed: ObservedOrganization,
): Promise<boolean> {
  const snapshot = createEmptySnapshot('lookup', 1);
  snapshot.byExternalId.set(externalId, {
    id: observed.id,
    display_name: observed.display_name,
    external_id: externalId,
    metadata: { ...observed.metadata },
  });
  const { report } = await runSync(
    { ...helpers.engine, logger: helpers.engine.logger.child({ check: 'echo' }, { level: 'warn' }) },
    {
      ...helpers.applySettings,
      mode: 'plan',
      scope: 'partial',
      source: createInMemorySource('echo check', [record]),
      snapshot: async () => snapshot,
      signal: helpers.signal,
    },
  );
  return report.items.count === 0 && report.summary.unchanged === 1;
}
