/**
 * One run of the game day: private NATS, Redis and Postgres, the ESPN simulator holding
 * `buildGameDay(day)` with its clock paused at the first snapshot, the five services as
 * separate processes, and the leagues put on the slate before kickoff. `go(speed)` lets
 * the sim clock run; `quiescent()` says whether every store agrees on every game's last
 * revision with the day over.
 */
import { buildGameDay, gameDayScript, startSimulator, type Simulator } from '@scores/espn-sim';
import { createSql } from '@scores/grader';
import { freshNamespace, waitFor } from '@scores/testkit';
import { isFinal, isVoid, type GameWithRevision } from '@scores/contracts';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { setUpLeagues, type SlateLeague } from './leagues.js';
import { startPipeline, type Pipeline } from './pipeline.js';
import { startPrivateServers, type PrivateServers } from './servers.js';
import { captureState, readStreams, type RunState, type StreamFacts } from './state.js';

export const API_KEY = 'chaos-key-0123456789abcdef';

export interface GameDayRun {
  label: string;
  ns: string;
  day: string;
  servers: PrivateServers;
  sim: Simulator;
  pipeline: Pipeline;
  sql: postgres.Sql;
  redis: Redis;
  leagues: SlateLeague[];
  gameIds: string[];
  /** sim time at which the recording ends (the last snapshot) */
  endsAt: number;
  go(speed: number): void;
  /** undefined while some store still lags; the facts once everything agrees */
  quiescent(): Promise<{ streams: StreamFacts; state: RunState } | undefined>;
  close(): Promise<void>;
}

export function pipelineEnv(opts: { ns: string; servers: PrivateServers; databaseUrl: string; espnBaseUrl: string }): Record<string, string> {
  return {
    NAMESPACE: opts.ns,
    NATS_URL: opts.servers.nats.url,
    DATABASE_URL: opts.databaseUrl,
    REDIS_URL: opts.servers.redis.url,
    ESPN_BASE_URL: opts.espnBaseUrl,
    POLL_LIVE_S: '1',
    POLL_IDLE_S: '2',
    POLL_OFFSEASON_S: '2',
    POLL_MIN_GAP_S: '0',
    BREAKER_FAILURES: '3',
    BREAKER_OPEN_S: '2',
    ESPN_TIMEOUT_MS: '1500',
    ESPN_RETRIES: '1',
    ESPN_RETRY_BASE_MS: '100',
    ESPN_MAX_RETRY_AFTER_S: '5',
    ESPN_RATE_LIMIT_PER_S: '50',
    CACHE_REFRESH_S: '2',
    GRADER_OUTBOX_INTERVAL_S: '2',
    DATABASE_POOL_MAX: '4',
    SHUTDOWN_GRACE_S: '5',
    API_KEYS: API_KEY,
    RATE_LIMIT_ALLOWLIST: '127.0.0.1,::1',
    LOG_LEVEL: 'info',
  };
}

export async function startGameDayRun(label: string, day: string): Promise<GameDayRun> {
  const servers = await startPrivateServers();
  const cleanups: (() => Promise<unknown>)[] = [() => servers.destroy()];
  try {
    const ns = freshNamespace(label);
    const admin = postgres(servers.postgres.url, { max: 1, onnotice: () => undefined });
    await admin.unsafe('create database scores');
    await admin.end();
    const databaseUrl = servers.postgres.databaseUrl('scores');

    const recording = buildGameDay({ day });
    const first = recording.snapshots[0]!.at;
    const endsAt = recording.snapshots.at(-1)!.at.getTime();
    const sim = await startSimulator({ clock: first }); // paused at 11:30 ET until go()
    cleanups.unshift(() => sim.close());
    sim.loadRecording(recording);

    const pipeline = await startPipeline({ env: pipelineEnv({ ns, servers, databaseUrl, espnBaseUrl: sim.baseUrl }) });
    cleanups.unshift(() => pipeline.stop());
    await Promise.all([...pipeline.services.values()].map((s) => s.ready(90_000)));

    // a pool that survives Postgres restarts (the grader's own settings)
    const sql = createSql(databaseUrl, { max: 2, applicationName: `chaos-${label}` });
    cleanups.unshift(() => sql.end({ timeout: 2 }));
    const redis = new Redis(servers.redis.url, { maxRetriesPerRequest: 1, lazyConnect: false });
    redis.on('error', () => undefined); // Redis restarts under chaos; reads are retried by waitFor
    cleanups.unshift(async () => redis.disconnect());

    const script = gameDayScript(day);
    const gameIds = script.map((g) => g.eventId);
    await waitFor(
      async () => {
        const [row] = await sql<{ n: number }[]>`select count(*)::int as n from games where id in ${sql(gameIds)}`;
        return row?.n === gameIds.length;
      },
      { timeoutMs: 60_000, intervalMs: 200, message: `${label}: the game day did not reach Postgres` },
    );
    const { leagues } = await setUpLeagues(sql, day);

    const run: GameDayRun = {
      label,
      ns,
      day,
      servers,
      sim,
      pipeline,
      sql,
      redis,
      leagues,
      gameIds,
      endsAt,
      go: (speed) => sim.clock.run(speed),
      async quiescent() {
        if (sim.clock.now().getTime() < endsAt) return undefined;
        const streams = await readStreams(servers.nats.url, ns);
        const state = await captureState({ sql, redis, ns, apiUrl: pipeline.apiUrl, leagues, gameIds, day });
        const [outbox] = await sql<{ n: number }[]>`select count(*)::int as n from outbox where sent_at is null`;
        if ((outbox?.n ?? 1) > 0) return undefined;
        for (const g of script) {
          const revs = streams.revisions[g.eventId] ?? [];
          const last = Math.max(0, ...revs);
          const agree = (x: GameWithRevision | undefined) => x !== undefined && x.revision === last;
          if (!agree(state.pgGames[g.eventId]) || !agree(state.redisGames[g.eventId]) || !agree(state.apiGames[g.eventId])) return undefined;
          const game = state.pgGames[g.eventId]!;
          // every game but the night game has finished (or been called off) by the end of the recording
          if (g.final !== null || g.role === 'canceled' || g.role === 'postponed') {
            if (!isFinal(game) && !isVoid(game)) return undefined;
            const grades = streams.grades[g.eventId] ?? [];
            if (!grades.some((e) => e.revision === last)) return undefined;
          }
        }
        return { streams, state };
      },
      async close() {
        for (const c of cleanups) await c().catch(() => undefined);
      },
    };
    return run;
  } catch (err) {
    for (const c of cleanups) await c().catch(() => undefined);
    throw err;
  }
}
