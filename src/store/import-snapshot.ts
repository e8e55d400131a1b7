import { randomUUID } from 'node:crypto';
import type { RedisConnection as Redis } from './redis-client.js';
import { z } from 'zod';
import type { SnapshotProvider } from '../engine/run.js';
import { createEmptySnapshot, toOrgState, type OrgState } from '../engine/snapshot.js';
import type { ScalekitApi } from '../scalekit/api.js';
import { realSleep, type Sleep } from '../scalekit/sleep.js';
import { defineLuaScript } from './lua-script.js';

/** The Redis keys of one import's snapshot (deleted with the import). */
export function importSnapshotKeys(keyPrefix: string, importId: string) {
  const base = `${keyPrefix}import:${importId}:snapshot`;
  return { orgs: `${base}:orgs`, unlinked: `${base}:unlinked`, ready: `${base}:ready`, lock: `${base}:lock` };
}

const RELEASE = defineLuaScript(
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`,
);
const entrySchema = z.tuple([z.string(), z.string(), z.record(z.string(), z.string())]);
const unlinkedSchema = z.array(
  z.object({
    id: z.string(),
    display_name: z.string(),
    external_id: z.null(),
    metadata: z.record(z.string(), z.string()),
  }),
);

export interface ImportSnapshotOptions {
  keyPrefix: string;
  /** Lifetime of the snapshot's keys, in seconds (the import's TTL). */
  ttlSeconds: number;
  /** How long the chunk that lists may hold the lock before another may take over. Default 10 min. */
  lockMs?: number;
  /** How often a waiting chunk checks whether the listing is done. Default 250 ms. */
  pollMs?: number;
  sleep?: Sleep;
}

/** The snapshots of bulk imports in Redis. */
export interface ImportSnapshots {
  /** The snapshot source of one chunk (its job's client lists when it is the first). */
  provider(importId: string, api: ScalekitApi, signal?: AbortSignal): SnapshotProvider;
}

/**
 * One snapshot of Scalekit per bulk import, shared by its chunks: the first chunk to need it lists
 * the environment (⌈organizations/100⌉ calls, once) into a Redis hash keyed by external ID; every
 * chunk then reads just its own rows' organizations (one HMGET). Without it each chunk would list
 * the environment again, or look its rows up one by one. The snapshot ages while the import runs;
 * apply copes (a create that meets 409 becomes an update; metadata merges re-read first).
 */
export function createImportSnapshots(redis: Redis, options: ImportSnapshotOptions): ImportSnapshots {
  const sleep = options.sleep ?? realSleep;
  const lockMs = options.lockMs ?? 600_000;

  async function list(
    api: ScalekitApi,
    keys: ReturnType<typeof importSnapshotKeys>,
    signal?: AbortSignal,
  ): Promise<void> {
    const unlinked: OrgState[] = [];
    let totalSize = 0;
    let first = true;
    for await (const page of api.listOrganizations({ pageSize: 100, signal })) {
      if (first) totalSize = page.totalSize;
      first = false;
      const fields: Record<string, string> = {};
      for (const org of page.organizations) {
        const state = toOrgState(org);
        if (state.external_id)
          fields[state.external_id] = JSON.stringify([state.id, state.display_name, state.metadata]);
        else unlinked.push(state);
      }
      if (Object.keys(fields).length > 0) await redis.hset(keys.orgs, fields);
    }
    await redis.expire(keys.orgs, options.ttlSeconds);
    await redis.set(keys.unlinked, JSON.stringify(unlinked), 'EX', options.ttlSeconds);
    await redis.set(keys.ready, String(totalSize), 'EX', options.ttlSeconds);
  }

  /** Lists once across every worker: the chunk that takes the lock lists, the others wait for `ready`. */
  async function ensureListed(
    api: ScalekitApi,
    keys: ReturnType<typeof importSnapshotKeys>,
    signal?: AbortSignal,
  ): Promise<string> {
    for (;;) {
      const ready = await redis.get(keys.ready);
      if (ready !== null) return ready;
      const token = randomUUID();
      if ((await redis.set(keys.lock, token, 'PX', lockMs, 'NX')) === 'OK') {
        try {
          await list(api, keys, signal);
        } finally {
          await RELEASE.run(redis, [keys.lock], [token]);
        }
        continue;
      }
      if (signal?.aborted) throw signal.reason;
      await sleep(options.pollMs ?? 250, signal);
    }
  }

  return {
    provider(importId, api, signal) {
      const keys = importSnapshotKeys(options.keyPrefix, importId);
      return async (externalIds) => {
        const totalSize = Number(await ensureListed(api, keys, signal));
        const snapshot = createEmptySnapshot('list', totalSize);
        const ids = [...new Set(externalIds)];
        const values = ids.length > 0 ? await redis.hmget(keys.orgs, ...ids) : [];
        ids.forEach((externalId, i) => {
          const value = values[i];
          if (value === null || value === undefined) return;
          const [id, displayName, metadata] = entrySchema.parse(JSON.parse(value));
          snapshot.byExternalId.set(externalId, { id, display_name: displayName, external_id: externalId, metadata });
        });
        snapshot.unlinked.push(...unlinkedSchema.parse(JSON.parse((await redis.get(keys.unlinked)) ?? '[]')));
        return snapshot;
      };
    },
  };
}
