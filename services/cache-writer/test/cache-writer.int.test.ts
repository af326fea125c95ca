import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropRedisNamespace, freshNamespace, testContext, testRedis, waitFor } from '@scores/testkit';
import { cacheWriterDurables, redisKeys } from '../src/index.js';
import { breakerEvent, gameEvent, pollEvent } from './fixtures.js';
import { counter, durableDrained, publishBreaker, publishCleanup, publishGame, publishPoll, startWriter } from './helpers.js';

type Ctx = Awaited<ReturnType<typeof testContext>>;
const DAY = 24 * 3600_000;

describe('cache-writer: events in, keys out', () => {
  const ns = freshNamespace('cw');
  const keys = redisKeys(ns);
  let ctx: Ctx;
  let redis: Redis;
  let writer: Awaited<ReturnType<typeof startWriter>>;
  const getJson = async (key: string): Promise<unknown> => {
    const v = await redis.get(key);
    return v === null ? undefined : JSON.parse(v);
  };

  beforeAll(async () => {
    ctx = await testContext(ns);
    redis = testRedis();
    writer = await startWriter(ctx);
  });
  afterAll(async () => {
    await writer?.shutdown();
    await dropRedisNamespace(redis, ns);
    await redis.quit();
    await ctx.close();
  });

  it('writes a game key holding the event game plus its revision, for 120 s', async () => {
    const ev = gameEvent({ gameId: '401520281', revision: 7 });
    await publishGame(ctx, ev);
    const stored = await waitFor(() => getJson(keys.game('401520281')));
    expect(stored).toEqual({ ...ev.game, revision: 7 });
    const ttl = await redis.ttl(keys.game('401520281'));
    expect(ttl).toBeGreaterThan(110);
    expect(ttl).toBeLessThanOrEqual(120);
  });

  it('keeps the newest revision when events repeat and arrive out of order', async () => {
    const newest = gameEvent({ gameId: 'ooo', revision: 5 });
    await publishGame(ctx, newest);
    for (const r of [3, 1, 4, 2]) await publishGame(ctx, gameEvent({ gameId: 'ooo', revision: r }));
    // the same event again, past JetStream's dedup (as a redelivery would be)
    await publishGame(ctx, newest, null);
    await publishGame(ctx, gameEvent({ gameId: 'ooo', revision: 3 }), null);
    await waitFor(() => durableDrained(ctx, 'games'), { message: 'games durable drained' });
    expect(await getJson(keys.game('ooo'))).toEqual({ ...newest.game, revision: 5 });
  });

  it('writes live_state and last_poll from poll.completed, and an older poll changes nothing', async () => {
    const at = Date.now();
    await publishPoll(ctx, pollEvent(at, 3));
    await waitFor(async () => (await redis.get(keys.lastPoll)) === String(at));
    expect(await getJson(keys.liveState)).toEqual({ hasLiveGames: true, liveGameCount: 3, lastCheck: new Date(at).toISOString() });
    const liveTtl = await redis.ttl(keys.liveState);
    expect(liveTtl).toBeGreaterThan(170);
    expect(liveTtl).toBeLessThanOrEqual(180);
    const pollTtl = await redis.ttl(keys.lastPoll);
    expect(pollTtl).toBeGreaterThan(290);
    expect(pollTtl).toBeLessThanOrEqual(300);

    await publishPoll(ctx, pollEvent(at - 60_000, 0));
    await waitFor(() => durableDrained(ctx, 'polls'));
    expect(await redis.get(keys.lastPoll)).toBe(String(at));

    // a failed poll is still a poll attempt
    await publishPoll(ctx, pollEvent(at + 1000, 0, false));
    await waitFor(async () => (await redis.get(keys.lastPoll)) === String(at + 1000));
    expect(await getJson(keys.liveState)).toEqual({ hasLiveGames: false, liveGameCount: 0, lastCheck: new Date(at + 1000).toISOString() });
  });

  it('writes circuit_breaker from breaker.changed, and an older transition changes nothing', async () => {
    const at = Date.now();
    const halfOpen = breakerEvent('half-open', at, 5);
    await publishBreaker(ctx, halfOpen);
    const expected = { state: 'half-open', failures: 5, openedAt: halfOpen.openedAt, retryAt: halfOpen.retryAt };
    expect(await waitFor(() => getJson(keys.circuitBreaker))).toEqual(expected);
    const ttl = await redis.ttl(keys.circuitBreaker);
    expect(ttl).toBeGreaterThan(590);
    expect(ttl).toBeLessThanOrEqual(600);

    await publishBreaker(ctx, breakerEvent('open', at - 300_000, 5));
    await waitFor(() => durableDrained(ctx, 'breaker'));
    expect(await getJson(keys.circuitBreaker)).toEqual(expected);

    const closed = breakerEvent('closed', at + 1000, 0);
    await publishBreaker(ctx, closed);
    await waitFor(async () => ((await getJson(keys.circuitBreaker)) as { state?: string } | undefined)?.state === 'closed');
    expect(await getJson(keys.circuitBreaker)).toEqual({ state: 'closed', failures: 0, openedAt: null, retryAt: null });
  });

  it('keeps game keys alive between changes', async () => {
    await publishGame(ctx, gameEvent({ gameId: 'alive', revision: 1, phase: 'pre' }));
    await waitFor(() => getJson(keys.game('alive')));
    await redis.expire(keys.game('alive'), 5);
    // the refresh (every second here) renews it without any new event
    await waitFor(async () => (await redis.ttl(keys.game('alive'))) > 100, { message: 'TTL renewed' });
  });

  it('puts every key back within a refresh period after they are deleted', async () => {
    await publishGame(ctx, gameEvent({ gameId: 'flushed', revision: 2, phase: 'final', occurredAt: Date.now() - 3600_000 }));
    await waitFor(() => getJson(keys.game('flushed')));
    const before = new Map<string, string | null>();
    const all = [keys.game('401520281'), keys.game('ooo'), keys.game('flushed'), keys.liveState, keys.lastPoll, keys.circuitBreaker];
    for (const k of all) before.set(k, await redis.get(k));
    expect([...before.values()].every((v) => v !== null)).toBe(true);

    // FLUSHDB of this namespace only: other test files share DB 1
    await dropRedisNamespace(redis, ns);
    expect(await redis.exists(...all)).toBe(0);
    await waitFor(async () => (await redis.exists(...all)) === all.length, { timeoutMs: 3000, message: 'keys back' });
    for (const k of all) expect(await redis.get(k)).toBe(before.get(k));
  });

  it('a cleanup tick removes only the keys of games final for more than a day', async () => {
    const old = Date.now() - 2 * DAY;
    const oldFinal = gameEvent({ gameId: 'old-final', revision: 4, phase: 'final', occurredAt: old });
    const oldVoid = gameEvent({ gameId: 'old-void', revision: 2, phase: 'postponed', occurredAt: old });
    const recentFinal = gameEvent({ gameId: 'recent-final', revision: 6, phase: 'final', occurredAt: Date.now() - 3600_000 });
    const oldLive = gameEvent({ gameId: 'old-live', revision: 9, phase: 'in', occurredAt: old });
    for (const ev of [oldFinal, oldVoid, recentFinal, oldLive]) await publishGame(ctx, ev);
    await waitFor(() => durableDrained(ctx, 'games'));
    // keys left from before (game.changed itself no longer writes a game a day past final)
    for (const ev of [oldFinal, oldVoid]) {
      expect(await redis.exists(keys.game(ev.gameId))).toBe(0);
      await redis.set(keys.game(ev.gameId), JSON.stringify({ ...ev.game, revision: ev.revision }), 'EX', 120);
    }
    await waitFor(async () => (await redis.exists(keys.game('recent-final'), keys.game('old-live'))) === 2);

    const deletedBefore = await counter(ctx, 'scores_redis_writes_total', { key: 'game', result: 'deleted' });
    await publishCleanup(ctx);
    await waitFor(async () => (await redis.exists(keys.game('old-final'), keys.game('old-void'))) === 0, { message: 'old keys gone' });
    await waitFor(() => durableDrained(ctx, 'cleanup'));
    expect(await counter(ctx, 'scores_redis_writes_total', { key: 'game', result: 'deleted' })).toBe(deletedBefore + 2);
    expect(await redis.exists(keys.game('recent-final'), keys.game('old-live'), keys.game('flushed'))).toBe(3);

    // and the refresh does not bring them back
    const refreshes = await counter(ctx, 'scores_cache_refreshes_total', { outcome: 'ok' });
    await waitFor(async () => (await counter(ctx, 'scores_cache_refreshes_total', { outcome: 'ok' })) >= refreshes + 2, { timeoutMs: 5000 });
    expect(await redis.exists(keys.game('old-final'), keys.game('old-void'))).toBe(0);
  });

  it('is ready while Redis answers', async () => {
    expect((await ctx.health.run(['redis'])).ready).toBe(true);
    expect(writer.checks).toEqual(['redis']);
  });
});

describe('cache-writer: a backlog of game.changed', () => {
  const ns = freshNamespace('cwbatch');
  const keys = redisKeys(ns);
  let ctx: Ctx;
  let redis: Redis;

  beforeAll(async () => {
    ctx = await testContext(ns);
    redis = testRedis();
  });
  afterAll(async () => {
    await dropRedisNamespace(redis, ns);
    await redis.quit();
    await ctx.close();
  });

  it('applies older and newer revisions of a game arriving in one batch, and the newest stays', async () => {
    // waiting before the writer starts: they arrive together
    for (const r of [3, 1, 2]) await publishGame(ctx, gameEvent({ gameId: 'bat-a', revision: r }));
    await publishGame(ctx, gameEvent({ gameId: 'bat-a', revision: 3 }), null); // a repeat, past JetStream's dedup
    for (const r of [2, 1]) await publishGame(ctx, gameEvent({ gameId: 'bat-b', revision: r }));
    const writer = await startWriter(ctx, { CACHE_REFRESH_S: '60' });
    try {
      await waitFor(() => durableDrained(ctx, 'games'), { message: 'games durable drained' });
      expect(JSON.parse((await redis.get(keys.game('bat-a')))!)).toMatchObject({ revision: 3 });
      expect(JSON.parse((await redis.get(keys.game('bat-b')))!)).toMatchObject({ revision: 2 });
      const { values } = await ctx.registry.getSingleMetric('scores_event_batch_size')!.get();
      const batches = values.find((v) => 'metricName' in v && v.metricName === 'scores_event_batch_size_count' && v.labels.consumer === cacheWriterDurables(ctx.ns).games.durable)?.value;
      expect(batches).toBeGreaterThanOrEqual(1);
      expect(batches).toBeLessThan(6); // not one by one
      expect(await counter(ctx, 'scores_events_consumed_total', { consumer: cacheWriterDurables(ctx.ns).games.durable, outcome: 'ack' })).toBe(6);
    } finally {
      await writer.shutdown();
    }
  });
});

