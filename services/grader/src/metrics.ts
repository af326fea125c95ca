import { Counter, type Registry } from 'prom-client';
import { counter, gauge } from '@scores/service-kit';

function create(registry: Registry) {
  return {
    events: new Counter({
      name: 'scores_grader_events_total',
      help: 'game.changed events applied (newer revision stored) or stale (not newer: nothing changed)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    games: new Counter({
      name: 'scores_grader_games_graded_total',
      help: 'Games graded (final or void) or ungraded (no longer final), one per applied revision',
      labelNames: ['kind'],
      registers: [registry],
    }),
    picks: new Counter({
      name: 'scores_grader_picks_graded_total',
      help: 'Picks graded, by result',
      labelNames: ['result'],
      registers: [registry],
    }),
    published: new Counter({
      name: 'scores_grader_outbox_published_total',
      help: 'picks.graded events published from the outbox',
      registers: [registry],
    }),
    publishFailures: new Counter({
      name: 'scores_grader_outbox_failures_total',
      help: 'Outbox publish attempts that failed (retried later)',
      registers: [registry],
    }),
    dbErrors: counter(registry, {
      name: 'scores_postgres_errors_total',
      help: 'Postgres calls that failed, by service and whether retrying can help',
      labelNames: ['service', 'retryable'],
    }),
    poolInUse: gauge(registry, {
      name: 'scores_postgres_pool_in_use',
      help: 'Postgres connections busy with a call, by service',
      labelNames: ['service'],
    }),
    poolSize: gauge(registry, {
      name: 'scores_postgres_pool_size',
      help: 'Postgres connections a service may open',
      labelNames: ['service'],
    }),
  };
}

export type GraderMetrics = ReturnType<typeof create>;

// One set per registry: two grader instances in one process (tests) share a registry.
const byRegistry = new WeakMap<Registry, GraderMetrics>();
export function graderMetrics(registry: Registry): GraderMetrics {
  let m = byRegistry.get(registry);
  if (!m) {
    m = create(registry);
    byRegistry.set(registry, m);
  }
  return m;
}
