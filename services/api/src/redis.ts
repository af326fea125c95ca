import type { Redis } from 'ioredis';
import { createRedis, type Logger } from '@scores/service-kit';

export { closeRedis, whenRedisReady as whenReady } from '@scores/service-kit';

/**
 * The api's own Redis client (the rate limiter's store, the start-up fallback for meta,
 * readiness): a Redis outage must cost a request milliseconds, not seconds.
 */
export function createApiRedis(url: string, log: Logger, name: string): Redis {
  return createRedis(url, {
    log,
    name,
    connectTimeoutMs: 1000,
    commandTimeoutMs: 250,
    maxRetriesPerRequest: 0,
    outage: 'redis unavailable; requests go unlimited meanwhile',
  });
}
