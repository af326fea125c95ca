/**
 * A deployment of our own for one benchmark, on the real NATS, Postgres and Redis: a
 * fresh namespace, a migrated database, the environment every service reads, and (when
 * asked) the simulator in its own process serving a busy college Saturday.
 */
import { easternDate } from '@scores/service-kit';
import { loadConfig as loadPoller, startPoller } from '@scores/poller';
import { createSql, migrate } from '@scores/grader';
import { dropRedisNamespace, freshDatabase, freshNamespace, testContext, testEnv, testRedis } from '@scores/testkit';
import { startSimProcess, type SimProcess } from './support.js';

export type Ctx = Awaited<ReturnType<typeof testContext>>;

export interface Stack {
  ns: string;
  ctx: Ctx;
  db: Awaited<ReturnType<typeof freshDatabase>>;
  /** what every service of this deployment reads (as pnpm start would) */
  env: Record<string, string>;
  sim: SimProcess | undefined;
  /** the day the Saturday is played on (US Eastern): today */
  day: string;
  /** one poll through the real poller: every game of the simulator published once */
  publishGames(): Promise<number>;
  close(): Promise<void>;
}

export async function openStack(label: string, opts: { games?: number } = {}): Promise<Stack> {
  const ns = freshNamespace(label);
  const db = await freshDatabase(label);
  const ctx = await testContext(ns);
  const sql = createSql(db.url, { max: 1 });
  let sim: SimProcess | undefined;
  const day = easternDate(Date.now());
  try {
    await migrate(sql);
    if (opts.games) {
      sim = await startSimProcess();
      await sim.control('/_sim/busy-saturday', { day, games: opts.games });
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
  const env: Record<string, string> = {
    NAMESPACE: ns,
    NATS_URL: testEnv.natsUrl,
    DATABASE_URL: db.url,
    REDIS_URL: testEnv.redisUrl,
    LOG_LEVEL: 'silent',
    ESPN_LEAGUES: 'football/college-football',
    ...(sim ? { ESPN_BASE_URL: sim.baseUrl } : {}),
    POLL_MIN_GAP_S: '0',
    HOST: '127.0.0.1',
    PORT: '0',
    HEALTH_PORT: '0',
    ...(process.env.BENCH_GRADER_CONCURRENCY ? { GRADER_CONCURRENCY: process.env.BENCH_GRADER_CONCURRENCY } : {}),
    // the load comes from loopback: no rate-limit round trip to Redis per request
    RATE_LIMIT_ALLOWLIST: '127.0.0.1,::1',
  };
  return {
    ns,
    ctx,
    db,
    env,
    sim,
    day,
    async publishGames() {
      const { common: _c, ...cfg } = loadPoller(env);
      const poller = await startPoller(ctx, cfg);
      try {
        const r = await poller.pollNow();
        if (!r.ok) throw new Error(`the poll failed: ${r.error ?? 'unknown'}`);
        return r.changed ?? 0;
      } finally {
        await poller.stop();
      }
    },
    async close() {
      const redis = testRedis();
      await dropRedisNamespace(redis, ns).catch(() => undefined);
      redis.disconnect();
      await ctx.close();
      await db.drop();
      await sim?.close();
    },
  };
}
