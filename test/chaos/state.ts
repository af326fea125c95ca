/**
 * What one run of the pipeline ends with, in a form two runs can be compared in: Postgres
 * (games, picks with their grades, standings), the Redis keys, the api's answers, and the
 * two streams (game.changed revisions, picks.graded). Revision numbers are left out of
 * what is compared across runs: how many revisions a game went through depends on which
 * snapshots a run happened to poll. They are checked within a run instead (stream,
 * Postgres, Redis and api agree on each game's last revision).
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { decode, GameChanged, PicksGraded, streamSpecs, type GameWithRevision } from '@scores/contracts';
import { redisKeys } from '@scores/cache-writer';
import { getStandings, listGames, listPicks } from '@scores/grader';
import { readStream } from '@scores/testkit';
import type { Redis } from 'ioredis';
import type postgres from 'postgres';
import type { SlateLeague } from './leagues.js';

export type Plain = Record<string, unknown>;

export function withoutRevision(g: GameWithRevision | Plain): Plain {
  const { revision: _revision, ...rest } = g as Plain;
  return rest;
}

const byKey = <T>(xs: T[], key: (x: T) => string) => [...xs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

export interface StreamFacts {
  /** game.changed revisions per game, in stream order */
  revisions: Record<string, number[]>;
  /** picks.graded events per game and revision */
  grades: Record<string, PicksGraded[]>;
  gameMessages: number;
}

export async function readStreams(natsUrl: string, ns: string): Promise<StreamFacts> {
  const nc = await connect({ servers: natsUrl, name: 'chaos-reader' });
  try {
    const ctx = { js: jetstream(nc), jsm: await jetstreamManager(nc) };
    const specs = streamSpecs(ns);
    const games = await readStream(ctx, specs.games.name);
    const revisions: Record<string, number[]> = {};
    for (const m of games) {
      const e = decode(GameChanged, m.data);
      (revisions[e.gameId] ??= []).push(e.revision);
    }
    const graded = await readStream(ctx, specs.grades.name);
    const grades: Record<string, PicksGraded[]> = {};
    for (const m of graded) {
      const e = decode(PicksGraded, m.data);
      (grades[e.gameId] ??= []).push(e);
    }
    return { revisions, grades, gameMessages: games.length };
  } finally {
    await nc.drain().catch(() => nc.close());
  }
}

export interface RunState {
  /** Postgres: each game as the data layer answers it */
  pgGames: Record<string, GameWithRevision>;
  /** per league name: picks without ids/times, sorted by member and game */
  picks: Record<string, Plain[]>;
  /** per league name: season standings and week standings */
  standings: Record<string, { season: Plain[]; weeks: Record<string, Plain[]> }>;
  /** Redis: each game key's value */
  redisGames: Record<string, GameWithRevision>;
  liveState: Plain | null;
  breaker: Plain | null;
  lastPoll: string | null;
  /** the api's answers */
  apiGames: Record<string, GameWithRevision>;
  apiPicks: Record<string, Plain[]>;
  apiStandings: Record<string, Plain[]>;
  apiMeta: Plain;
}

const pickView = (p: Plain) => ({
  userId: p.userId,
  gameId: p.gameId,
  teamId: p.teamId,
  keyPick: p.keyPick,
  pointsGuess: p.pointsGuess ?? null,
  week: p.week,
  result: p.result,
  points: Number(p.points),
});

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export async function captureState(opts: {
  sql: postgres.Sql;
  redis: Redis;
  ns: string;
  apiUrl: string;
  leagues: SlateLeague[];
  gameIds: string[];
  day: string;
}): Promise<RunState> {
  const { sql, redis, ns, apiUrl } = opts;
  const keys = redisKeys(ns);
  const page = await listGames(sql, { ids: opts.gameIds, limit: 500 });
  const pgGames = Object.fromEntries(page.games.map((g) => [g.id, g]));

  const picks: RunState['picks'] = {};
  const standings: RunState['standings'] = {};
  const apiPicks: RunState['apiPicks'] = {};
  const apiStandings: RunState['apiStandings'] = {};
  for (const league of opts.leagues) {
    const rows = await listPicks(sql, league.id);
    picks[league.name] = byKey(rows.map((p) => pickView(p as unknown as Plain)), (p) => `${String(p.userId)}/${String(p.gameId)}`);
    const weeks = [...new Set(rows.map((p) => p.week))].sort((a, b) => a - b);
    const season = (await getStandings(sql, league.id)).map((s) => ({ ...s, points: Number(s.points), tiebreak: s.tiebreak === null ? null : Number(s.tiebreak) }));
    const perWeek: Record<string, Plain[]> = {};
    for (const w of weeks) {
      perWeek[String(w)] = (await getStandings(sql, league.id, { week: w })).map((s) => ({ ...s, points: Number(s.points), tiebreak: s.tiebreak === null ? null : Number(s.tiebreak) }));
    }
    standings[league.name] = { season: byKey(season as unknown as Plain[], (s) => String(s.userId)), weeks: perWeek };

    const ap = await getJson<{ picks: Plain[] }>(`${apiUrl}/api/leagues/${league.id}/picks`);
    apiPicks[league.name] = byKey(ap.picks.map(pickView), (p) => `${String(p.userId)}/${String(p.gameId)}`);
    const as = await getJson<{ standings: Plain[] }>(`${apiUrl}/api/leagues/${league.id}/standings`);
    apiStandings[league.name] = byKey(
      as.standings.map((s): Plain => ({ ...s, points: Number(s.points), tiebreak: s.tiebreak === null ? null : Number(s.tiebreak) })),
      (s) => String(s.userId),
    );
  }

  const redisGames: RunState['redisGames'] = {};
  for (const id of opts.gameIds) {
    const v = await redis.get(keys.game(id));
    if (v) redisGames[id] = JSON.parse(v) as GameWithRevision;
  }
  const live = await redis.get(keys.liveState);
  const breaker = await redis.get(keys.circuitBreaker);

  const list = await getJson<{ games: GameWithRevision[]; meta: Plain }>(`${apiUrl}/api/games?date=${opts.day}&limit=500`);
  const apiGames = Object.fromEntries(list.games.filter((g) => opts.gameIds.includes(g.id)).map((g) => [g.id, g]));

  return {
    pgGames,
    picks,
    standings,
    redisGames,
    liveState: live ? (JSON.parse(live) as Plain) : null,
    breaker: breaker ? (JSON.parse(breaker) as Plain) : null,
    lastPoll: await redis.get(keys.lastPoll),
    apiGames,
    apiPicks,
    apiStandings,
    apiMeta: list.meta,
  };
}

/** Everything of a run that must equal the clean run's (revision numbers and times left out). */
export function comparable(s: RunState): Plain {
  const games = (m: Record<string, GameWithRevision>) => Object.fromEntries(Object.entries(m).map(([id, g]) => [id, withoutRevision(g)]));
  const live = s.liveState ? { hasLiveGames: s.liveState.hasLiveGames, liveGameCount: s.liveState.liveGameCount } : null;
  return {
    pgGames: games(s.pgGames),
    picks: s.picks,
    standings: s.standings,
    redisGames: games(s.redisGames),
    liveState: live,
    apiGames: games(s.apiGames),
    apiPicks: s.apiPicks,
    apiStandings: s.apiStandings,
    apiLive: s.apiMeta.liveState ? { hasLiveGames: (s.apiMeta.liveState as Plain).hasLiveGames, liveGameCount: (s.apiMeta.liveState as Plain).liveGameCount } : null,
  };
}
