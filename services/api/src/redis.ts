import { Redis } from 'ioredis';
import type { Logger } from '@scores/service-kit';

/**
 * The api's own Redis client (the rate limiter's store, the start-up fallback for meta,
 * readiness): short timeouts and no offline queue, so a Redis outage costs a request
 * milliseconds, not seconds; reconnects forever. The URL's database and password are honoured.
 */
export function createApiRedis(url: string, log: Logger, name: string): Redis {
  const redis = new Redis(url, {
    connectionName: name.replace(/[^A-Za-z0-9_.:-]/g, '_'),
    connectTimeout: 1000,
    commandTimeout: 250,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  });
  // ioredis emits an error per failed reconnect: log the outage once, and its end.
  let down = false;
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    log.warn({ err }, 'redis unavailable; requests go unlimited meanwhile');
  });
  redis.on('ready', () => {
    if (down) log.info('redis reconnected');
    down = false;
  });
  return redis;
}

/** Resolves when the client is ready or after `timeoutMs`, whichever comes first. */
export function whenReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.on('ready', onReady);
  });
}

export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    try {
      await redis.quit();
      return;
    } catch {
      // fall through
    }
  }
  redis.disconnect();
}
