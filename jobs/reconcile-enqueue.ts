import { externalIdOf } from '../src/domain/external-id.js';
import type { LatestAccounts } from '../src/store/latest-accounts.js';
import { clampOccurredAtMs } from '../src/store/known-state.js';
import { observedOf, pushedStateOf, reconcileDeduplicationId, type ReconcilePayload } from './reconcile.js';

/**
 * `occurred_at` set to `nowMs` when absent and clamped when too far ahead, on the account and on the
 * observed organization.
 */
function stamped(payload: ReconcilePayload, nowMs: number): ReconcilePayload {
  const clamp = (iso: string) => new Date(clampOccurredAtMs(iso, nowMs)).toISOString();
  const now = new Date(nowMs).toISOString();
  return {
    ...payload,
    ...(payload.account ? { occurred_at: payload.occurred_at ? clamp(payload.occurred_at) : now } : {}),
    ...(payload.observed
      ? { observed: { ...payload.observed, occurred_at: clamp(payload.observed.occurred_at) } }
      : {}),
  };
}

/**
 * Keeps what the payload says in the latest-account store before it is enqueued, so that a job
 * that runs from then on, whichever payload it carries, sees it.
 */
async function remember(
  store: Pick<LatestAccounts, 'putPushed' | 'putObserved'>,
  payload: ReconcilePayload,
  nowMs: number,
): Promise<void> {
  const pushed = pushedStateOf(payload, nowMs);
  if (pushed && payload.account)
    await store.putPushed(externalIdOf(payload.account.region, payload.account.account_id), pushed);
  const observed = observedOf(payload, nowMs);
  if (observed) await store.putObserved(observed.external_id, observed);
}

/**
 * A reconcile request about to be enqueued at `nowMs`: stamps its `occurred_at`, records its state
 * in the latest-account store (the job reads the newest one when it runs, whichever payload it
 * carries), and names its target: requests with the same `deduplicationId` join one waiting job.
 */
export async function prepareReconcile(
  payload: ReconcilePayload,
  nowMs: number,
  latestAccounts: Pick<LatestAccounts, 'putPushed' | 'putObserved'>,
): Promise<{ payload: ReconcilePayload; deduplicationId: string }> {
  const prepared = stamped(payload, nowMs);
  await remember(latestAccounts, prepared, nowMs);
  return { payload: prepared, deduplicationId: `reconcile:${reconcileDeduplicationId(prepared)}` };
}
