/**
 * What a container runs: each service bundled by scripts/build.mjs and started with plain
 * `node dist/main.mjs` (no tsx). Each one comes up ready against real NATS, Postgres and
 * Redis, answers its probes, and stops cleanly on SIGTERM.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import {
  connectTestNats,
  dropNamespace,
  dropRedisNamespace,
  freshDatabase,
  freshNamespace,
  repoRoot,
  startProcess,
  testEnv,
  testRedis,
  waitFor,
} from '@scores/testkit';

const SERVICES = ['scheduler', 'poller', 'grader', 'cache-writer', 'api'] as const;

describe('the bundled services, as the image runs them', () => {
  const ns = freshNamespace('bundle');
  let db: Awaited<ReturnType<typeof freshDatabase>>;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(repoRoot, 'scripts/build.mjs')], { cwd: repoRoot, stdio: 'inherit' });
    db = await freshDatabase('bundle');
  }, 120_000);

  afterAll(async () => {
    const nc = await connectTestNats('bundle-cleanup');
    await dropNamespace(await jetstreamManager(nc), ns);
    await nc.drain();
    const redis = testRedis();
    await dropRedisNamespace(redis, ns);
    redis.disconnect();
    await db?.drop();
  });

  it.each(SERVICES)('%s starts from its bundle with plain node, is ready, and stops on SIGTERM', async (name) => {
    const dir = join(repoRoot, 'services', name);
    expect(existsSync(join(dir, 'dist/main.mjs'))).toBe(true);
    const proc = startProcess(
      ['dist/main.mjs'],
      {
        NAMESPACE: ns,
        NATS_URL: testEnv.natsUrl,
        DATABASE_URL: db.url,
        REDIS_URL: testEnv.redisUrl,
        HEALTH_PORT: '0',
        PORT: '0',
        HOST: '127.0.0.1',
        ESPN_BASE_URL: 'http://127.0.0.1:9/apis/site/v2/sports',
        LOG_LEVEL: 'info',
      },
      { cwd: dir, tsx: false },
    );
    try {
      const listening = await proc.waitForLog((l) => l.msg === 'health server listening' || l.msg === 'api listening', 30_000);
      const port = Number(listening.port);
      const ready = await waitFor(async () => {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        return res.status === 200 ? ((await res.json()) as { status: string }) : undefined;
      }, { timeoutMs: 20_000 });
      expect(ready.status).toBe('ready');
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
    } finally {
      expect(await proc.stop('SIGTERM')).toBe(0);
    }
  });
});
