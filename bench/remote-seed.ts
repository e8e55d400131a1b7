import pLimit from 'p-limit';
import type { ScalekitApi } from '../src/scalekit/api.js';
import { BENCH_ACCOUNT_PREFIX, benchOrganizations, type BenchOrganization, type DatasetSpec } from './dataset.js';

/** What seeding a remote target did (its calls are not part of any measurement). */
export interface RemoteSeedResult {
  created: number;
  updated: number;
  deleted: number;
}

function isBenchExternalId(externalId: string | null | undefined): externalId is string {
  return typeof externalId === 'string' && externalId.includes(`-${BENCH_ACCOUNT_PREFIX}-`);
}

function sameOrganization(
  have: { display_name: string; metadata: Record<string, string> },
  want: BenchOrganization,
): boolean {
  if (have.display_name !== want.display_name) return false;
  const haveKeys = Object.keys(have.metadata);
  return (
    haveKeys.length === Object.keys(want.metadata).length &&
    haveKeys.every((k) => have.metadata[k] === want.metadata[k])
  );
}

/**
 * Brings a Scalekit-compatible target (which has no admin routes) to the spec's starting state
 * through the API itself: creates the missing bench organizations, resets the drifted ones and
 * deletes bench organizations the spec does not hold. Organizations that are not bench data
 * (external IDs without `-BENCH-`) are never touched.
 */
export async function seedRemoteTarget(api: ScalekitApi, spec: DatasetSpec, inFlight = 10): Promise<RemoteSeedResult> {
  const want = new Map<string, BenchOrganization>();
  for (const org of benchOrganizations(spec)) want.set(org.external_id, org);
  const limit = pLimit(inFlight);
  const tasks: Promise<void>[] = [];
  const result: RemoteSeedResult = { created: 0, updated: 0, deleted: 0 };
  const seen = new Set<string>();
  for await (const page of api.listOrganizations({ pageSize: 100 })) {
    for (const org of page.organizations) {
      const externalId = org.external_id;
      if (!isBenchExternalId(externalId)) continue;
      const desired = want.get(externalId);
      seen.add(externalId);
      if (!desired) {
        tasks.push(
          limit(async () => {
            await api.deleteOrganization(org.id);
            result.deleted += 1;
          }),
        );
      } else if (!sameOrganization(org, desired)) {
        tasks.push(
          limit(async () => {
            await api.updateOrganization(org.id, { display_name: desired.display_name, metadata: desired.metadata });
            result.updated += 1;
          }),
        );
      }
    }
  }
  for (const [externalId, org] of want) {
    if (seen.has(externalId)) continue;
    tasks.push(
      limit(async () => {
        await api.createOrganization(org);
        result.created += 1;
      }),
    );
  }
  await Promise.all(tasks);
  return result;
}
