import { describe, expect, it } from 'vitest';
import { readRedisMeta } from '../src/meta/feed.js';
import { HeartbeatBoard, MetaState } from '../src/index.js';
import { breaker, heartbeat, poll } from './fixtures.js';

const T = Date.parse('2026-11-28T18:00:00Z');

describe('meta state', () => {
  it('starts closed, unknown and not stale, counting live games from the snapshot', () => {
    const m = new MetaState();
    expect(m.current(2)).toEqual({
      liveState: { hasLiveGames: true, liveGameCount: 2, lastCheck: null },
      breaker: { state: 'closed', failures: 0, openedAt: null, retryAt: null },
      lastPoll: null,
      lastSuccessAt: null,
      stale: false,
    });
  });

  it("knows the live state from a poll or Redis's live_state, not from last_poll alone", () => {
    const m = new MetaState();
    expect(m.liveStateKnown).toBe(false);
    m.seed({ lastPollMs: T });
    expect(m.liveStateKnown).toBe(false);
    m.onPoll(poll(T + 60_000, 0));
    expect(m.liveStateKnown).toBe(true);
    const r = new MetaState();
    r.seed({ liveState: { hasLiveGames: false, liveGameCount: 0, lastCheck: new Date(T).toISOString() } });
    expect(r.liveStateKnown).toBe(true);
  });

  it('keeps the newest poll, and the last successful one apart', () => {
    const m = new MetaState();
    m.onPoll(poll(T, 3));
    m.onPoll(poll(T + 60_000, 0, false));
    expect(m.onPoll(poll(T - 60_000, 9))).toBe(false);
    const cur = m.current();
    expect(cur.liveState).toEqual({ hasLiveGames: false, liveGameCount: 0, lastCheck: new Date(T + 60_000).toISOString() });
    expect(cur.lastPoll).toBe(new Date(T + 60_000).toISOString());
    expect(cur.lastSuccessAt).toBe(new Date(T).toISOString());
  });

  it('is stale while the breaker is open or half-open, and not once it closes', () => {
    const m = new MetaState();
    m.onBreaker(breaker('open', T, 5), T);
    expect(m.current()).toMatchObject({ stale: true, breaker: { state: 'open', failures: 5, openedAt: new Date(T).toISOString() } });
    m.onBreaker(breaker('half-open', T + 300_000, 5), T + 300_000);
    expect(m.current().stale).toBe(true);
    // an older transition arriving late changes nothing
    expect(m.onBreaker(breaker('closed', T - 1000, 0), T - 1000)).toBe(false);
    m.onBreaker(breaker('closed', T + 301_000, 0), T + 301_000);
    expect(m.current()).toMatchObject({ stale: false, breaker: { state: 'closed', failures: 0 } });
  });

  it('takes from Redis only what no event has given', () => {
    const m = new MetaState();
    m.onPoll(poll(T, 1));
    m.seed({
      liveState: { hasLiveGames: false, liveGameCount: 0, lastCheck: new Date(T - 1000).toISOString() },
      breaker: { state: 'open', failures: 7, openedAt: new Date(T).toISOString(), retryAt: null },
    });
    expect(m.current().liveState.liveGameCount).toBe(1);
    expect(m.current().breaker.state).toBe('open');
    expect(m.missing()).toEqual({ poll: false, breaker: false });
  });

  it('bumps its version and tells listeners on every change', () => {
    const m = new MetaState();
    const seen: boolean[] = [];
    m.onChange((x) => seen.push(x.stale));
    m.onPoll(poll(T, 1));
    m.onBreaker(breaker('open', T, 5), T);
    expect(seen).toEqual([false, true]);
    expect(m.version).toBe(2);
  });

  it('reads the SPEC Redis values and ignores garbage', async () => {
    const keys = { liveState: 'l', circuitBreaker: 'b', lastPoll: 'p' };
    const store: Record<string, string | null> = {
      l: JSON.stringify({ hasLiveGames: true, liveGameCount: 4, lastCheck: '2026-11-28T18:00:00.000Z' }),
      b: JSON.stringify({ state: 'half-open', failures: 5, openedAt: null, retryAt: null }),
      p: String(T),
    };
    const redis = { mget: async (...k: string[]) => k.map((x) => store[x] ?? null) };
    expect(await readRedisMeta(redis, keys)).toEqual({
      liveState: { hasLiveGames: true, liveGameCount: 4, lastCheck: '2026-11-28T18:00:00.000Z' },
      breaker: { state: 'half-open', failures: 5, openedAt: null, retryAt: null },
      lastPollMs: T,
    });
    store.l = '{not json';
    store.b = JSON.stringify({ state: 'exploded', failures: 1 });
    store.p = 'soon';
    expect(await readRedisMeta(redis, keys)).toEqual({});
  });
});

describe('service heartbeats', () => {
  it('reports each service by its instances: up, degraded, or stale after 3 silent intervals', () => {
    const b = new HeartbeatBoard();
    b.record(heartbeat('poller', 'p-1', T), T);
    b.record(heartbeat('poller', 'p-2', T - 40_000), T - 40_000);
    b.record(heartbeat('grader', 'g-1', T, false), T);
    b.record(heartbeat('scheduler', 's-1', T - 31_000), T - 31_000);
    const s = b.services(T);
    expect(s.map((x) => [x.service, x.status])).toEqual([
      ['grader', 'degraded'],
      ['poller', 'up'],
      ['scheduler', 'down'],
    ]);
    expect(s[1]!.instances.map((i) => [i.instance, i.status])).toEqual([
      ['p-1', 'up'],
      ['p-2', 'stale'],
    ]);
  });

  it('measures age on its own clock, ignores an older heartbeat, and forgets long-gone instances', () => {
    const b = new HeartbeatBoard();
    // the sender's clock runs an hour behind: what counts is when it arrived
    b.record(heartbeat('poller', 'p-1', T - 3600_000), T);
    expect(b.services(T)[0]!.status).toBe('up');
    b.record(heartbeat('poller', 'p-1', T - 7200_000, false), T + 1);
    expect(b.services(T)[0]!.instances[0]!.ready).toBe(true);
    expect(b.services(T + 11 * 60_000)).toEqual([]);
  });
});
