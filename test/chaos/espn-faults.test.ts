/**
 * The ESPN fault matrix. Every service in one process (`scores start`) on the shared
 * servers, polling the simulator every second; the sim clock is paused mid-afternoon, so
 * what ESPN says does not change and anything written during a fault is a wrong write.
 * For each fault: what the breaker does, what the api serves meanwhile, what the metrics
 * and /api/status say, and that Postgres, Redis and the games stream are untouched.
 *
 * Decided per fault (SPEC "How the poller talks to ESPN"):
 * - status 500/503, 429 with Retry-After, a 403 burst, a hang past ESPN_TIMEOUT_MS, an HTML
 *   page, a truncated body, a reset connection, and the `extra-nesting` drift (no `events`
 *   array where ESPN puts it): the request fails, the poll fails, the breaker opens after
 *   BREAKER_FAILURES polls and closes again through half-open once ESPN answers well.
 * - a slow answer within ESPN_TIMEOUT_MS, `scores-as-numbers` drift (the same values, as
 *   numbers): used as they are; nothing changes because nothing changed.
 * - `renamed-competitors`, `missing-status` drift: each event is refused and counted as
 *   malformed; the poll itself is not a failure (the response has its events array), so
 *   the breaker stays closed and nothing is written.
 * - limit25 (exactly 25 events out of 40): counted as suspicious; the 25 are used, the
 *   missing 15 are not taken as gone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { BreakerChanged, decode, streamSpecs, subjects, type GameWithRevision } from '@scores/contracts';
import { buildGameDay, busySaturday, type Fault, type Simulator, startSimulator } from '@scores/espn-sim';
import { redisKeys } from '@scores/cache-writer';
import { easternDate } from '@scores/service-kit';
import {
  connectTestNats,
  dropNamespace,
  dropRedisNamespace,
  freshDatabase,
  freshNamespace,
  readStream,
  startProcess,
  testEnv,
  testRedis,
  waitFor,
  type RunningProcess,
} from '@scores/testkit';
import postgres from 'postgres';
import { metricValue, scrape } from './pipeline.js';
import { report } from './report.js';
import { freePort } from './servers.js';

const LEAGUE = 'football/college-football';
const BREAKER_FAILURES = 2;

interface Case {
  name: string;
  fault: Fault;
  /** the poll fails and the breaker opens */
  opens: boolean;
  /** the request outcome counted in scores_espn_requests_total */
  outcome?: string;
  /** counters that must grow while the fault lasts */
  counts?: { metric: string; labels?: Record<string, string> }[];
  /** it ends by itself (a burst), no clearFaults() needed */
  burst?: boolean;
  /** every event still parses: no malformed event counted */
  parses?: boolean;
}

const FOREVER = Infinity;
const CASES: Case[] = [
  { name: 'status 500', fault: { kind: 'status', status: 500, times: FOREVER }, opens: true, outcome: 'http_5xx' },
  { name: 'status 503', fault: { kind: 'status', status: 503, times: FOREVER }, opens: true, outcome: 'http_5xx' },
  { name: '429 with Retry-After', fault: { kind: 'status', status: 429, retryAfterS: 2, times: FOREVER }, opens: true, outcome: 'http_429' },
  { name: '403 burst', fault: { kind: 'status', status: 403, times: 40 }, opens: true, outcome: 'http_403', burst: true },
  { name: 'hang past ESPN_TIMEOUT_MS', fault: { kind: 'hang', times: FOREVER }, opens: true, outcome: 'timeout' },
  { name: 'malformed (an HTML page)', fault: { kind: 'malformed', times: FOREVER }, opens: true, outcome: 'malformed' },
  { name: 'truncated JSON', fault: { kind: 'truncated', times: FOREVER }, opens: true, outcome: 'malformed' },
  { name: 'connection reset mid-body', fault: { kind: 'reset', times: FOREVER }, opens: true, outcome: 'network' },
  { name: 'drift: extra nesting', fault: { kind: 'drift', variant: 'extra-nesting', times: FOREVER }, opens: true, outcome: 'ok' },
  { name: 'slow, within the timeout', fault: { kind: 'slow', ms: 300, times: FOREVER }, opens: false, outcome: 'ok', parses: true },
  { name: 'drift: scores as numbers', fault: { kind: 'drift', variant: 'scores-as-numbers', times: FOREVER }, opens: false, outcome: 'ok', parses: true },
  {
    name: 'drift: renamed competitors',
    fault: { kind: 'drift', variant: 'renamed-competitors', times: FOREVER },
    opens: false,
    counts: [{ metric: 'scores_espn_malformed_events_total' }],
  },
  {
    name: 'drift: missing status',
    fault: { kind: 'drift', variant: 'missing-status', times: FOREVER },
    opens: false,
    counts: [{ metric: 'scores_espn_malformed_events_total' }],
  },
  {
    name: 'limit25 (exactly 25 events)',
    fault: { kind: 'limit25', times: FOREVER },
    opens: false,
    counts: [{ metric: 'scores_espn_suspicious_total', labels: { reason: 'exactly-25' } }],
    parses: true,
  },
];

describe('ESPN fault matrix', () => {
  const ns = freshNamespace('faults');
  const day = easternDate(Date.now());
  const redis = testRedis();
  let sim: Simulator;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let sql: postgres.Sql;
  let app: RunningProcess;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let healthPort: number;
  let apiUrl: string;
  const figures: Record<string, unknown> = {};

  const metrics = () => scrape(healthPort);
  const breakerGauge = async () => metricValue(await metrics(), 'scores_breaker_state');
  const gamesStreamCount = async () => (await jsm.streams.info(streamSpecs(ns).games.name)).state.messages;
  const pgGames = async () => sql<{ id: string; revision: number; game: unknown }[]>`select id, revision, game from games order by id`;
  const redisGames = async () => {
    const out: Record<string, string | null> = {};
    for (const g of await pgGames()) out[g.id] = await redis.get(redisKeys(ns).game(g.id));
    return out;
  };
  const apiGames = async () => {
    const res = await fetch(`${apiUrl}/api/games?date=${day}&limit=500`);
    return (await res.json()) as { games: GameWithRevision[]; meta: { stale: boolean; lastSuccessAt: string | null; breaker: { state: string; failures: number } } };
  };
  const breakerEvents = async () => {
    const ctx = { js: jetstream(nc), jsm };
    const msgs = await readStream(ctx, streamSpecs(ns).polls.name, subjects.breakerChanged(ns));
    return msgs.map((m) => decode(BreakerChanged, m.data));
  };

  beforeAll(async () => {
    // paused at 13:00 ET: games in progress, at halftime, not started, final, void
    const rec = buildGameDay({ day });
    const at = rec.snapshots.find((s) => s.at.getTime() >= rec.snapshots[0]!.at.getTime() + 90 * 60_000)!.at;
    sim = await startSimulator({ clock: at });
    sim.loadRecording(rec);
    // 30 more games on the day, so a 25-event answer is a short one (40 in all)
    sim.setEvents(LEAGUE, busySaturday({ day, games: 30 }), new Date(at.getTime() - 60_000));
    db = await freshDatabase('faults');
    sql = postgres(db.url, { max: 2, onnotice: () => undefined });
    nc = await connectTestNats('faults-watch');
    jsm = await jetstreamManager(nc);
    healthPort = await freePort();
    const apiPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    app = startProcess(['packages/cli/src/bin.ts', 'start'], {
      NAMESPACE: ns,
      NATS_URL: testEnv.natsUrl,
      DATABASE_URL: db.url,
      REDIS_URL: testEnv.redisUrl,
      ESPN_BASE_URL: sim.baseUrl,
      POLL_LIVE_S: '1',
      POLL_IDLE_S: '1',
      POLL_OFFSEASON_S: '1',
      POLL_MIN_GAP_S: '0',
      BREAKER_FAILURES: String(BREAKER_FAILURES),
      BREAKER_OPEN_S: '1',
      ESPN_TIMEOUT_MS: '800',
      // one attempt per request: each fault maps onto failed polls one for one
      ESPN_RETRIES: '0',
      ESPN_RATE_LIMIT_PER_S: '100',
      CACHE_REFRESH_S: '2',
      HEALTH_PORT: String(healthPort),
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      RATE_LIMIT_ALLOWLIST: '127.0.0.1,::1',
      LOG_LEVEL: 'info',
    });
    await app.waitForLog((l) => l.msg === 'api listening', 60_000);
    // the first good polls: 40 games everywhere
    await waitFor(async () => (await pgGames()).length === 40, { timeoutMs: 60_000, message: 'games not in Postgres' });
    await waitFor(async () => Object.values(await redisGames()).every(Boolean), { timeoutMs: 30_000, message: 'games not in Redis' });
    await waitFor(async () => (await apiGames()).games.length === 40, { timeoutMs: 30_000, message: 'games not in the api' });
  }, 180_000);

  afterAll(async () => {
    sim?.clearFaults();
    await app?.stop('SIGTERM');
    await sim?.close();
    await sql?.end();
    if (nc) {
      await dropNamespace(jsm, ns);
      await nc.drain();
    }
    await dropRedisNamespace(redis, ns);
    redis.disconnect();
    await db?.drop();
    report('espn-faults', figures);
  });

  for (const c of CASES) {
    it(`${c.name}: ${c.opens ? 'opens the breaker, serves the last good data as stale, recovers through half-open' : 'leaves the breaker closed and writes nothing wrong'}`, async () => {
      sim.clearFaults();
      await waitFor(async () => (await breakerGauge()) === 0 && !(await apiGames()).meta.stale, { timeoutMs: 20_000, message: 'breaker not closed before the fault' });
      const before = {
        stream: await gamesStreamCount(),
        pg: await pgGames(),
        redis: await redisGames(),
        api: (await apiGames()).games,
        metrics: await metrics(),
        breakerEvents: (await breakerEvents()).length,
        requests: sim.requests.length,
      };
      const injectedAt = Date.now();
      sim.fault(c.fault);
      const t0 = Date.now();
      const row: Record<string, unknown> = {};

      if (c.opens) {
        await waitFor(async () => (await breakerGauge()) === 2, { timeoutMs: 30_000, message: `${c.name}: breaker did not open` });
        row.openedAfterMs = Date.now() - t0;
        // the api serves what it had, marked stale, with the time of the last good poll
        const during = await waitFor(async () => {
          const a = await apiGames();
          return a.meta.stale && a.meta.breaker.state !== 'closed' ? a : undefined;
        }, { timeoutMs: 10_000, message: `${c.name}: the api never said stale` });
        expect(during.games).toEqual(before.api);
        expect(during.meta.lastSuccessAt).not.toBeNull();
        expect(Date.parse(during.meta.lastSuccessAt!)).toBeLessThanOrEqual(injectedAt + 1000);
        expect(during.meta.breaker.failures).toBeGreaterThanOrEqual(BREAKER_FAILURES);
        const status = (await (await fetch(`${apiUrl}/api/status`)).json()) as { breaker: { state: string }; stale: boolean };
        expect(status.breaker.state).not.toBe('closed');
        expect(status.stale).toBe(true);
        const cb = JSON.parse((await waitFor(() => redis.get(redisKeys(ns).circuitBreaker)))) as { state: string };
        expect(['open', 'half-open']).toContain(cb.state);
        if (!c.burst) sim.clearFaults();
        const recovered = Date.now();
        await waitFor(async () => (await breakerGauge()) === 0 && !(await apiGames()).meta.stale, { timeoutMs: 30_000, message: `${c.name}: breaker did not close again` });
        row.closedAfterClearMs = Date.now() - recovered;
        // open, then half-open, then closed: one event per transition
        const transitions = (await breakerEvents()).slice(before.breakerEvents).map((e) => e.state);
        expect(transitions.slice(0, 1)).toEqual(['open']);
        expect(transitions.slice(-2)).toEqual(['half-open', 'closed']);
        row.transitions = transitions.join(' → ');
      } else {
        // a few polls' worth of requests under the fault
        await waitFor(() => sim.requests.slice(before.requests).filter((r) => r.fault !== null && r.fault !== undefined).length >= 9 * 3, {
          timeoutMs: 30_000,
          message: `${c.name}: the poller did not meet the fault`,
        });
        expect(await breakerGauge()).toBe(0);
        expect((await breakerEvents()).length).toBe(before.breakerEvents);
        expect((await apiGames()).meta.stale).toBe(false);
        sim.clearFaults();
      }

      const after = await metrics();
      if (c.outcome) {
        const grew = metricValue(after, 'scores_espn_requests_total', { outcome: c.outcome }) - metricValue(before.metrics, 'scores_espn_requests_total', { outcome: c.outcome });
        expect(grew).toBeGreaterThan(0);
        row[`requests{outcome=${c.outcome}}`] = grew;
      }
      for (const k of c.counts ?? []) {
        const grew = metricValue(after, k.metric, k.labels) - metricValue(before.metrics, k.metric, k.labels);
        expect(grew).toBeGreaterThan(0);
        row[k.metric] = grew;
      }
      if (c.parses) {
        expect(metricValue(after, 'scores_espn_malformed_events_total')).toBe(metricValue(before.metrics, 'scores_espn_malformed_events_total'));
      }
      if (c.opens) {
        const failed = metricValue(after, 'scores_polls_total', { outcome: 'failed' }) - metricValue(before.metrics, 'scores_polls_total', { outcome: 'failed' });
        expect(failed).toBeGreaterThanOrEqual(BREAKER_FAILURES);
        row.failedPolls = failed;
      }

      // nothing bad written: same games, same revisions, same keys, no new game.changed
      expect(await gamesStreamCount()).toBe(before.stream);
      expect(await pgGames()).toEqual(before.pg);
      expect(await redisGames()).toEqual(before.redis);
      expect((await apiGames()).games).toEqual(before.api);
      figures[c.name] = row;
    });
  }
});
