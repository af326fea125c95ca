import { Counter, Gauge, type Registry } from 'prom-client';

export type CacheMetrics = ReturnType<typeof createMetrics>;

function createMetrics(registry: Registry) {
  const trackedSources = new Set<() => number>();
  return {
    writes: new Counter({
      name: 'scores_redis_writes_total',
      help: 'Redis writes by the cache-writer, by key (game, live_state, circuit_breaker, last_poll) and result (written, refreshed, stale, deleted)',
      labelNames: ['key', 'result'],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'scores_redis_errors_total',
      help: 'Failed Redis operations of the cache-writer, by operation',
      labelNames: ['op'],
      registers: [registry],
    }),
    refreshes: new Counter({
      name: 'scores_cache_refreshes_total',
      help: 'Re-writes of every current key from memory, by outcome (ok, failed)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    trackedSources,
    tracked: new Gauge({
      name: 'scores_cache_games_tracked',
      help: 'Games held in memory whose keys the cache-writer keeps',
      registers: [registry],
      collect() {
        let n = 0;
        for (const source of trackedSources) n += source();
        this.set(n);
      },
    }),
  };
}

const byRegistry = new WeakMap<Registry, CacheMetrics>();

/** One set per registry: two cache-writers sharing a process (tests) share the metrics. */
export function cacheMetrics(registry: Registry): CacheMetrics {
  let m = byRegistry.get(registry);
  if (!m) {
    m = createMetrics(registry);
    byRegistry.set(registry, m);
  }
  return m;
}
