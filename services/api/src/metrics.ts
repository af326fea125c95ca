import { counter, gauge, histogram } from '@scores/service-kit';
import type { Registry } from 'prom-client';

/** The api's own metrics; registered once per registry (tests and the all-in-one share one). */
export function apiMetrics(registry: Registry) {
  return {
    httpSeconds: histogram<'method' | 'route' | 'status_code'>(registry, {
      name: 'scores_api_http_request_duration_seconds',
      help: 'HTTP request latency by route pattern (not the raw URL), method and status',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    }),
    sseClients: gauge(registry, { name: 'scores_api_sse_clients', help: 'Server-Sent Events clients connected to this replica' }),
    sseDropped: counter<'reason'>(registry, {
      name: 'scores_api_sse_dropped_total',
      help: 'SSE clients disconnected by the server: slow (fell too far behind) or replay failed',
      labelNames: ['reason'],
    }),
    sseFrames: counter<'kind'>(registry, {
      name: 'scores_api_sse_frames_total',
      help: 'SSE frames written to clients, by kind (game, meta, heartbeat)',
      labelNames: ['kind'],
    }),
    sseReplays: counter<'source'>(registry, {
      name: 'scores_api_sse_resumes_total',
      help: 'SSE reconnections with Last-Event-ID, by how they were served: memory, jetstream or snapshot',
      labelNames: ['source'],
    }),
    snapshotGames: gauge(registry, { name: 'scores_api_snapshot_games', help: 'Games held in the in-process snapshot' }),
    snapshotLive: gauge(registry, { name: 'scores_api_snapshot_live_games', help: 'Games in progress in the snapshot' }),
    feedPosition: gauge(registry, { name: 'scores_api_games_stream_position', help: 'Last games-stream sequence read by this replica' }),
    eventsSkipped: counter<'stream'>(registry, {
      name: 'scores_api_events_skipped_total',
      help: 'Stream messages that did not match their contract and were skipped',
      labelNames: ['stream'],
    }),
  };
}

export type ApiMetrics = ReturnType<typeof apiMetrics>;
