/**
 * The scripted chaos runner. From a seed it draws a plan: every service killed (SIGKILL)
 * at least once and started again after a random pause, NATS restarted, Postgres
 * restarted, Redis flushed and restarted, and a set of ESPN faults queued on the
 * simulator (500s, 429 with Retry-After, hangs, malformed and truncated bodies, a 403
 * burst, a reset connection), each at a random point of a time window. The same seed gives
 * the same plan; the plan and what each step did are returned for the report.
 */
import type { Fault, Simulator } from '@scores/espn-sim';
import { Redis } from 'ioredis';
import { seeded } from './leagues.js';
import { SERVICE_NAMES, type Pipeline, type ServiceName } from './pipeline.js';
import type { PrivateServers } from './servers.js';

export type ChaosStep =
  | { kind: 'kill'; service: ServiceName; downMs: number }
  | { kind: 'restart-nats'; downMs: number }
  | { kind: 'restart-postgres'; downMs: number }
  | { kind: 'flush-restart-redis'; downMs: number }
  | { kind: 'espn'; fault: Fault; label: string };

export interface PlannedStep {
  /** ms after the runner starts */
  atMs: number;
  step: ChaosStep;
}

export interface StepRecord {
  label: string;
  plannedAtMs: number;
  startedAtMs: number;
  tookMs: number;
  error?: string;
}

export const ESPN_FAULTS: { label: string; fault: Fault }[] = [
  { label: 'espn 500 x6', fault: { kind: 'status', status: 500, times: 6 } },
  { label: 'espn 503 x4', fault: { kind: 'status', status: 503, times: 4 } },
  { label: 'espn 429 Retry-After 1 x4', fault: { kind: 'status', status: 429, retryAfterS: 1, times: 4 } },
  { label: 'espn hang x3', fault: { kind: 'hang', times: 3 } },
  { label: 'espn malformed x5', fault: { kind: 'malformed', times: 5 } },
  { label: 'espn truncated x5', fault: { kind: 'truncated', times: 5 } },
  { label: 'espn 403 burst x12', fault: { kind: 'status', status: 403, times: 12 } },
  { label: 'espn reset x3', fault: { kind: 'reset', times: 3 } },
];

export function labelOf(step: ChaosStep): string {
  switch (step.kind) {
    case 'kill':
      return `SIGKILL ${step.service}, down ${step.downMs} ms`;
    case 'espn':
      return step.label;
    default:
      return `${step.kind}, down ${step.downMs} ms`;
  }
}

/**
 * `rounds` times over: each service killed, each server restarted, each ESPN fault
 * queued, all shuffled and spread at random over `windowMs`.
 */
export function planChaos(opts: { seed: number; windowMs: number; rounds?: number }): PlannedStep[] {
  const rand = seeded(opts.seed);
  const between = (lo: number, hi: number) => Math.round(lo + rand() * (hi - lo));
  const steps: ChaosStep[] = [];
  for (let r = 0; r < (opts.rounds ?? 1); r++) {
    for (const service of SERVICE_NAMES) steps.push({ kind: 'kill', service, downMs: between(200, 2500) });
    steps.push({ kind: 'restart-nats', downMs: between(500, 3000) });
    steps.push({ kind: 'restart-postgres', downMs: between(500, 3000) });
    steps.push({ kind: 'flush-restart-redis', downMs: between(200, 2000) });
    for (const f of ESPN_FAULTS) steps.push({ kind: 'espn', fault: f.fault, label: f.label });
  }
  // Fisher-Yates with the seeded generator
  for (let i = steps.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [steps[i], steps[j]] = [steps[j]!, steps[i]!];
  }
  // random points, in order, at least 1 s apart so each step has happened before the next
  const points = steps.map(() => rand() * opts.windowMs).sort((a, b) => a - b);
  for (let i = 1; i < points.length; i++) points[i] = Math.max(points[i]!, points[i - 1]! + 1000);
  return steps.map((step, i) => ({ atMs: Math.round(points[i]!), step }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Carries out the plan against one pipeline, its private servers and its simulator. */
export async function runChaos(
  plan: PlannedStep[],
  target: { pipeline: Pipeline; servers: PrivateServers; sim: Simulator },
  onStep?: (r: StepRecord) => void,
): Promise<StepRecord[]> {
  const t0 = Date.now();
  const records: StepRecord[] = [];
  for (const { atMs, step } of plan) {
    const wait = t0 + atMs - Date.now();
    if (wait > 0) await sleep(wait);
    const started = Date.now();
    const record: StepRecord = { label: labelOf(step), plannedAtMs: atMs, startedAtMs: started - t0, tookMs: 0 };
    try {
      await apply(step, target);
    } catch (err) {
      record.error = err instanceof Error ? err.message : String(err);
    }
    record.tookMs = Date.now() - started;
    records.push(record);
    onStep?.(record);
  }
  return records;
}

async function apply(step: ChaosStep, { pipeline, servers, sim }: { pipeline: Pipeline; servers: PrivateServers; sim: Simulator }) {
  switch (step.kind) {
    case 'kill':
      await pipeline.get(step.service).kill('SIGKILL', step.downMs);
      return;
    case 'restart-nats':
      await servers.nats.restart(step.downMs);
      return;
    case 'restart-postgres':
      await servers.postgres.restart(step.downMs);
      return;
    case 'flush-restart-redis': {
      const r = new Redis(servers.redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
      r.on('error', () => undefined);
      try {
        await r.connect();
        await r.flushall();
      } finally {
        r.disconnect();
      }
      await servers.redis.restart(step.downMs);
      return;
    }
    case 'espn':
      sim.fault(step.fault);
      return;
  }
}
