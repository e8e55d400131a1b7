import type { Config } from '../config.js';
import { closeConnection, connectProducerConnection, queueKeyPrefix } from '../store/redis-connections.js';
import { createRunHistory, type RunHistory } from '../store/run-history.js';

/** The run history of a queue (`orgsync runs`), on a connection of its own; `close` drops it. */
export async function openRunHistory(
  config: Config,
  queueName: string,
): Promise<{ history: RunHistory; close(): Promise<void> }> {
  const redis = await connectProducerConnection(config, undefined, { timeoutMs: config.redisTimeoutMs });
  const history = createRunHistory(redis, { keyPrefix: queueKeyPrefix(queueName, redis), limit: config.runHistory });
  return { history, close: () => closeConnection(redis) };
}
