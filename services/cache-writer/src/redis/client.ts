import type { Redis } from 'ioredis';
import { createRedis as createFailFastRedis, type Logger } from '@scores/service-kit';
import { defineScripts } from './scripts.js';

export { closeRedis, whenRedisReady as whenReady } from '@scores/service-kit';

/**
 * The cache-writer's client: one retry and a 3 s command timeout, so a write turns into
 * a nak at once while Redis is away; the compare-and-set scripts defined on it.
 */
export function createRedis(url: string, log: Logger, name: string): Redis {
  const redis = createFailFastRedis(url, {
    log,
    name,
    connectTimeoutMs: 3000,
    commandTimeoutMs: 3000,
    maxRetriesPerRequest: 1,
    outage: 'redis unavailable; reconnecting',
  });
  defineScripts(redis);
  return redis;
}
