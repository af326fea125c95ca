/**
 * The poll path on a busy college Saturday (300 games from the simulator): the first
 * poll (every game new), then unchanged polls: CPU time of the poller, events published,
 * Postgres and Redis writes caused (grader and cache-writer running, as in production).
 * The simulator runs in a process of its own: building and gzipping its 300-game answer
 * is ESPN's work, not ours, and used to be counted here.
 */
import { createGraderService, loadConfig as loadGrader } from '@scores/grader';
import { createCacheWriterService, loadConfig as loadCacheWriter } from '@scores/cache-writer';
import { loadConfig as loadPoller, startPoller } from '@scores/poller';
import { easternDate } from '@scores/service-kit';
import { freshDatabase, freshNamespace, testContext, testEnv, testRedis, dropRedisNamespace, waitFor } from '@scores/testkit';
import postgres from 'postgres';
import { median, round, type Bench, type BenchRow } from './lib.js';
import { monitorRedis, profileSpan, settle, startSimProcess } from './support.js';

/**
 * Rows written since `mark` (a transaction id), from the rows themselves: every insert or
 * update leaves a row version whose xmin is newer, every delete lowers a count. The
 * statistics views would say the same only after their flush, up to 10 s late.
 */
async function pgMark(sql: postgres.Sql): Promise<{ xid: number; counts: Map<string, number> }> {
  const [r] = await sql<{ xid: string }[]>`select (pg_current_xact_id()::text::bigint % 4294967296)::text as xid`;
  return { xid: Number(r!.xid), counts: await tableCounts(sql) };
}

async function tableCounts(sql: postgres.Sql): Promise<Map<string, number>> {
  const tables = await sql<{ t: string }[]>`select quote_ident(tablename) as t from pg_tables where schemaname = 'public'`;
  const counts = new Map<string, number>();
  for (const { t } of tables) {
    const [c] = await sql.unsafe<{ n: number }[]>(`select count(*)::int as n from ${t}`);
    counts.set(t, c!.n);
  }
  return counts;
}

async function pgWritesSince(sql: postgres.Sql, mark: { xid: number; counts: Map<string, number> }): Promise<number> {
  let n = 0;
  const now = await tableCounts(sql);
  for (const [t, count] of now) {
    const [c] = await sql.unsafe<{ n: number }[]>(`select count(*)::int as n from ${t} where xmin::text::bigint > $1`, [mark.xid]);
    n += c!.n + Math.max(0, (mark.counts.get(t) ?? 0) - count);
  }
  return n;
}

export const run: Bench = async ({ quick }) => {
  const games = quick ? 60 : 300;
  const reps = quick ? 3 : 15;
  const sim = await startSimProcess();
  await sim.control('/_sim/busy-saturday', { day: easternDate(Date.now()), games });
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

    // CPU first, with nothing else of ours in the process (MONITOR's parsing would count)
    const cpu: number[] = [];
    const sys: number[] = [];
    const wall: number[] = [];
    let events = 0;
    const pg0 = await pgMark(sql);
    const stopProfile = await profileSpan('poll-unchanged');
    for (let i = 0; i < reps; i++) {
      await settle(50); // the previous poll's consumers are done
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const r = await poller.pollNow();
      wall.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
      sys.push(c.system / 1000);
      events += r.changed ?? 0;
    }
    await stopProfile();
    // then the writes of a few more unchanged polls, each seen through MONITOR
    const monitor = await monitorRedis(ns);
    const writeReps = quick ? 2 : 5;
    let scripts = 0;
    const keys = new Set<string>();
    try {
      for (let i = 0; i < writeReps; i++) {
        monitor.reset();
        const r = await poller.pollNow();
        events += r.changed ?? 0;
        await waitFor(() => monitor.scripts() >= 1, { timeoutMs: 5000, message: 'the cache-writer never wrote the poll' });
        await settle(200); // anything else this poll would cause
        scripts += monitor.scripts();
        for (const w of monitor.writes()) keys.add(`${w.command.toUpperCase()} ${w.key}${w.source === 'lua' ? ' (in the script)' : ''}`);
      }
    } finally {
      await monitor.stop();
    }
    const pgDelta = await pgWritesSince(sql, pg0);
    const cpuMs = median(cpu);
    rows.push({
      name: `poll: unchanged ${games}-game Saturday, CPU`,
      value: round(cpuMs, 1),
      unit: 'ms CPU',
      target: '<= 20 ms',
      ...(quick ? {} : { pass: cpuMs <= 20 }),
      runs: cpu.map((x) => round(x, 1)),
      notes:
        `median of ${reps} polls (${round(median(sys), 1)} ms of it in the kernel); wall ${round(median(wall), 1)} ms median. CPU of the process holding the poller, grader and ` +
        'cache-writer (as pnpm start), from the poll tick to its end; the simulator runs in a process of its own',
    });
    rows.push({ name: 'poll: unchanged, game.changed events', value: events, unit: 'events', target: '0', pass: events === 0 });
    rows.push({ name: 'poll: unchanged, Postgres rows written', value: pgDelta, unit: 'rows', target: '0', pass: pgDelta === 0 });
    const onlyPoll = [...keys].every((k) => /(live_state|last_poll)/.test(k));
    rows.push({
      name: 'poll: unchanged, Redis script calls per poll',
      value: round(scripts / writeReps, 2),
      unit: 'calls',
      target: '1, writing only live_state + last_poll',
      pass: scripts / writeReps === 1 && onlyPoll,
      notes:
        `keys written (MONITOR, this namespace only): ${[...keys].sort().join(', ') || 'none'}. ` +
        'INFO commandstats counted 3 per poll because it counts the two SETs inside the script as well as the EVALSHA',
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
