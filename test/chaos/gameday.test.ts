/**
 * The game-day equivalence test. The scripted college Saturday is replayed twice at the
 * same accelerated clock, each run on private NATS, Redis and Postgres with the five
 * services as separate processes: once clean, once while the chaos runner kills and
 * restarts every service, restarts NATS and Postgres, flushes and restarts Redis and
 * queues ESPN faults. Both runs must end in the same state.
 *
 * CHAOS_LONG=1: the clock at 30x (a ~10 minute day) and ten rounds of chaos.
 * CHAOS_SEED=<n>: another plan (the default seed makes every run the same plan).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gameDayScript } from '@scores/espn-sim';
import { easternDate } from '@scores/service-kit';
import { waitFor } from '@scores/testkit';
import { planChaos, runChaos, type StepRecord } from './chaos.js';
import { SERVICE_NAMES } from './pipeline.js';
import { report } from './report.js';
import { startGameDayRun, type GameDayRun } from './run.js';
import { comparable, type RunState, type StreamFacts } from './state.js';

const LONG = process.env.CHAOS_LONG === '1';
const SPEED = LONG ? 30 : 120;
const ROUNDS = LONG ? 10 : 1;
const SEED = Number(process.env.CHAOS_SEED ?? 20261128);
const DAY_SIM_MS = 310 * 60_000; // 11:30 to 16:40 ET

describe('the game day under chaos', () => {
  const day = easternDate(Date.now());
  const script = gameDayScript(day);
  let clean: GameDayRun | undefined;
  let chaos: GameDayRun | undefined;
  let cleanEnd: { streams: StreamFacts; state: RunState };
  let chaosEnd: { streams: StreamFacts; state: RunState };
  let steps: StepRecord[] = [];
  const figures: Record<string, unknown> = { speed: SPEED, rounds: ROUNDS, seed: SEED };

  beforeAll(async () => {
    const t0 = Date.now();
    const started = await Promise.allSettled([startGameDayRun('clean', day), startGameDayRun('chaos', day)]);
    [clean, chaos] = started.map((s) => (s.status === 'fulfilled' ? s.value : undefined));
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    if (!clean || !chaos) throw new Error('a run did not start');
    figures.setupMs = Date.now() - t0;

    const dayMs = DAY_SIM_MS / SPEED;
    // chaos from the first kickoffs until shortly before the last final (16:34 ET)
    const plan = planChaos({ seed: SEED, windowMs: dayMs * 0.88 - 15_000, rounds: ROUNDS }).map((p) => ({ ...p, atMs: p.atMs + 10_000 }));
    const t1 = Date.now();
    clean.go(SPEED);
    chaos.go(SPEED);
    steps = await runChaos(plan, { pipeline: chaos.pipeline, servers: chaos.servers, sim: chaos.sim });
    chaos.sim.clearFaults();

    const settle = async (run: GameDayRun) => {
      const facts = await waitFor(() => run.quiescent(), {
        timeoutMs: dayMs + 240_000,
        intervalMs: 1000,
        message: `${run.label} run never settled`,
      });
      return { facts, atMs: Date.now() - t1 };
    };
    const [c, x] = await Promise.all([settle(clean), settle(chaos)]);
    cleanEnd = c.facts;
    chaosEnd = x.facts;
    figures.dayMs = Math.round(dayMs);
    figures.cleanSettledMs = c.atMs;
    figures.chaosSettledMs = x.atMs;
    figures.steps = steps;
    figures.starts = Object.fromEntries(SERVICE_NAMES.map((n) => [n, chaos!.pipeline.get(n).starts]));
    figures.kills = Object.fromEntries(SERVICE_NAMES.map((n) => [n, chaos!.pipeline.get(n).kills]));
    const count = (msg: string) => chaos!.pipeline.allLines().filter((l) => l.includes(`"msg":"${msg}"`)).length;
    figures.chaosLogs = {
      'breaker changed': count('breaker changed'),
      'poll failed': count('poll failed'),
      'ESPN request failed': count('ESPN request failed'),
      'event failed; will retry': count('event failed; will retry'),
      'start-up failed': count('start-up failed'),
      'nats connection status': count('nats connection status'),
    };
    figures.unaskedRestarts = Object.fromEntries(SERVICE_NAMES.map((n) => [n, chaos!.pipeline.get(n).crashes]));
    figures.revisions = {
      clean: cleanEnd.streams.gameMessages,
      chaos: chaosEnd.streams.gameMessages,
    };
    report('gameday', { ...figures, steps: steps.map((s) => `${s.startedAtMs} ms: ${s.label}${s.error ? ` (ERROR ${s.error})` : ''}`) });
  }, 1_800_000);

  afterAll(async () => {
    await Promise.allSettled([clean?.close(), chaos?.close()]);
  });

  it('carries out every step of the chaos plan, killing each service at least once', () => {
    expect(steps.filter((s) => s.error)).toEqual([]);
    for (const name of SERVICE_NAMES) {
      const s = chaos!.pipeline.get(name);
      // a kill drawn while the service was still down from the previous one finds nothing to kill
      expect(s.kills, name).toBeGreaterThanOrEqual(1);
      expect(s.starts, name).toBeGreaterThanOrEqual(1 + s.kills);
    }
    const labels = steps.map((s) => s.label);
    for (const kind of ['restart-nats', 'restart-postgres', 'flush-restart-redis', 'espn 500', 'espn 429', 'espn hang', 'espn malformed', 'espn truncated', 'espn 403 burst']) {
      expect(labels.some((l) => l.startsWith(kind))).toBe(true);
    }
    // the faults were served, not left queued
    expect(chaos!.sim.requests.some((r) => r.fault === 'status')).toBe(true);
    expect(chaos!.sim.requests.some((r) => r.fault === 'malformed')).toBe(true);
  });

  it('ends the clean run as the script says: every final, the corrected final, the void games', () => {
    for (const g of script) {
      const game = cleanEnd.state.pgGames[g.eventId]!;
      if (g.final) {
        expect({ id: g.eventId, state: game.status.state, completed: game.status.completed, home: game.home.score, away: game.away.score }).toEqual({
          id: g.eventId,
          state: 'post',
          completed: true,
          home: g.final.home,
          away: g.final.away,
        });
      } else if (g.role === 'canceled' || g.role === 'postponed') {
        expect(game.status.name).toBe(g.role === 'canceled' ? 'STATUS_CANCELED' : 'STATUS_POSTPONED');
      } else {
        expect(game.status.state).toBe('pre');
      }
    }
    // every pick of a finished or void game is graded, none of the night game
    expect(Object.keys(cleanEnd.state.picks)).toEqual(['ats', 'straight']);
    for (const league of ['ats', 'straight']) {
      expect(cleanEnd.state.picks[league]).toHaveLength(8 * script.length);
      expect(cleanEnd.state.standings[league]!.season).toHaveLength(8);
      expect(cleanEnd.state.apiStandings[league]).toHaveLength(8);
    }
    expect(Object.keys(cleanEnd.state.redisGames).sort()).toEqual(script.map((g) => g.eventId).sort());
    for (const league of Object.values(cleanEnd.state.picks)) {
      for (const p of league) {
        const g = script.find((s) => s.eventId === p.gameId)!;
        expect(p.result === null).toBe(g.role === 'night-scheduled');
      }
    }
  });

  it('ends the chaos run with Postgres, Redis and the api answers equal to the clean run', () => {
    expect(comparable(chaosEnd.state)).toEqual(comparable(cleanEnd.state));
  });

  it('publishes every game.changed revision of every game once, in order, none missing', () => {
    for (const end of [cleanEnd, chaosEnd]) {
      for (const id of script.map((g) => g.eventId)) {
        const revs = end.streams.revisions[id] ?? [];
        expect(revs.length).toBeGreaterThan(0);
        expect(revs).toEqual(Array.from({ length: revs.length }, (_, i) => i + 1));
      }
    }
  });

  it('grades no pick twice: at most one picks.graded per game and revision, the last one the same as the clean run', () => {
    for (const end of [cleanEnd, chaosEnd]) {
      for (const [gameId, events] of Object.entries(end.streams.grades)) {
        const revisions = events.map((e) => e.revision);
        expect({ gameId, revisions: [...new Set(revisions)] }).toEqual({ gameId, revisions });
      }
    }
    const lastResults = (end: typeof cleanEnd) =>
      Object.fromEntries(
        Object.entries(end.streams.grades).map(([id, events]) => {
          const last = events.reduce((a, b) => (b.revision > a.revision ? b : a));
          return [id, { graded: last.graded, results: last.results, leagues: last.leagues.length }];
        }),
      );
    expect(lastResults(chaosEnd)).toEqual(lastResults(cleanEnd));
  });
});
