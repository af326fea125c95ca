import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropRedisNamespace, freshNamespace, testContext, testRedis, waitFor } from '@scores/testkit';
import { cacheWriterDurables, redisKeys } from '../src/index.js';
import { breakerEvent, gameEvent, pollEvent } from './fixtures.js';
import {
  counter,
  deadPort,
  durableDrained,
  durableInfo,
  publishBreaker,
  publishGame,
  publishPoll,
  readJson,
  startWriter,
} from './helpers.js';

type Ctx = Awaited<ReturnType<typeof testContext>>;

describe('cache-writer when Redis is away', () => {
  const ns = freshNamespace('cwdown');
  const keys = redisKeys(ns);
  let redis: Redis;
  const contexts: Ctx[] = [];
  const context = async (name: string) => {
    const c = await testContext(ns, { name, keep: contexts.length > 0 });
    contexts.push(c);
    return c;
  };

  beforeAll(() => {
    redis = testRedis();
  });
  afterAll(async () => {
    await dropRedisNamespace(redis, ns);
    await redis.quit();
    for (const c of contexts.reverse()) await c.close();
  });

  it('naks while Redis is unreachable and loses nothing once a writer reaches it', async () => {
    const ctxDown = await context('down');
    const down = await startWriter(ctxDown, { REDIS_URL: `redis://127.0.0.1:${await deadPort()}/1` });
    expect((await ctxDown.health.run(['redis'])).ready).toBe(false);

    const games = [1, 2, 3].map((n) => gameEvent({ gameId: `down-${n}`, revision: n }));
    for (const ev of games) await publishGame(ctxDown, ev);
    const at = Date.now();
    await publishPoll(ctxDown, pollEvent(at, 2));
    await publishBreaker(ctxDown, breakerEvent('open', at, 5));

    const naks = (which: keyof ReturnType<typeof cacheWriterDurables>) =>
      counter(ctxDown, 'scores_events_consumed_total', { consumer: cacheWriterDurables(ctxDown.ns)[which].durable, outcome: 'nak' });
    await waitFor(async () => (await naks('games')) >= 3 && (await naks('polls')) >= 1 && (await naks('breaker')) >= 1, {
      message: 'every event nak-ed',
    });
    expect(await counter(ctxDown, 'scores_events_consumed_total', { outcome: 'ack' })).toBe(0);
    for (const which of ['games', 'polls', 'breaker'] as const) expect((await durableInfo(ctxDown, which)).ack_floor.stream_seq).toBe(0);
    await down.shutdown();

    const ctxUp = await context('up');
    const up = await startWriter(ctxUp);
    try {
      for (const which of ['games', 'polls', 'breaker'] as const) {
        await waitFor(() => durableDrained(ctxUp, which), { timeoutMs: 40_000, message: `${which} durable drained` });
      }
      expect(await counter(ctxUp, 'scores_events_consumed_total', { consumer: cacheWriterDurables(ctxUp.ns).games.durable, outcome: 'ack' })).toBe(3);
      for (const ev of games) expect(JSON.parse((await redis.get(keys.game(ev.gameId)))!)).toEqual({ ...ev.game, revision: ev.revision });
      expect(await redis.get(keys.lastPoll)).toBe(String(at));
      expect(JSON.parse((await redis.get(keys.circuitBreaker))!)).toMatchObject({ state: 'open', failures: 5 });
      expect((await ctxUp.health.run(['redis'])).ready).toBe(true);
    } finally {
      await up.shutdown();
    }
  });
});

describe('cache-writer replicas', () => {
  const ns = freshNamespace('cwrep');
  const keys = redisKeys(ns);
  let redis: Redis;
  let a: Ctx;
  let b: Ctx;

  beforeAll(async () => {
    redis = testRedis();
    a = await testContext(ns, { name: 'rep-a' });
    b = await testContext(ns, { name: 'rep-b', keep: true });
  });
  afterAll(async () => {
    await dropRedisNamespace(redis, ns);
    await redis.quit();
    await b.close();
    await a.close();
  });

  it('two replicas on the same durables leave the newest of everything, and either alone restores it all', async () => {
    const wa = await startWriter(a);
    const wb = await startWriter(b);
    const ids = Array.from({ length: 20 }, (_, i) => `rep-${i}`);
    const events = ids.flatMap((gameId) => [1, 2, 3, 4].map((revision) => gameEvent({ gameId, revision })));
    // a deterministic shuffle: revisions of a game arrive in every order
    events.sort((x, y) => ((x.revision * 7919 + Number(x.gameId.slice(4)) * 104729) % 13) - ((y.revision * 7919 + Number(y.gameId.slice(4)) * 104729) % 13));
    const t0 = Date.now();
    await Promise.all([
      ...events.map((ev) => publishGame(a, ev)),
      ...[0, 1, 2, 3].map((i) => publishPoll(b, pollEvent(t0 + i * 1000, i))),
      ...[0, 1, 2].map((i) => publishBreaker(a, breakerEvent(i % 2 ? 'closed' : 'open', t0 + i * 1000, i % 2 ? 0 : 5))),
    ]);
    for (const which of ['games', 'polls', 'breaker'] as const) await waitFor(() => durableDrained(a, which), { message: which });

    const expectNewest = async () => {
      for (const id of ids) expect((await readJson(redis, keys.game(id)))?.revision).toBe(4);
      expect(await redis.get(keys.lastPoll)).toBe(String(t0 + 3000));
      expect(JSON.parse((await redis.get(keys.liveState))!)).toMatchObject({ liveGameCount: 3 });
      expect(JSON.parse((await redis.get(keys.circuitBreaker))!)).toMatchObject({ state: 'open', openedAt: new Date(t0 + 2000).toISOString() });
    };
    await expectNewest();
    const acks = (c: Ctx) => counter(c, 'scores_events_consumed_total', { outcome: 'ack' });
    expect((await acks(a)) + (await acks(b))).toBe(events.length + 4 + 3);

    // replica a goes; b's memory (from its own mirror) is complete: it restores every key
    await wa.shutdown();
    await dropRedisNamespace(redis, ns);
    await waitFor(async () => (await redis.exists(...ids.map(keys.game))) === ids.length, { timeoutMs: 3000 });
    await waitFor(async () => (await redis.exists(keys.lastPoll, keys.liveState, keys.circuitBreaker)) === 3, { timeoutMs: 3000 });
    await expectNewest();
    await wb.shutdown();
  });

  it('a replica started after the events seeds its memory from the streams and writes every key at start', async () => {
    // the poller publishes a game's revisions in order; the mirror seeds from the last
    // message of each game's subject
    const ids = ['late-1', 'late-2', 'late-3'];
    for (const revision of [1, 2, 3]) for (const gameId of ids) await publishGame(b, gameEvent({ gameId, revision }));
    const t1 = Date.now() + 10_000;
    await publishPoll(b, pollEvent(t1, 1));
    await publishBreaker(b, breakerEvent('half-open', t1, 5));
    await dropRedisNamespace(redis, ns);

    const late = await startWriter(b, {}, { seedTimeoutMs: 10_000 });
    try {
      // the refresh at start, from memory, before any durable delivers (the first refresh
      // after start-up is a second away)
      expect(await redis.exists(...ids.map(keys.game))).toBe(ids.length);
      for (const id of ids) expect((await readJson(redis, keys.game(id)))?.revision).toBe(3);
      expect(await redis.get(keys.lastPoll)).toBe(String(t1));
      expect(JSON.parse((await redis.get(keys.circuitBreaker))!)).toMatchObject({ state: 'half-open' });
      expect(await redis.exists(...Array.from({ length: 20 }, (_, i) => keys.game(`rep-${i}`)))).toBe(20);
    } finally {
      await late.shutdown();
    }
  });
});
