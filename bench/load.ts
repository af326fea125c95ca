/**
 * The load generator, in a process of its own so that it never shares an event loop with
 * the servers it measures: autocannon against each target in turn, round after round
 * (targets interleaved, so drift on this shared machine hits them alike). Prints one JSON
 * line per measurement.
 *
 *   node --import tsx bench/load.ts '{"rounds":5,"durationS":5,"connections":10,"targets":[{"name":"a","url":"http://..."}]}'
 */
import autocannon from 'autocannon';

export interface LoadPlan {
  rounds: number;
  durationS: number;
  connections: number;
  /** seconds of unmeasured load per target before the first round */
  warmupS: number;
  targets: { name: string; url: string; headers?: Record<string, string> }[];
}

export interface LoadResult {
  name: string;
  round: number;
  /** requests per second (mean over the run) */
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  bytesPerRequest: number;
  /** total requests answered in the run */
  requests: number;
  /** CPU time of the server's process per request (µs), filled in by the parent */
  cpuUsPerRequest?: number;
}

const plan = JSON.parse(process.argv[2] ?? '{}') as LoadPlan;

const fire = (t: LoadPlan['targets'][number], durationS: number) =>
  autocannon({ url: t.url, connections: plan.connections, duration: durationS, headers: t.headers ?? {}, pipelining: 1 });

for (const t of plan.targets) if (plan.warmupS > 0) await fire(t, plan.warmupS);
for (let round = 1; round <= plan.rounds; round++) {
  for (const t of plan.targets) {
    // the parent reads its own CPU time at this line and at the result: CPU per request
    process.stdout.write(`start ${t.name}\n`);
    const r = await fire(t, plan.durationS);
    const out: LoadResult = {
      name: t.name,
      round,
      rps: r.requests.average,
      p50: r.latency.p50,
      p99: r.latency.p99,
      non2xx: r.non2xx,
      errors: r.errors + r.timeouts,
      bytesPerRequest: r.requests.total ? Math.round(r.throughput.total / r.requests.total) : 0,
      requests: r.requests.total,
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  }
}
