import { envReader, readCommon, readRedisUrl, type CommonConfig, type EnvReader } from '@scores/service-kit';
import { REDIS_TTL_S } from './redis/keys.js';

export interface CacheWriterConfig {
  redisUrl: string;
  /**
   * How often every current game key, live_state, circuit_breaker and last_poll are
   * re-written from memory. Shorter than the shortest TTL (game keys, 120 s), so a key
   * never lapses between two changes and comes back within one period after a flush.
   */
  refreshS: number;
}

export interface Config extends CacheWriterConfig {
  common: CommonConfig;
}

/** The cache-writer's own variables; the all-in-one process reads them next to the others'. */
export function readCacheWriterConfig(v: EnvReader): CacheWriterConfig {
  const redisUrl = readRedisUrl(v);
  try {
    const db = new URL(redisUrl).pathname.replace(/^\//, '');
    if (db !== '' && !/^\d+$/.test(db)) v.problem(`REDIS_URL: the path must be a database number (e.g. /1), not "/${db}"`);
  } catch {
    // readRedisUrl has already named the variable
  }
  const refreshS = v.int('CACHE_REFRESH_S', 30, { min: 1, max: Math.floor(REDIS_TTL_S.game / 2) });
  return { redisUrl, refreshS };
}

/** Pure: the environment in, a config out, or a ConfigError naming every bad variable at once. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const v = envReader(env);
  const config = { common: readCommon(v), ...readCacheWriterConfig(v) };
  v.done();
  return config;
}
