import { createRegistry, easternDate, Health, type Logger } from '@scores/service-kit';
import { testLogger } from '@scores/testkit';
import type { FastifyInstance } from 'fastify';
import type { GameWithRevision } from '@scores/contracts';
import type { League, LeagueGame, Pick, Standing } from '@scores/grader';
import { buildApp, createRuntime, loadConfig, type ApiConfig, type ApiRuntime, type LeagueStore, type ReplaySource } from '../src/index.js';

export const KEY = 'test-key-0123456789abcdef';
export const NOW = Date.parse('2026-11-28T18:00:00.000Z');
export const TODAY = easternDate(NOW);

export function testConfig(env: Record<string, string> = {}): ApiConfig {
  return loadConfig({ API_KEYS: KEY, ...env });
}

export type Call = [method: string, ...args: unknown[]];

/** A league store that records calls and answers what a test sets. */
export function fakeLeagues(answers: Partial<LeagueStore> = {}): LeagueStore & { calls: Call[] } {
  const calls: Call[] = [];
  const league: League = {
    id: '00000000-0000-4000-8000-000000000001',
    name: 'Office',
    againstTheSpread: true,
    pointsPerCorrect: 1,
    keyPickBonus: 1,
    pushPoints: 0,
    createdAt: new Date(NOW).toISOString(),
  };
  const record =
    <A extends unknown[], R>(name: string, fallback: (...args: A) => R) =>
    (...args: A): R => {
      calls.push([name, ...args]);
      const custom = (answers as Record<string, ((...a: A) => R) | undefined>)[name];
      return custom ? custom(...args) : fallback(...args);
    };
  return {
    calls,
    createLeague: record('createLeague', async (input) => ({ ...league, ...input, keyPickBonus: input.keyPickBonus ?? 0, pushPoints: input.pushPoints ?? 0 })),
    getLeague: record('getLeague', async (id: string) => (id === league.id ? league : null)),
    putLeagueGame: record('putLeagueGame', async (leagueId: string, gameId: string, input) => ({
      leagueGame: { leagueId, gameId, homeSpread: input.homeSpread ?? null, tiebreaker: input.tiebreaker ?? false, week: 13 } satisfies LeagueGame,
      created: true,
    })),
    upsertPick: record('upsertPick', async (leagueId: string, input) => ({
      pick: {
        id: '1',
        leagueId,
        userId: input.userId,
        gameId: input.gameId,
        teamId: input.teamId,
        keyPick: input.keyPick ?? false,
        pointsGuess: input.pointsGuess ?? null,
        week: 13,
        result: null,
        points: 0,
        gradedRevision: null,
        createdAt: new Date(NOW).toISOString(),
        updatedAt: new Date(NOW).toISOString(),
      } satisfies Pick,
      created: true,
    })),
    listLeagueGames: record('listLeagueGames', async () => [] as LeagueGame[]),
    listPicks: record('listPicks', async () => [] as Pick[]),
    getStandings: record('getStandings', async () => [] as Standing[]),
    ping: record('ping', async () => undefined),
  };
}

/** Replays out of an in-memory list of (seq, game). */
export function memoryReplay(messages: { seq: number; game: GameWithRevision }[] = []): ReplaySource & { messages: typeof messages } {
  return {
    messages,
    async bounds() {
      return messages.length ? { first: messages[0]!.seq, last: messages.at(-1)!.seq } : { first: 1, last: 0 };
    },
    async read(from, to, onGame) {
      for (const m of messages) if (m.seq >= from && m.seq <= to) onGame(m.game, m.seq);
    },
  };
}

export interface TestApp {
  app: FastifyInstance;
  runtime: ApiRuntime;
  leagues: ReturnType<typeof fakeLeagues>;
  health: Health;
  registry: ReturnType<typeof createRegistry>;
  now: { ms: number };
}

/** An app over in-memory state and fakes: no I/O; the clock is pinned to NOW unless moved. */
export async function makeApp(
  opts: {
    config?: ApiConfig;
    leagues?: ReturnType<typeof fakeLeagues>;
    replay?: ReplaySource;
    /** read at start, stream sequences 1, 2, 3, ... */
    games?: GameWithRevision[];
    /** read at start with these sequences (after `games`) */
    stream?: { seq: number; game: GameWithRevision }[];
    log?: Logger;
  } = {},
): Promise<TestApp> {
  const config = opts.config ?? testConfig();
  const log = opts.log ?? testLogger();
  const registry = createRegistry();
  const now = { ms: NOW };
  const runtime = createRuntime(config, log, undefined, { today: () => easternDate(now.ms) });
  let seq = 0;
  for (const g of opts.games ?? []) runtime.snapshot.apply(g, ++seq);
  for (const m of opts.stream ?? []) runtime.snapshot.apply(m.game, m.seq);
  runtime.hub.startRecording(runtime.snapshot.position);
  const health = new Health();
  health.add('nats', () => undefined);
  const leagues = opts.leagues ?? fakeLeagues();
  const app = await buildApp({
    ...runtime,
    config,
    ns: 'unit',
    log,
    replay: opts.replay ?? memoryReplay(),
    leagues,
    health,
    registry,
    instance: 'unit-1',
    now: () => now.ms,
  });
  await app.ready();
  return { app, runtime, leagues, health, registry, now };
}

export const json = <T = unknown>(res: { body: string }): T => JSON.parse(res.body) as T;
