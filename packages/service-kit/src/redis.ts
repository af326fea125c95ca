import { Redis } from 'ioredis';
import type { Logger } from './logger.js';

/**
 * A Redis client that fails fast while Redis is away (no offline queue, a command
 * timeout) so a caller turns the outage into a nak or an unlimited request at once
 * instead of hanging, and that reconnects forever. The URL's database and password are
 * honoured. The outage is logged once, and its end.
 */
export function createRedis(
  url: string,
  opts: { log: Logger; name: string; commandTimeoutMs: number; connectTimeoutMs: number; maxRetriesPerRequest: number; outage: string },
): Redis {
  const redis = new Redis(url, {
    connectionName: opts.name.replace(/[^A-Za-z0-9_.:-]/g, '_'),
    connectTimeout: opts.connectTimeoutMs,
    commandTimeout: opts.commandTimeoutMs,
    maxRetriesPerRequest: opts.maxRetriesPerRequest,
    enableOfflineQueue: false,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  });
  let down = false;
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    opts.log.warn({ err }, opts.outage);
  });
  redis.on('ready', () => {
    if (down) opts.log.info('redis reconnected');
    down = false;
  });
  return redis;
}

/** Resolves when the client is ready or after `timeoutMs`, whichever comes first. */
export function whenRedisReady(redis: Redis, timeoutMs: number): Promise<boolean> {
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
