import type { Redis } from 'ioredis';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSql, migrate } from '@scores/grader';
import { dropRedisNamespace, freshDatabase, freshNamespace, testContext, testRedis, waitFor } from '@scores/testkit';
import { game } from './fixtures.js';
import { getJson, publishGame, startApi } from './int-helpers.js';

async function keysOf(redis: Redis, pattern: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    out.push(...keys);
  } while (cursor !== '0');
  return out;
}

type Ctx = Awaited<ReturnType<typeof testContext>>;
type Api = Awaited<ReturnType<typeof startApi>>;

describe('two api replicas', () => {
  const ns = freshNamespace('apirep');
  let ctx: Ctx;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let sql: postgres.Sql;
  let redis: Redis;
  let a: Api;
  let b: Api;
  const env = { RATE_LIMIT_MAX: '6', RATE_LIMIT_WINDOW_S: '30' };

  beforeAll(async () => {
    ctx = await testContext(ns);
    db = await freshDatabase('apirep');
    sql = createSql(db.url, { max: 2 });
    await migrate(sql);
    redis = testRedis();
    a = await startApi(ctx, { databaseUrl: db.url, env });
    b = await startApi(ctx, { databaseUrl: db.url, env });
  });
  afterAll(async () => {
    await a?.shutdown();
    await b?.shutdown();
    await sql?.end({ timeout: 5 });
    await db?.drop();
    await dropRedisNamespace(redis, ns);
    await redis?.quit();
    await ctx?.close();
  });

  it('share one rate limit per client address through Redis', async () => {
    const remaining: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${(i % 2 ? b : a).url}/api/games`);
      expect(res.status).toBe(200);
      remaining.push(res.headers.get('ratelimit-remaining')!);
    }
    expect(remaining).toEqual(['5', '4', '3', '2', '1', '0']);
    for (const replica of [a, b]) {
      const limited = await fetch(`${replica.url}/api/games/live`);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await limited.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    }
    // the count lives in Redis under the namespace
    const keys = await keysOf(redis, `${ns}:ratelimit:*`);
    expect(keys).toHaveLength(1);
    expect(Number(await redis.get(keys[0]!))).toBeGreaterThanOrEqual(8);
  });

  it('each serve every change from their own subscription', async () => {
    await redis.del(...(await keysOf(redis, `${ns}:ratelimit:*`)));
    await publishGame(ctx, game({ id: 'g1', kickoff: Date.now() - 3600_000, phase: 'in', revision: 1 }));
    await publishGame(ctx, game({ id: 'g1', kickoff: Date.now() - 3600_000, phase: 'in', revision: 2 }));
    for (const replica of [a, b]) {
      await waitFor(async () => (await getJson<{ games: { revision: number }[] }>(`${replica.url}/api/games/live`)).body.games[0]?.revision === 2);
    }
  });
});
