import { Redis } from 'ioredis';
import { testEnv } from './env.js';

export function testRedis(): Redis {
  return new Redis(testEnv.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1 });
}

/** Deletes every key of a namespace (SCAN, never KEYS). */
export async function dropRedisNamespace(redis: Redis, ns: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${ns}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}
