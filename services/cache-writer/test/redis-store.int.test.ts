import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '@scores/service-kit';
import { dropRedisNamespace, freshNamespace, testEnv, testLogger, testRedis } from '@scores/testkit';
import { cacheMetrics } from '../src/metrics.js';
import { closeRedis, createRedis, whenReady } from '../src/redis/client.js';
import { redisKeys } from '../src/redis/keys.js';
import { CacheStore } from '../src/redis/store.js';
import { CacheState } from '../src/state.js';
import { gameValue } from '../src/values.js';
import { breakerEvent, gameEvent, pollEvent } from './fixtures.js';
import { readJson } from './helpers.js';

// polls are recent: a poll's keys live SPEC's TTLs from the poll's time, not from the write
const T0 = Math.floor(Date.now() / 1000) * 1000;

describe('compare-and-set writes on real Redis', () => {
  const ns = freshNamespace('cwstore');
  const keys = redisKeys(ns);
  let client: Redis;
  let raw: Redis;
  let store: CacheStore;

  beforeAll(async () => {
    client = createRedis(testEnv.redisUrl, testLogger(), 'cwstore-test');
    expect(await whenReady(client, 5000)).toBe(true);
    store = new CacheStore(client, keys, cacheMetrics(createRegistry()));
    raw = testRedis();
  });
  afterAll(async () => {
    await dropRedisNamespace(raw, ns);
    await closeRedis(client);
    await raw.quit();
  });

  it('never replaces a newer revision with an older one', async () => {
    const v5 = gameValue(gameEvent({ gameId: 'g1', revision: 5 }));
    expect(await store.writeGame(v5)).toBe('written');
    expect(await store.writeGame(gameValue(gameEvent({ gameId: 'g1', revision: 3 })))).toBe('stale');
    expect(JSON.parse((await raw.get(keys.game('g1')))!)).toEqual(v5);
    expect(await store.writeGame(gameValue(gameEvent({ gameId: 'g1', revision: 6 })))).toBe('written');
    expect((await readJson(raw, keys.game('g1')))?.revision).toBe(6);
  });

  it('the same revision again only renews the TTL', async () => {
    const v = gameValue(gameEvent({ gameId: 'g2', revision: 2 }));
    await store.writeGame(v);
    await raw.expire(keys.game('g2'), 10);
    // a different body under the same revision must not replace the stored one
    expect(await store.writeGame({ ...v, week: 99 })).toBe('refreshed');
    expect(await raw.ttl(keys.game('g2'))).toBeGreaterThan(110);
    expect((await readJson(raw, keys.game('g2')))?.week).toBe(13);
  });

  it('replaces a stored value that does not parse', async () => {
    await raw.set(keys.game('g3'), 'not json', 'EX', 60);
    expect(await store.writeGame(gameValue(gameEvent({ gameId: 'g3', revision: 1 })))).toBe('written');
  });

  it('orders live_state and last_poll by the poll time', async () => {
    const state = new CacheState();
    expect(await store.writePoll(new CacheState().applyPoll(pollEvent(T0, 2)))).toBe('written');
    expect(await store.writePoll(state.applyPoll(pollEvent(T0 - 60_000, 0)))).toBe('stale');
    expect(await raw.get(keys.lastPoll)).toBe(String(T0));
    expect(JSON.parse((await raw.get(keys.liveState))!)).toEqual({
      hasLiveGames: true,
      liveGameCount: 2,
      lastCheck: new Date(T0).toISOString(),
    });
    expect(await store.writePoll(new CacheState().applyPoll(pollEvent(T0, 2)))).toBe('refreshed');
    expect(await store.writePoll(new CacheState().applyPoll(pollEvent(T0 + 60_000, 0)))).toBe('written');
    expect(await raw.get(keys.lastPoll)).toBe(String(T0 + 60_000));
  });

  it("gives live_state and last_poll only the life they have left since the poll, so a stopped poller's keys lapse", async () => {
    const ns2 = freshNamespace('cwttl');
    const k = redisKeys(ns2);
    const s2 = new CacheStore(client, k, cacheMetrics(createRegistry()));
    try {
      const now = Date.now();
      // 100 s old: both written, with 80 s and 200 s left
      const recent = new CacheState().applyPoll(pollEvent(now - 100_000, 1));
      expect(await s2.writePoll(recent)).toBe('written');
      expect(await raw.ttl(k.liveState)).toBeGreaterThan(75);
      expect(await raw.ttl(k.liveState)).toBeLessThanOrEqual(80);
      expect(await raw.ttl(k.lastPoll)).toBeGreaterThan(195);
      expect(await raw.ttl(k.lastPoll)).toBeLessThanOrEqual(200);
      // a refresh from memory renews nothing beyond that
      await s2.writeAll([], recent, undefined);
      expect(await raw.ttl(k.lastPoll)).toBeLessThanOrEqual(200);
      // flushed: the refresh restores them, with the life they have left
      await raw.del(k.liveState, k.lastPoll);
      expect(await s2.writeAll([], recent, undefined)).toMatchObject({ written: 1 });
      expect(await raw.ttl(k.liveState)).toBeLessThanOrEqual(80);
      expect(await raw.ttl(k.lastPoll)).toBeLessThanOrEqual(200);

      // 200 s old: live_state (180 s) has lapsed, last_poll has 100 s left
      await raw.del(k.liveState, k.lastPoll);
      const older = new CacheState().applyPoll(pollEvent(now - 200_000, 1));
      expect(await s2.writePoll(older)).toBe('written');
      expect(await raw.exists(k.liveState)).toBe(0);
      expect(await raw.get(k.lastPoll)).toBe(String(now - 200_000));
      expect(await raw.ttl(k.lastPoll)).toBeLessThanOrEqual(100);

      // older than 300 s: nothing at all, from an event or a refresh
      await raw.del(k.liveState, k.lastPoll);
      const lapsed = new CacheState().applyPoll(pollEvent(now - 301_000, 1));
      expect(await s2.writePoll(lapsed)).toBe('stale');
      expect(await s2.writeAll([], lapsed, undefined)).toEqual({ written: 0, refreshed: 0, stale: 0, failed: 0 });
      expect(await raw.exists(k.liveState, k.lastPoll)).toBe(0);
    } finally {
      await dropRedisNamespace(raw, ns2);
    }
  });

  it('writes circuit_breaker as it comes (its consumer delivers in order); a refresh only restores or renews it', async () => {
    const open = new CacheState().applyBreaker(breakerEvent('open', T0, 5), 0);
    const closedEarlier = new CacheState().applyBreaker(breakerEvent('closed', T0 - 1000, 0), 0);
    expect(await store.writeBreaker(open)).toBe('written');
    expect(JSON.parse((await raw.get(keys.circuitBreaker))!)).toEqual(open.value);
    expect(await raw.ttl(keys.circuitBreaker)).toBeGreaterThan(590);
    // a lagging replica's memory never overwrites what is there, it renews the TTL
    await raw.expire(keys.circuitBreaker, 10);
    expect(await store.writeAll([], undefined, closedEarlier)).toMatchObject({ refreshed: 1 });
    expect(JSON.parse((await raw.get(keys.circuitBreaker))!)).toEqual(open.value);
    expect(await raw.ttl(keys.circuitBreaker)).toBeGreaterThan(590);
    // after a flush it comes back from memory
    await raw.del(keys.circuitBreaker);
    expect(await store.writeAll([], undefined, open)).toMatchObject({ written: 1 });
    expect(JSON.parse((await raw.get(keys.circuitBreaker))!)).toEqual(open.value);
    expect(await raw.keys(`${keys.circuitBreaker}*`)).toEqual([keys.circuitBreaker]);
  });

  it('deletes a game key unless a newer revision is stored', async () => {
    await store.writeGame(gameValue(gameEvent({ gameId: 'g4', revision: 4 })));
    expect(await store.deleteGame('g4', 3)).toBe(false);
    expect(await raw.exists(keys.game('g4'))).toBe(1);
    expect(await store.deleteGame('g4', 4)).toBe(true);
    expect(await raw.exists(keys.game('g4'))).toBe(0);
    expect(await store.deleteGame('g4', 4)).toBe(false);
  });

  it('writes everything in one round trip with the same comparisons', async () => {
    await store.writeGame(gameValue(gameEvent({ gameId: 'g5', revision: 9 })));
    const out = await store.writeAll(
      [gameValue(gameEvent({ gameId: 'g5', revision: 8 })), gameValue(gameEvent({ gameId: 'g6', revision: 1 }))],
      new CacheState().applyPoll(pollEvent(T0 + 60_000, 0)),
      undefined,
    );
    expect(out).toEqual({ written: 1, refreshed: 1, stale: 1, failed: 0 });
    expect((await readJson(raw, keys.game('g5')))?.revision).toBe(9);
  });

  it('writes a batch of game keys in one pipeline, the newest revision of each staying whatever the order', async () => {
    const v = (gameId: string, revision: number) => gameValue(gameEvent({ gameId, revision }));
    await store.writeGame(v('g8', 4));
    const out = await store.writeGames([v('g7', 3), v('g8', 2), v('g7', 1), v('g9', 1), v('g7', 2), v('g8', 5)]);
    expect(out).toEqual({ written: 3, refreshed: 0, stale: 3, failed: 0 });
    expect((await readJson(raw, keys.game('g7')))?.revision).toBe(3);
    expect((await readJson(raw, keys.game('g8')))?.revision).toBe(5);
    expect((await readJson(raw, keys.game('g9')))?.revision).toBe(1);
  });
});
