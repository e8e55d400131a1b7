import { createHash, randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { externalIdOf } from '../domain/external-id.js';
import { observedOf, pushedStateOf, reconcileDeduplicationId, type ReconcilePayload } from '../../jobs/reconcile.js';
import { clampOccurredAtMs } from '../../jobs/reconcile-state.js';
import { jobOptionsFor } from './catalog.js';
import { queueKeyPrefix } from './connections.js';
import { createLatestAccounts } from './latest-accounts.js';
import { defineLuaScript } from './lua-script.js';

/** A steady stream of deliveries postpones a reconcile at most this many delays after its first one. */
export const MAX_POSTPONE_DELAYS = 10;

/**
 * The reconcile currently holding a deduplication ID (BullMQ's own keys, read in one round trip):
 * its ID, creation time, attempts made, whether it is active, and whether a follow-up is already
 * stored for when it ends (`keepLastIfActive`). KEYS: `de:<id>`, `active`, `dn:<id>`; ARGV[1]: the
 * prefix of job keys.
 */
const PROBE = defineLuaScript(`
local id = redis.call('GET', KEYS[1])
if not id then return {'', '', '', 0, 0} end
local job = redis.call('HMGET', ARGV[1] .. id, 'timestamp', 'atm')
local active = 0
local pos = redis.pcall('LPOS', KEYS[2], id)
if type(pos) == 'table' and pos.err then
  for _, item in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
    if item == id then active = 1 end
  end
elseif pos then
  active = 1
end
return {id, job[1] or '', job[2] or '', active, redis.call('EXISTS', KEYS[3])}
`);

interface Holder {
  jobId: string;
  createdAtMs: number;
  attemptsMade: number;
  active: boolean;
  followUpStored: boolean;
}

async function probe(queue: Queue, redis: Redis, deduplicationId: string): Promise<Holder | null> {
  const keys = [queue.toKey(`de:${deduplicationId}`), queue.toKey('active'), queue.toKey(`dn:${deduplicationId}`)];
  const reply = await PROBE.run(redis, keys, [queue.toKey('')]);
  if (!Array.isArray(reply) || typeof reply[0] !== 'string' || reply[0] === '') return null;
  return {
    jobId: reply[0],
    createdAtMs: Number(reply[1]) || 0,
    attemptsMade: Number(reply[2]) || 0,
    active: reply[3] === 1,
    followUpStored: reply[4] === 1,
  };
}

/**
 * The ID of the job that runs after active job `jobId` ends: the same for every delivery made while
 * it runs (BullMQ keeps the last one's ID for the follow-up), so each of them is answered with the
 * job that will apply it.
 */
function followUpJobId(jobId: string): string {
  const hex = createHash('sha256').update(`reconcile follow-up of ${jobId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Keeps what the payload says in the latest-account store before it is enqueued, so that a job
 * that runs from then on, whichever payload it carries, sees it.
 */
async function remember(redis: Redis, queueName: string, payload: ReconcilePayload, nowMs: number): Promise<void> {
  const store = createLatestAccounts(redis, { keyPrefix: queueKeyPrefix(queueName) });
  const pushed = pushedStateOf(payload, nowMs);
  if (pushed && payload.account)
    await store.putPushed(externalIdOf(payload.account.region, payload.account.account_id), pushed);
  const observed = observedOf(payload, nowMs);
  if (observed) await store.putObserved(observed.external_id, observed);
}

/** `occurred_at` set to now when absent and clamped when too far ahead, on the account and on the observed organization. */
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
 * Adds a reconcile, debounced per external ID (or organization ID): it waits `delayMs`, and each
 * delivery for the same target while it waits joins it and restarts the wait (BullMQ
 * `deduplication.reschedule`), at most `MAX_POSTPONE_DELAYS` delays after the job was added; the job
 * ID stays the same, and the job reads the newest state when it runs. A delivery made while the job
 * runs is kept for a follow-up job that runs after it (`keepLastIfActive`), and answered with that
 * job's ID. `deduplicated` says that an existing or already requested job will apply the delivery.
 */
export async function enqueueReconcile(
  resources: { queue: Queue; redis: Redis },
  parsed: ReconcilePayload,
  delayMs: number,
): Promise<{ jobId: string; deduplicated: boolean; runsAfter?: string | undefined }> {
  const { queue, redis } = resources;
  const nowMs = Date.now();
  const payload = stamped(parsed, nowMs);
  await remember(redis, queue.name, payload, nowMs);
  const deduplicationId = `reconcile:${reconcileDeduplicationId(payload)}`;
  const holder = await probe(queue, redis, deduplicationId);
  const jobId = holder?.active ? followUpJobId(holder.jobId) : randomUUID();
  const postpone =
    delayMs > 0 &&
    (holder === null || (holder.attemptsMade === 0 && nowMs - holder.createdAtMs < MAX_POSTPONE_DELAYS * delayMs));
  const job = await queue.add('reconcile', payload, {
    ...jobOptionsFor('reconcile'),
    jobId,
    ...(delayMs > 0 ? { delay: delayMs } : {}),
    deduplication: { id: deduplicationId, keepLastIfActive: true, ...(postpone ? { reschedule: true } : {}) },
  });
  const returned = job.id ?? jobId;
  // The active job was returned: this delivery waits in its follow-up, `jobId`.
  if (holder?.active && returned === holder.jobId)
    return { jobId, deduplicated: holder.followUpStored, runsAfter: holder.jobId };
  if (returned === jobId) return { jobId, deduplicated: holder?.active === true && holder.followUpStored };
  return { jobId: returned, deduplicated: true };
}
