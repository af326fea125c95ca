/**
 * autocannon in a process of its own (the load test starts it), so the load generator's
 * event loop is not the one measuring SSE delivery. Options come as JSON in LOAD_OPTS;
 * the result is printed as one JSON line.
 */
import autocannon from 'autocannon';

interface LoadOptions {
  url: string;
  paths: string[];
  durationS: number;
  connections: number;
  /** requests per second across every connection; omitted: as fast as it goes */
  overallRate?: number;
  headers?: Record<string, string>;
}

const opts = JSON.parse(process.env.LOAD_OPTS ?? '{}') as LoadOptions;
const result = await autocannon({
  url: opts.url,
  connections: opts.connections,
  duration: opts.durationS,
  ...(opts.overallRate ? { overallRate: opts.overallRate } : {}),
  headers: opts.headers ?? {},
  requests: opts.paths.map((path) => ({ method: 'GET' as const, path })),
});
process.stdout.write(
  `${JSON.stringify({
    requests: result.requests,
    latency: result.latency,
    throughput: result.throughput,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    '2xx': result['2xx'],
    statusCodeStats: result.statusCodeStats,
    duration: result.duration,
  })}\n`,
);
