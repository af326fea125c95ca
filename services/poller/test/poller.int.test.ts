import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, statusPresets, type Simulator } from '@scores/espn-sim';
import { PollCompleted, decode, streamSpecs, subjects } from '@scores/contracts';
import { freshNamespace, quietPeriod, readStream, testContext, waitFor } from '@scores/testkit';
import { pino } from 'pino';
import { createEspnClient, type EspnClient } from '../src/espn/client.js';
import { startPoller } from '../src/poller.js';
import { breakerEvents, gameEvents, pollerConfig, today, type Ctx } from './helpers.js';

const FIXTURE = 'nfl-scoreboard-2024-12-15-final.json'; // 13 finals on one Sunday
const GAMES = 13;

describe('poller against the simulator, on real NATS', () => {
  let sim: Simulator;
  let ctx: Ctx;
  let ns: string;
  const running: { stop(): Promise<void> }[] = [];
  const start = async (c: Ctx, env: Record<string, string> = {}) => {
    const p = await startPoller(c, pollerConfig(c.ns, sim.baseUrl, env));
    running.push(p);
    return p;
  };

  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    ns = freshNamespace('poll');
    ctx = await testContext(ns);
    sim.clearFaults();
    sim.resetRequests();
    for (const e of sim.currentEvents()) sim.removeEvent(e.id);
    sim.loadFixture(FIXTURE, { league: 'football/nfl', shiftToDay: today() });
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.stop()));
    await ctx.close();
  });

  it('publishes one event per game on the first poll, asking ESPN one day at a time', async () => {
    const poller = await start(ctx);
    const reply = await poller.pollNow();
    expect(reply).toMatchObject({ ok: true, polled: true, gamesSeen: GAMES, changed: GAMES });

    const events = await gameEvents(ctx);
    expect(events).toHaveLength(GAMES);
    expect(new Set(events.map((e) => e.gameId)).size).toBe(GAMES);
    for (const e of events) {
      expect(e.revision).toBe(1);
      expect(e.id).toBe(`${e.gameId}:1`);
      expect(e.game.status.completed).toBe(true);
    }
    // today, yesterday and the next 7 days; one day per request, never a range; limit 500; an identifying UA
    expect(sim.requests).toHaveLength(9);
    for (const r of sim.requests) {
      expect(r.dates).toMatch(/^\d{8}$/);
      expect(r.limit).toBe(500);
      expect(r.userAgent).toMatch(/^scores\//);
    }
    const completed = (await readStream(ctx, streamSpecs(ns).polls.name, subjects.pollCompleted(ns))).map((m) =>
      decode(PollCompleted, m.data),
    );
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({ gamesSeen: GAMES, changed: GAMES, hasLiveGames: false, liveGameCount: 0, ok: true });
  });

  it('publishes nothing when nothing changed, and asks only for the current days', async () => {
    const poller = await start(ctx);
    await poller.pollNow();
    sim.resetRequests();
    const reply = await poller.pollNow();
    expect(reply).toMatchObject({ ok: true, polled: true, changed: 0 });
    expect(await gameEvents(ctx)).toHaveLength(GAMES);
    // yesterday + today (+ the days of games final in the last 72 h: today here); future days are not due again
    expect(sim.requests.map((r) => r.dates).sort()).toEqual(
      [...new Set(sim.requests.map((r) => r.dates))].sort(),
    );
    expect(sim.requests.length).toBe(2);
  });

  it('publishes exactly one event with revision + 1 when one score changes', async () => {
    const poller = await start(ctx);
    await poller.pollNow();
    const [first] = await gameEvents(ctx);
    const id = first!.gameId;
    const { home, away } = first!.game;
    sim.setScore(id, { home: home.score! + 3, away: away.score! });
    const reply = await poller.pollNow();
    expect(reply.changed).toBe(1);
    const events = (await gameEvents(ctx)).filter((e) => e.gameId === id);
    expect(events.map((e) => e.revision)).toEqual([1, 2]);
    expect(events[1]!.changed).toContain('home.score');
    expect(events[1]!.game.home.score).toBe(home.score! + 3);
    expect(events[1]!.id).toBe(`${id}:2`);
  });

  it('two pollers never publish a game revision twice', async () => {
    const other = await testContext(ns, { name: 'poller-b', keep: true });
    try {
      const a = await start(ctx);
      const b = await start(other);
      for (let round = 0; round < 3; round++) {
        const [first] = sim.currentEvents('football/nfl');
        sim.setStatus(first!.id, statusPresets.inProgress(4, `${round}:00`));
        await Promise.all([a.pollNow({ force: true }), b.pollNow({ force: true }), a.pollNow({ force: true })]);
      }
      const events = await gameEvents(ctx);
      const ids = events.map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      const byGame = new Map<string, number[]>();
      for (const e of events) byGame.set(e.gameId, [...(byGame.get(e.gameId) ?? []), e.revision]);
      for (const revs of byGame.values()) expect(revs).toEqual(revs.map((_, i) => i + 1));
    } finally {
      await other.close();
    }
  });

  it('a restarted poller continues revisions without re-publishing', async () => {
    const first = await start(ctx);
    await first.pollNow();
    await first.stop();
    running.splice(running.indexOf(first), 1);

    const again = await start(ctx);
    expect((await again.pollNow()).changed).toBe(0);
    const [ev] = await gameEvents(ctx);
    sim.setScore(ev!.gameId, { home: 99, away: 98 });
    expect((await again.pollNow()).changed).toBe(1);
    const revs = (await gameEvents(ctx)).filter((e) => e.gameId === ev!.gameId).map((e) => e.revision);
    expect(revs).toEqual([1, 2]);
  });

  it('recovers a revision that was published but not recorded before a crash', async () => {
    const poller = await start(ctx);
    await poller.pollNow();
    const [ev] = await gameEvents(ctx);
    // simulate a poller that died after publishing revision 2 but before recording it
    const away = ev!.game.away.score! + 10; // the same winner, so the poller's own view will match exactly
    const game = { ...ev!.game, away: { ...ev!.game.away, score: away } };
    await ctx.js.publish(subjects.gameChanged(ns, game), JSON.stringify({ ...ev!, id: `${ev!.gameId}:2`, revision: 2, changed: ['home.score'], game }), {
      msgID: `${ev!.gameId}:2`,
    });
    sim.setScore(ev!.gameId, { home: ev!.game.home.score!, away });
    expect((await poller.pollNow()).changed).toBe(0);
    sim.setScore(ev!.gameId, { home: ev!.game.home.score!, away: away + 7 });
    expect((await poller.pollNow()).changed).toBe(1);
    const revs = (await gameEvents(ctx)).filter((e) => e.gameId === ev!.gameId).map((e) => [e.revision, e.game.away.score]);
    expect(revs).toEqual([[1, ev!.game.away.score], [2, away], [3, away + 7]]);
  });

  it('opens the breaker after BREAKER_FAILURES failed polls, sends nothing while open, then half-opens and closes', async () => {
    const poller = await start(ctx, { ESPN_RETRIES: '0' });
    await poller.pollNow();
    sim.fault({ kind: 'status', status: 500, times: Infinity });
    for (let i = 0; i < 3; i++) expect((await poller.pollNow()).ok).toBe(false);
    await waitFor(async () => (await breakerEvents(ctx)).length === 1);
    expect((await breakerEvents(ctx))[0]).toMatchObject({ state: 'open', failures: 3 });

    sim.resetRequests();
    expect(await poller.pollNow()).toMatchObject({ polled: false, skipped: 'breaker-open' });
    expect(sim.requests).toHaveLength(0);

    sim.clearFaults();
    await waitFor(async () => (await breakerEvents(ctx)).some((b) => b.state === 'half-open'), { timeoutMs: 5000 });
    expect(await poller.pollNow()).toMatchObject({ ok: true, polled: true });
    await waitFor(async () => (await breakerEvents(ctx)).at(-1)?.state === 'closed');
    expect((await breakerEvents(ctx)).map((b) => b.state)).toEqual(['open', 'half-open', 'closed']);
  });

  it('a malformed or truncated body publishes nothing and fails the poll', async () => {
    const poller = await start(ctx, { ESPN_RETRIES: '0' });
    for (const kind of ['malformed', 'truncated'] as const) {
      sim.fault({ kind, times: Infinity });
      const reply = await poller.pollNow();
      expect(reply).toMatchObject({ ok: false, polled: true, changed: 0 });
      sim.clearFaults();
    }
    expect(await gameEvents(ctx)).toHaveLength(0);
    expect((await poller.pollNow()).changed).toBe(GAMES);
  });

  it('fails every poll while ESPN keeps answering the same unusable body, not only the first', async () => {
    const poller = await start(ctx, { ESPN_RETRIES: '0' });
    expect((await poller.pollNow()).ok).toBe(true);
    // the scoreboard one level down: no events array, the same bytes every time
    sim.fault({ kind: 'drift', variant: 'extra-nesting', times: Infinity });
    for (let i = 0; i < 3; i++) expect(await poller.pollNow({ force: true })).toMatchObject({ ok: false, polled: true, changed: 0 });
    // so the third failure in a row opened the breaker (BREAKER_FAILURES=3)
    expect((await breakerEvents(ctx)).map((b) => b.state)).toEqual(['open']);
    expect(await gameEvents(ctx)).toHaveLength(GAMES);
  });

  /** A poller whose warn lines land in `lines`, and whose client says which answers were repeats. */
  const startObserved = async (env: Record<string, string> = {}) => {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const config = pollerConfig(ns, sim.baseUrl, env);
    const real = createEspnClient(config.espn, { log, registry: ctx.registry });
    const repeats: { day: string; unchanged: boolean }[] = [];
    const client: EspnClient = {
      async fetchDay(league, day) {
        const res = await real.fetchDay(league, day);
        repeats.push({ day, unchanged: res.unchanged });
        return res;
      },
      dispose: () => real.dispose(),
    };
    const poller = await startPoller({ ...ctx, log }, config, { client });
    running.push(poller);
    return { poller, lines, repeats };
  };
  const counterValue = async (name: string, labels: Record<string, string>) => {
    const metric = await ctx.registry.getSingleMetric(name)?.get();
    const hit = metric?.values.find((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want));
    return hit?.value ?? 0;
  };
  const pollsCompleted = async () =>
    (await readStream(ctx, streamSpecs(ns).polls.name, subjects.pollCompleted(ns))).map((m) => decode(PollCompleted, m.data));

  it('counts and logs a response of exactly 25 events every time it comes, byte-identical repeats included', async () => {
    // 13 + 25 games today (the college day is all one Saturday), which ESPN's cap cuts to 25
    sim.loadFixture('cfb-scoreboard-2022-wk3-live-halftime.json', { league: 'football/nfl', shiftToDay: today() });
    sim.fault({ kind: 'limit25', times: Infinity });
    const { poller, lines, repeats } = await startObserved();
    for (let i = 0; i < 3; i++) expect(await poller.pollNow({ force: true })).toMatchObject({ ok: true, polled: true });

    // The second and third answers for today were the first one's bytes: the cached-parse path.
    expect(repeats.filter((r) => r.day === today()).map((r) => r.unchanged)).toEqual([false, true, true]);
    expect(await counterValue('scores_espn_suspicious_total', { league: 'football/nfl', reason: 'exactly-25' })).toBe(3);
    const warned = lines.filter((l) => l.msg === 'ESPN answered exactly 25 events: possibly truncated');
    expect(warned.map((l) => [l.league, l.day, l.repeat])).toEqual([
      ['football/nfl', today(), false],
      ['football/nfl', today(), true],
      ['football/nfl', today(), true],
    ]);
    expect((await pollsCompleted()).map((c) => [c.suspicious, c.malformedEvents])).toEqual([
      [1, 0],
      [1, 0],
      [1, 0],
    ]);
  });

  it('counts malformed events in every response, logs each event once per distinct answer, and reports both in poll.completed', async () => {
    // Every event of today's answer has lost its status: 13 malformed events, same bytes each time.
    sim.fault({ kind: 'drift', variant: 'missing-status', times: Infinity });
    const { poller, lines, repeats } = await startObserved();
    for (let i = 0; i < 2; i++) expect(await poller.pollNow({ force: true })).toMatchObject({ ok: true, polled: true, changed: 0 });

    expect(repeats.filter((r) => r.day === today()).map((r) => r.unchanged)).toEqual([false, true]);
    expect(await counterValue('scores_espn_malformed_events_total', { league: 'football/nfl' })).toBe(2 * GAMES);
    expect(lines.filter((l) => l.msg === 'malformed ESPN event skipped')).toHaveLength(GAMES);
    expect((await pollsCompleted()).map((c) => [c.suspicious, c.malformedEvents])).toEqual([
      [0, GAMES],
      [0, GAMES],
    ]);
  });

  it('reports zero suspicious and malformed events in poll.completed when ESPN answers cleanly', async () => {
    const poller = await start(ctx);
    await poller.pollNow();
    expect((await pollsCompleted()).map((c) => [c.suspicious, c.malformedEvents])).toEqual([[0, 0]]);
  });

  it('retries a 429 after its Retry-After and a 503 with backoff within one poll', async () => {
    const poller = await start(ctx, { ESPN_RETRIES: '2' });
    sim.fault({ kind: 'status', status: 429, retryAfterS: 1, times: 1 });
    sim.fault({ kind: 'status', status: 503, times: 1 });
    const t0 = Date.now();
    const reply = await poller.pollNow();
    expect(reply).toMatchObject({ ok: true, changed: GAMES });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });

  it('skips a poll that comes sooner than POLL_MIN_GAP_S after the last, across replicas', async () => {
    const other = await testContext(ns, { name: 'poller-b', keep: true });
    try {
      const a = await start(ctx, { POLL_MIN_GAP_S: '30' });
      const b = await start(other, { POLL_MIN_GAP_S: '30' });
      expect((await a.pollNow()).polled).toBe(true);
      expect(await b.pollNow()).toMatchObject({ polled: false, skipped: 'recent-poll' });
      expect((await b.pollNow({ force: true })).polled).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('answers admin.poll-now and admin.sync over NATS request/reply', async () => {
    await start(ctx);
    const reply = await ctx.nc.request(subjects.adminPollNow(ns), '{}', { timeout: 10_000 });
    expect(reply.json()).toMatchObject({ ok: true, polled: true, changed: GAMES });

    const bad = await ctx.nc.request(subjects.adminSync(ns), JSON.stringify({ from: 'yesterday' }), { timeout: 5000 });
    expect(bad.json()).toMatchObject({ ok: false, code: 'BAD_REQUEST' });

    const d = today();
    const sync = await ctx.nc.request(subjects.adminSync(ns), JSON.stringify({ from: d, to: d, leagues: ['football/nfl'] }), { timeout: 10_000 });
    expect(sync.json()).toMatchObject({ ok: true, days: 1, requests: 1, gamesSeen: GAMES, published: 0 });
  });

  it('polls on ticks from the durable consumer, one poll per tick across replicas', async () => {
    const other = await testContext(ns, { name: 'poller-b', keep: true });
    try {
      await start(ctx);
      await start(other);
      const slot = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
      await ctx.js.publish(subjects.tickPoll(ns), JSON.stringify({ slot, intervalS: 60, reason: 'live' }), { msgID: `poll:${slot}` });
      await waitFor(async () => (await gameEvents(ctx)).length === GAMES);
      await quietPeriod(300);
      const polls = await readStream(ctx, streamSpecs(ns).polls.name, subjects.pollCompleted(ns));
      expect(polls).toHaveLength(1);
    } finally {
      await other.close();
    }
  });
});
