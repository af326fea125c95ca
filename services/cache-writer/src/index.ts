export { createCacheWriterService, cacheWriterDurables, SERVICE_NAME, type CacheWriterDeps } from './cache-writer.js';
export { loadConfig, readCacheWriterConfig, type CacheWriterConfig, type Config } from './config.js';
export {
  redisKeys,
  REDIS_TTL_S,
  type RedisKeys,
  type GameValue,
  type LiveStateValue,
  type CircuitBreakerValue,
} from './redis/keys.js';
export { gameValue, liveStateValue, lastPollMs, circuitBreakerValue } from './values.js';
export { isCurrent, isFinished, FINAL_RETENTION_MS } from './state.js';
