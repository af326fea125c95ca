import { envReader, readCommon, type CommonConfig } from '@scores/service-kit';
import type { IntervalConfig } from './policy.js';

export interface SchedulerConfig {
  common: CommonConfig;
  intervals: IntervalConfig;
  /** cleanup ticks for the cache-writer */
  cleanupS: number;
}

export function readSchedulerConfig(v: ReturnType<typeof envReader>): Omit<SchedulerConfig, 'common'> {
  const intervals = {
    liveS: v.int('POLL_LIVE_S', 60, { min: 1, max: 86_400 }),
    idleS: v.int('POLL_IDLE_S', 300, { min: 1, max: 86_400 }),
    offseasonS: v.int('POLL_OFFSEASON_S', 3600, { min: 1, max: 86_400 }),
  };
  return { intervals, cleanupS: v.int('CLEANUP_INTERVAL_S', 900, { min: 1, max: 86_400 }) };
}

/** Pure: the environment in, a config out, or a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): SchedulerConfig {
  const v = envReader(env);
  const config = { common: readCommon(v), ...readSchedulerConfig(v) };
  v.done();
  return config;
}
