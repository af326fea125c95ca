/**
 * Idle memory: each service started alone as a container runs it (`node --import tsx
 * services/<name>/src/main.ts`), then `pnpm start` (all five in one process), each on a
 * deployment of its own with nothing to do; RSS (VmRSS) read once it is ready and has
 * idled a few seconds. tsx transforms TypeScript with esbuild, which runs as a child
 * process of its own when its cache misses: its RSS is reported beside the service's.
 *
 * Then the same processes compiled ahead of time: each entry bundled by esbuild into one
 * ES module run by plain `node` (no loader). tsx's module hooks run in a loader thread
 * of their own (a second V8 isolate) holding every transformed source: the difference
 * is what running TypeScript through tsx costs in production.
 */
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { repoRoot, startProcess, type RunningProcess } from '@scores/testkit';
import { spawn } from 'node:child_process';
import type { Bench, BenchRow } from './lib.js';
import { rssOf, settle } from './support.js';
import { openStack } from './stack.js';

/** Every process below `pid` (esbuild's service, for one), from /proc. */
function descendants(pid: number): number[] {
  let kids: number[] = [];
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return kids.flatMap((k) => [k, ...descendants(k)]);
}

const SERVICES = ['scheduler', 'poller', 'grader', 'cache-writer', 'api'] as const;

export const run: Bench = async ({ quick }) => {
  const idleMs = quick ? 1000 : 5000;
  const stack = await openStack('benchmem', { games: 300 });
  const rows: BenchRow[] = [];
  const measure = async (
    label: string,
    args: string[],
    limitMb: number,
    ready: (l: Record<string, unknown>) => boolean,
    count: number,
    compiled = false,
  ) => {
    let proc: RunningProcess | undefined;
    try {
      proc = compiled ? startPlain(args, { ...stack.env, LOG_LEVEL: 'info' }) : startProcess(args, { ...stack.env, LOG_LEVEL: 'info' });
      await waitForCount(proc, ready, count);
      await settle(idleMs);
      const pid = proc.child.pid!;
      const rss = rssOf(pid);
      const children = descendants(pid).map((p) => ({ pid: p, rss: rssOf(p), cmd: readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0')[0] ?? '' }));
      const esbuild = children.filter((c) => c.cmd.includes('esbuild')).reduce((s, c) => s + c.rss, 0);
      rows.push({
        name: `idle memory: ${label}`,
        value: rss,
        unit: 'MB RSS',
        target: `<= ${limitMb} MB`,
        ...(compiled ? {} : { pass: rss <= limitMb }),
        notes: `after ${idleMs / 1000} s idle; tsx's esbuild child: ${esbuild ? `${esbuild} MB besides` : 'none running'}`,
      });
    } finally {
      await proc?.stop('SIGTERM', 10_000);
    }
  };
  const started = (l: Record<string, unknown>) => l.msg === 'service started';
  const dist = join(repoRoot, 'services/api/.bench-dist');
  try {
    // quick (CI): one service and the all-in-one, each both ways, so every path still runs
    const services = quick ? SERVICES.slice(0, 1) : SERVICES;
    for (const name of services) await measure(name, [`services/${name}/src/main.ts`], 100, started, 1);
    await measure('pnpm start (all five in one process)', ['packages/cli/src/bin.ts', 'start'], 250, started, SERVICES.length);

    const bundles = await bundleAll(dist);
    for (const name of services) await measure(`${name}, compiled (no tsx)`, [bundles[name]!], 100, started, 1, true);
    await measure('all five in one process, compiled (no tsx)', [bundles.all!, 'start'], 250, started, SERVICES.length, true);
  } finally {
    rmSync(dist, { recursive: true, force: true });
    await stack.close();
  }
  return rows;
};

/**
 * One ES module per entry, under services/api/.bench-dist/<name>/ so that what the code
 * finds relative to itself is where it expects it: `../package.json` (the version) and the
 * api's `../../public/` pages, the grader's `./migrations/`; @fastify/swagger-ui stays a package (it serves files from
 * its own directory), resolved from the api's node_modules.
 */
async function bundleAll(dist: string): Promise<Record<string, string>> {
  mkdirSync(dist, { recursive: true });
  copyFileSync(join(repoRoot, 'services/api/package.json'), join(dist, 'package.json'));
  const entries: Record<string, string> = Object.fromEntries(SERVICES.map((n) => [n, `services/${n}/src/main.ts`]));
  entries.all = 'packages/cli/src/bin.ts';
  const out: Record<string, string> = {};
  for (const [name, entry] of Object.entries(entries)) {
    const outfile = join(dist, name, 'main.mjs');
    await build({
      entryPoints: [join(repoRoot, entry)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: ['@fastify/swagger-ui'],
      // CommonJS dependencies inside an ES module still need require
      banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
      logLevel: 'error',
    });
    // the grader reads its migrations from beside its module
    cpSync(join(repoRoot, 'services/grader/src/db/migrations'), join(dist, name, 'migrations'), { recursive: true });
    out[name] = outfile;
  }
  return out;
}

/** `node <file>` without tsx, collecting output as startProcess does. */
function startPlain(args: string[], env: Record<string, string>): RunningProcess {
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const collect = (buf: Buffer) => lines.push(...buf.toString('utf8').split('\n').filter(Boolean));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const logs = () =>
    lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  return {
    child,
    lines,
    logs,
    exited,
    waitForLog: () => Promise.reject(new Error('not used here')),
    async stop(signal = 'SIGTERM', timeoutMs = 30_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

async function waitForCount(proc: RunningProcess, match: (l: Record<string, unknown>) => boolean, count: number) {
  const deadline = Date.now() + 60_000;
  while (proc.logs().filter(match).length < count) {
    if (proc.child.exitCode !== null) throw new Error(`exited ${proc.child.exitCode}: ${proc.lines.slice(-10).join('\n')}`);
    if (Date.now() > deadline) throw new Error(`not started in 60 s: ${proc.lines.slice(-10).join('\n')}`);
    await settle(100);
  }
}
