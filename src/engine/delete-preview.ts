import pLimit from 'p-limit';
import type { ScalekitApi } from '../scalekit/api.js';
import { deleteChanges, deleteDecisionsOf, scimDeleteBlock, type ApplyOptions } from './apply.js';
import { planItemToReportItem } from './report-items.js';
import type { PlanItems } from './plan-items.js';
import type { ReportItem } from './types.js';

/** What a delete preview needs: the settings `apply --allow-delete` would decide with. */
type DeletePreviewOptions = Pick<
  ApplyOptions,
  'concurrency' | 'regions' | 'deleteMaxCount' | 'deleteMaxPercent' | 'managedCount' | 'deleteBlockOnInvalid' | 'signal'
>;

/**
 * `orgsync plan --scope full --allow-delete`: what `apply --allow-delete` would do with each orphan,
 * decided the same way (`deleteDecisionsOf`, then the SCIM check, a read), writing nothing. Returns,
 * by the orphan's index in the plan, its report item: `delete`, or `orphan` with the reason the delete
 * is withheld.
 */
export async function previewDeletes(
  api: ScalekitApi,
  items: PlanItems,
  options: DeletePreviewOptions,
): Promise<Map<number, ReportItem>> {
  const decisions = deleteDecisionsOf(items, options);
  const previews = new Map<number, ReportItem>();
  const limit = pLimit(Math.max(1, options.concurrency));
  const checks: Promise<void>[] = [];
  for (const [at, item] of items.indexedUnpacked()) {
    const decision = decisions.get(at);
    if (decision === undefined) continue;
    const orphan = planItemToReportItem(item);
    if (!decision.delete) {
      previews.set(at, { ...orphan, error: decision.error });
      continue;
    }
    const orgId = item.orgId;
    if (orgId === null) continue;
    checks.push(
      limit(async () => {
        const blocked = await scimDeleteBlock(api, orgId, { signal: options.signal });
        previews.set(
          at,
          blocked ? { ...orphan, error: blocked } : { ...orphan, action: 'delete', changes: deleteChanges(item) },
        );
      }),
    );
  }
  await Promise.all(checks);
  return previews;
}
