import type { RedisConnection as Redis } from './redis-client.js';

/**
 * At most one notification per subject per window, across every worker: `claim` sets
 * `<keyPrefix>notified:<subject>` with `SET NX EX`, so only the first claim of a window wins.
 * Reconcile failures use it per external ID (one an hour).
 */
export interface NoticeThrottle {
  /** True when no notification was claimed for `subject` within the window: this one may go. */
  claim(subject: string): Promise<boolean>;
}

/** Options of `createNoticeThrottle`. */
export interface NoticeThrottleOptions {
  /** The queue's key prefix (`queueKeyPrefix`), like the other stores. */
  keyPrefix: string;
  /** The window, in seconds (3,600 for reconcile failures). */
  windowSeconds: number;
}

export function createNoticeThrottle(redis: Redis, options: NoticeThrottleOptions): NoticeThrottle {
  if (!(Number.isInteger(options.windowSeconds) && options.windowSeconds > 0))
    throw new TypeError(`createNoticeThrottle: windowSeconds must be a positive integer, got ${options.windowSeconds}`);
  return {
    async claim(subject) {
      const reply = await redis.set(`${options.keyPrefix}notified:${subject}`, '1', 'EX', options.windowSeconds, 'NX');
      return reply === 'OK';
    },
  };
}
