/**
 * The poll path on a busy college Saturday (300 games from the simulator): the first
 * poll (every game new), then unchanged polls: CPU time of the poller, events published,
 * Postgres and Redis writes caused (grader and cache-writer running, as in production).
 */
import { busySaturday, startSimulator } from '@scores/espn-sim';
import { createGraderService, loadConfig as loadGrader } from '@scores/grader';
import { createCacheWriterService, loadConfig as loadCacheWriter } from '@scores/cache-writer';
import { loadConfig as loadPoller, startPoller } from '@scores/poller';
import { easternDate } from '@scores/service-kit';
import { freshDatabase, freshNamespace, testContext, testEnv, testRedis, dropRedisNamespace, waitFor } from '@scores/testkit';
import postgres from 'postgres';
import { median, round, type Bench, type BenchRow } from './lib.js';

async function redisWrites(redis: ReturnType<typeof testRedis>): Promise<number> {
  const info = await redis.info('commandstats');
  let n = 0;
  for (const m of info.matchAll(/cmdstat_(set|setex|del|expire|evalsha|eval|hset|incr|pexpire):calls=(\d+)/g)) n += Number(m[2]);
  return n;
}

async function pgWrites(sql: postgres.Sql, db: string): Promise<number> {
  await new Promise((r) => setTimeout(r, 1200)); // Postgres publishes its counters about once a second
  const [r] = await sql<{ n: string }[]>`select tup_inserted + tup_updated + tup_deleted as n from pg_stat_database where datname = ${db}`;
  return Number(r?.n ?? 0);
}

export const run: Bench = async ({ quick }) => {
  const games = quick ? 60 : 300;
  const reps = quick ? 3 : 15;
  const sim = await startSimulator();
  sim.setEvents('football/college-football', busySaturday({ day: easternDate(Date.now()), games }));
  const ns = freshNamespace('benchpoll');
  const db = await freshDatabase('benchpoll');
  const ctx = await testContext(ns);
  const redis = testRedis();
  const env = {
    NAMESPACE: ns,
    DATABASE_URL: db.url,
    REDIS_URL: testEnv.redisUrl,
    ESPN_BASE_URL: sim.baseUrl,
    ESPN_LEAGUES: 'football/college-football',
    POLL_MIN_GAP_S: '0',
    CACHE_REFRESH_S: '60',
  };
  const grader = await createGraderService(loadGrader(env)).start(ctx);
  const cache = await createCacheWriterService(loadCacheWriter(env)).start(ctx);
  const { common: _c, ...pollerCfg } = loadPoller(env);
  const poller = await startPoller(ctx, pollerCfg);
  const sql = postgres(db.url, { max: 1 });
  const rows: BenchRow[] = [];
  try {
    const first = await poller.pollNow();
    rows.push({ name: `poll: first poll of ${games} games (all new)`, value: round(first.durationMs ?? NaN, 1), unit: 'ms', notes: `${first.changed} events published, ${first.gamesSeen} games seen` });
    await waitFor(async () => {
      const [r] = await sql<{ n: number }[]>`select count(*)::int as n from games`;
      return (r?.n ?? 0) >= games;
    }, { timeoutMs: 60_000 });
    await poller.pollNow(); // warm: the next 7 days are not due again for an idle interval

    const cpu: number[] = [];
    const wall: number[] = [];
    let events = 0;
    const pg0 = await pgWrites(sql, db.name);
    const r0 = await redisWrites(redis);
    for (let i = 0; i < reps; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const r = await poller.pollNow();
      wall.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
      events += r.changed ?? 0;
    }
    await new Promise((r) => setTimeout(r, 300)); // let the consumers see the last poll.completed
    const pgDelta = (await pgWrites(sql, db.name)) - pg0;
    const redisDelta = (await redisWrites(redis)) - r0;
    const cpuMs = median(cpu);
    rows.push({
      name: `poll: unchanged ${games}-game Saturday, CPU of the process`,
      value: round(cpuMs, 1),
      unit: 'ms CPU',
      target: '<= 20 ms',
      ...(quick ? {} : { pass: cpuMs <= 20 }),
      runs: cpu.map((x) => round(x, 1)),
      notes: `wall ${round(median(wall), 1)} ms median; includes the grader and cache-writer of the same process`,
    });
    rows.push({ name: 'poll: unchanged, game.changed events', value: events, unit: 'events', target: '0', pass: events === 0 });
    rows.push({ name: 'poll: unchanged, Postgres rows written', value: pgDelta, unit: 'rows', target: '0', pass: pgDelta === 0 });
    rows.push({
      name: 'poll: unchanged, Redis writes per poll',
      value: round(redisDelta / reps, 2),
      unit: 'writes',
      target: 'live_state + last_poll only (1 script call)',
      pass: redisDelta / reps <= 1,
    });
  } finally {
    await poller.stop();
    await Promise.all([grader.stop(), cache.stop()]);
    await Promise.all([grader.close?.(), cache.close?.()]);
    await sql.end();
    await dropRedisNamespace(redis, ns);
    redis.disconnect();
    await ctx.close();
    await db.drop();
    await sim.close();
  }
  return rows;
};
