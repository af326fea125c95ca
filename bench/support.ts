/**
 * What several benchmarks share: the ESPN simulator in a process of its own (so its
 * JSON and gzip work is never counted as the poller's CPU), a record of the Redis writes
 * of one namespace, and small timing helpers.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { startProcess, testEnv, waitFor, type RunningProcess } from '@scores/testkit';
import { Redis } from 'ioredis';

export interface SimProcess {
  /** the poller's ESPN_BASE_URL */
  baseUrl: string;
  origin: string;
  proc: RunningProcess;
  /** POST to the control API (/_sim/...), JSON in and out; throws on a non-2xx answer */
  control<T = unknown>(path: string, body?: unknown, method?: string): Promise<T>;
  close(): Promise<void>;
}

export async function startSimProcess(): Promise<SimProcess> {
  const proc = startProcess(['packages/espn-sim/src/main.ts', '--port', '0'], {});
  const line = await waitFor(() => proc.lines.find((l) => l.startsWith('http://')), {
    timeoutMs: 20_000,
    message: `simulator did not start: ${proc.lines.join('\n')}`,
  });
  const baseUrl = line.trim();
  const origin = new URL(baseUrl).origin;
  return {
    baseUrl,
    origin,
    proc,
    async control<T>(path: string, body?: unknown, method = 'POST'): Promise<T> {
      const res = await fetch(`${origin}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`simulator ${method} ${path}: ${res.status} ${text}`);
      return JSON.parse(text) as T;
    },
    async close() {
      await proc.stop('SIGTERM', 5000);
    },
  };
}

const WRITE_COMMANDS = new Set(['set', 'setex', 'psetex', 'del', 'unlink', 'expire', 'pexpire', 'hset', 'incr', 'incrby', 'getset', 'setnx']);

export interface RedisWrite {
  command: string;
  key: string;
  /** 'lua' when a script issued it */
  source: 'client' | 'lua';
}

/**
 * Every command touching one namespace's keys, seen through MONITOR. INFO commandstats
 * would count server-wide (other test runs share this Redis) and counts a script's inner
 * commands as well as the script call itself.
 */
export async function monitorRedis(ns: string): Promise<{
  scripts: () => number;
  writes: () => RedisWrite[];
  reset(): void;
  stop(): Promise<void>;
}> {
  const redis = new Redis(testEnv.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const monitor = await redis.monitor();
  let scripts = 0;
  let writes: RedisWrite[] = [];
  const prefix = `${ns}:`;
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    const [cmd, ...rest] = args;
    const command = (cmd ?? '').toLowerCase();
    if (command === 'evalsha' || command === 'eval') {
      const n = Number(rest[1] ?? 0);
      if (rest.slice(2, 2 + n).some((k) => k.startsWith(prefix))) scripts++;
      return;
    }
    const key = rest[0];
    if (!key?.startsWith(prefix) || !WRITE_COMMANDS.has(command)) return;
    writes.push({ command, key: key.slice(prefix.length), source: source === 'lua' ? 'lua' : 'client' });
  });
  return {
    scripts: () => scripts,
    writes: () => writes,
    reset() {
      scripts = 0;
      writes = [];
    },
    async stop() {
      monitor.disconnect();
      redis.disconnect();
    },
  };
}

/** Resolves when the event loop has turned over `turns` times (lets in-process consumers run). */
export const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * With BENCH_PROFILE=<dir>, a V8 CPU profile of just the measured span of this process
 * (`<dir>/<name>.cpuprofile`, read with bench/profile-top.ts); otherwise nothing.
 */
export async function profileSpan(name: string): Promise<() => Promise<void>> {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return async () => undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: Number(process.env.BENCH_PROFILE_INTERVAL_US ?? 500) });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  };
}

/** Resident memory of a process, in MB (VmRSS from /proc). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return Math.round(kb / 1024);
}
