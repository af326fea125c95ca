/**
 * The five services as separate processes (`node --import tsx services/<name>/src/main.ts`),
 * each under a small supervisor that starts it again when it exits, as an orchestrator
 * would: a SIGKILL from the chaos runner, or a start that failed because NATS or
 * Postgres was down at that moment. Every line every incarnation printed is kept.
 */
import { startProcess, waitFor, type RunningProcess } from '@scores/testkit';
import { freePort } from './servers.js';

export const SERVICE_NAMES = ['grader', 'cache-writer', 'api', 'poller', 'scheduler'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface Supervised {
  name: ServiceName;
  /** the port of /healthz, /readyz, /metrics (the api's PORT for the api) */
  port: number;
  /** times it was (re)started */
  starts: number;
  /** exits the supervisor did not ask for */
  crashes: number;
  /** kills delivered (a kill while the process is down between two lives is not one) */
  kills: number;
  current(): RunningProcess | undefined;
  /** every line printed by every incarnation */
  lines(): string[];
  /** parsed pino lines of every incarnation */
  logs(): Record<string, unknown>[];
  /** SIGKILL (or another signal); the supervisor starts it again after `downMs` (default `restartDelayMs`) */
  kill(signal?: NodeJS.Signals, downMs?: number): Promise<void>;
  /** resolves once the current incarnation answers /readyz with 200 */
  ready(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface PipelineOptions {
  env: Record<string, string>;
  services?: readonly ServiceName[];
  /** before a process that exited is started again (default 300 ms) */
  restartDelayMs?: number;
}

export interface Pipeline {
  services: Map<ServiceName, Supervised>;
  get(name: ServiceName): Supervised;
  apiUrl: string;
  /** every line of every service */
  allLines(): string[];
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function parse(lines: string[]): Record<string, unknown>[] {
  return lines.flatMap((l) => {
    if (!l.startsWith('{')) return [];
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

function supervise(name: ServiceName, env: Record<string, string>, port: number, restartDelayMs: number): Supervised {
  const history: string[][] = [];
  let proc: RunningProcess | undefined;
  let stopping = false;
  let expectedExit = false;
  let nextDelayMs: number | undefined;
  let starts = 0;
  let crashes = 0;
  let kills = 0;

  const launch = () => {
    const p = startProcess([`services/${name}/src/main.ts`], env);
    proc = p;
    history.push(p.lines);
    starts++;
    void p.exited.then(async () => {
      if (stopping) return;
      if (!expectedExit) crashes++;
      expectedExit = false;
      const delay = nextDelayMs ?? restartDelayMs;
      nextDelayMs = undefined;
      await sleep(delay);
      if (!stopping && proc === p) launch();
    });
  };
  launch();

  const s: Supervised = {
    name,
    port,
    get starts() {
      return starts;
    },
    get crashes() {
      return crashes;
    },
    get kills() {
      return kills;
    },
    current: () => proc,
    lines: () => history.flat(),
    logs: () => parse(history.flat()),
    async kill(signal = 'SIGKILL', downMs) {
      const p = proc;
      if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
      expectedExit = true;
      nextDelayMs = downMs;
      kills++;
      p.child.kill(signal);
      await p.exited;
    },
    async ready(timeoutMs = 60_000) {
      await waitFor(
        async () => {
          const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) });
          return res.status === 200;
        },
        { timeoutMs, intervalMs: 200, message: `${name} not ready; last output:\n${(proc?.lines ?? []).slice(-15).join('\n')}` },
      );
    },
    async stop() {
      stopping = true;
      await proc?.stop('SIGTERM', 15_000);
    },
  };
  return s;
}

/** Starts every service (each its own process) with the same environment. */
export async function startPipeline(opts: PipelineOptions): Promise<Pipeline> {
  const names = opts.services ?? SERVICE_NAMES;
  const services = new Map<ServiceName, Supervised>();
  let apiPort = 0;
  for (const name of names) {
    const port = await freePort();
    const env = { HOST: '127.0.0.1', ...opts.env, ...(name === 'api' ? { PORT: String(port) } : { HEALTH_PORT: String(port) }) };
    if (name === 'api') apiPort = port;
    services.set(name, supervise(name, env, port, opts.restartDelayMs ?? 300));
  }
  const get = (name: ServiceName) => {
    const s = services.get(name);
    if (!s) throw new Error(`service ${name} is not part of this pipeline`);
    return s;
  };
  return {
    services,
    get,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    allLines: () => [...services.values()].flatMap((s) => s.lines()),
    async stop() {
      await Promise.allSettled([...services.values()].map((s) => s.stop()));
    },
  };
}

/** Prometheus text → value of one sample (summed over every series that matches the labels). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have: Record<string, string> = {};
    for (const part of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) have[part[1]!] = part[2]!;
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[4]);
  }
  return sum;
}

export async function scrape(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
  return res.text();
}
