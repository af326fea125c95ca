/**
 * Idle memory: each service started alone as a container runs it (bundled by
 * scripts/build.mjs, `node dist/main.mjs`), then `pnpm start` (all five in one process,
 * through tsx), each on a deployment of its own with nothing to do; RSS (VmRSS) read once
 * it is ready and has idled a few seconds. For comparison, each service run through tsx
 * (`pnpm --dir services/<name> dev`): tsx's module hooks run in a loader thread of their
 * own (a second V8 isolate) holding every transformed source, which is why deployments run
 * the bundle.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot, startProcess, type RunningProcess } from '@scores/testkit';
import type { Bench, BenchRow } from './lib.js';
import { rssOf, settle } from './support.js';
import { openStack } from './stack.js';

const SERVICES = ['scheduler', 'poller', 'grader', 'cache-writer', 'api'] as const;

export const run: Bench = async ({ quick }) => {
  const idleMs = quick ? 1000 : 5000;
  const stack = await openStack('benchmem', { games: 300 });
  const rows: BenchRow[] = [];
  const measure = async (
    label: string,
    args: string[],
    limitMb: number | undefined,
    count: number,
    opts: { cwd?: string; tsx?: boolean } = {},
  ) => {
    let proc: RunningProcess | undefined;
    try {
      proc = startProcess(args, { ...stack.env, LOG_LEVEL: 'info' }, opts);
      await waitForCount(proc, (l) => l.msg === 'service started', count);
      await settle(idleMs);
      const rss = rssOf(proc.child.pid!);
      rows.push({
        name: `idle memory: ${label}`,
        value: rss,
        unit: 'MB RSS',
        ...(limitMb === undefined ? {} : { target: `<= ${limitMb} MB`, pass: rss <= limitMb }),
        notes: `after ${idleMs / 1000} s idle`,
      });
    } finally {
      await proc?.stop('SIGTERM', 10_000);
    }
  };
  try {
    execFileSync(process.execPath, [join(repoRoot, 'scripts/build.mjs')], { cwd: repoRoot, stdio: 'ignore' });
    // quick (CI): one service and the all-in-one, each way, so every path still runs
    const services = quick ? SERVICES.slice(0, 1) : SERVICES;
    for (const name of services) {
      await measure(`${name} (bundled, node dist/main.mjs)`, ['dist/main.mjs'], 100, 1, { cwd: join(repoRoot, 'services', name), tsx: false });
    }
    await measure('pnpm start (all five in one process, tsx)', ['packages/cli/src/bin.ts', 'start'], 250, SERVICES.length);
    for (const name of services) await measure(`${name} through tsx (dev)`, [`services/${name}/src/main.ts`], undefined, 1);
  } finally {
    await stack.close();
  }
  return rows;
};

async function waitForCount(proc: RunningProcess, match: (l: Record<string, unknown>) => boolean, count: number) {
  const deadline = Date.now() + 60_000;
  while (proc.logs().filter(match).length < count) {
    if (proc.child.exitCode !== null) throw new Error(`exited ${proc.child.exitCode}: ${proc.lines.slice(-10).join('\n')}`);
    if (Date.now() > deadline) throw new Error(`not started in 60 s: ${proc.lines.slice(-10).join('\n')}`);
    await settle(100);
  }
}
