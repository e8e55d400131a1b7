import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { startHttpService, type HttpService, type HttpServiceOptions } from '../../src/app/http-service.js';
import { loadConfig, SCALEKIT_SETTINGS } from '../../src/config.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { deleteKeys, REDIS_URL, testName, testRedis } from '../integration/queue-helpers.js';

/** The client credentials the emulator checks and the service is configured with. */
const CLIENT = { clientId: 'id', clientSecret: 'secret' };

export interface ServiceStackOptions {
  /** Settings on top of Scalekit (the emulator), REDIS_URL and ORGSYNC_HTTP_PORT=0. */
  env?: Record<string, string>;
  readiness?: HttpServiceOptions['readiness'];
}

/** `orgsync serve` on a queue and key prefix of its own, with the emulator as Scalekit. */
export interface ServiceStack {
  emulator: RunningEmulator;
  service: HttpService;
  /** A connection for test bookkeeping. */
  redis: Redis;
  queueName: string;
  /** The service's key prefix (also its rate budget's). */
  keyPrefix: string;
  /** Stops everything it started, last first, then removes its keys. */
  close(): Promise<void>;
}

export async function startServiceStack(options: ServiceStackOptions = {}): Promise<ServiceStack> {
  const queueName = testName();
  const keyPrefix = `orgsync-test:${queueName}:`;
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) await closer();
  };
  try {
    // First, so that its keys are removed last, once the service is closed.
    const redis = testRedis();
    closers.push(async () => {
      await deleteKeys(redis, keyPrefix);
      // The service's queue handle registers the queue (its meta key) even with no job ever added.
      await deleteKeys(redis, `bull:${queueName}:`);
      await redis.quit();
    });
    const emulator = await startEmulator(CLIENT);
    closers.push(() => emulator.close());
    const config = loadConfig({
      require: SCALEKIT_SETTINGS,
      env: {
        SCALEKIT_ENVIRONMENT_URL: emulator.url,
        SCALEKIT_CLIENT_ID: CLIENT.clientId,
        SCALEKIT_CLIENT_SECRET: CLIENT.clientSecret,
        REDIS_URL,
        ...options.env,
        ORGSYNC_HTTP_PORT: '0',
      },
    });
    const service = await startHttpService({
      config,
      logger: pino({ level: 'silent' }),
      queueName,
      keyPrefix,
      rateBudgetKeyPrefix: keyPrefix,
      readiness: options.readiness,
    });
    closers.push(() => service.close());
    return { emulator, service, redis, queueName, keyPrefix, close };
  } catch (error) {
    await close();
    throw error;
  }
}
