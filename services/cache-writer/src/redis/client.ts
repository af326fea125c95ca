import { Redis } from 'ioredis';
import type { Logger } from '@scores/service-kit';
import { defineScripts } from './scripts.js';

/**
 * A client that fails fast while Redis is away (no offline queue, one retry, a command
 * timeout) so a write turns into a nak at once instead of hanging, and that reconnects
 * forever. The URL's database number and password are honoured.
 */
export function createRedis(url: string, log: Logger, name: string): Redis {
  const redis = new Redis(url, {
    connectionName: name.replace(/[^A-Za-z0-9_.:-]/g, '_'),
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    commandTimeout: 3000,
    connectTimeout: 3000,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  });
  defineScripts(redis);
  // ioredis emits an error per failed reconnect: log the outage once, and its end.
  let down = false;
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    log.warn({ err }, 'redis unavailable; reconnecting');
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

/** QUIT when connected, else just drop the socket (QUIT would fail without a connection). */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    try {
      await redis.quit();
      return;
    } catch {
      // fall through: disconnect below
    }
  }
  redis.disconnect();
}
