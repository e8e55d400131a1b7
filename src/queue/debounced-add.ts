import { createHash, randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { RedisConnection as Redis } from '../store/redis-client.js';
import type { JobQueueOptions } from '../job-contract.js';
import { defineLuaScript } from '../store/lua-script.js';
import { bullJobOptions } from './bull-job-options.js';

/** A steady stream of deliveries postpones a debounced job at most this many delays after its first one. */
export const MAX_POSTPONE_DELAYS = 10;

/**
 * The job currently holding a deduplication ID (BullMQ's own keys, read in one round trip):
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
function followUpJobId(kind: string, jobId: string): string {
  const hex = createHash('sha256').update(`${kind} follow-up of ${jobId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** One debounced job to add: `deduplicationId` names its target (e.g. `reconcile:us-east-C1`). */
export interface DebouncedJob {
  kind: string;
  payload: unknown;
  options: JobQueueOptions;
  deduplicationId: string;
  /** How long the job waits for more requests about the same target; 0 runs it at once. */
  delayMs: number;
  /** When the request arrived (epoch ms). */
  nowMs: number;
}

/**
 * Adds a job debounced per target: it waits `delayMs`, and each request for the same target while
 * it waits joins it and restarts the wait (BullMQ `deduplication.reschedule`), at most
 * `MAX_POSTPONE_DELAYS` delays after the job was added; the job ID stays the same, and the job reads
 * the newest state when it runs. A request made while the job runs is kept for a follow-up job that
 * runs after it (`keepLastIfActive`), and answered with that job's ID. `deduplicated` says that an
 * existing or already requested job will apply the request.
 */
export async function addDebounced(
  resources: { queue: Queue; redis: Redis },
  request: DebouncedJob,
): Promise<{ jobId: string; deduplicated: boolean; runsAfter?: string | undefined }> {
  const { queue, redis } = resources;
  const { payload, deduplicationId, delayMs, nowMs } = request;
  const holder = await probe(queue, redis, deduplicationId);
  const jobId = holder?.active ? followUpJobId(request.kind, holder.jobId) : randomUUID();
  const postpone =
    delayMs > 0 &&
    (holder === null || (holder.attemptsMade === 0 && nowMs - holder.createdAtMs < MAX_POSTPONE_DELAYS * delayMs));
  const job = await queue.add(request.kind, payload, {
    ...bullJobOptions(request.options),
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
