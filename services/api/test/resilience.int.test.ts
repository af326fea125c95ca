import { createServer } from 'node:net';
import type { Redis } from 'ioredis';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { applyGameChanged, createSql, migrate } from '@scores/grader';
import { dropRedisNamespace, freshDatabase, freshNamespace, testContext, testEnv, testRedis, waitFor } from '@scores/testkit';
import { changed, game } from './fixtures.js';
import { getJson, publishGame, startApi, withKey } from './int-helpers.js';

type GamesBody = { games: { id: string }[] };
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('api when a dependency is away', () => {
  it('serves games without Redis: not rate-limited, not ready, never failing a request', async () => {
    const ns = freshNamespace('apinoredis');
    const ctx = await testContext(ns);
    cleanups.push(() => ctx.close());
    const db = await freshDatabase('apinoredis');
    cleanups.push(() => db.drop());
    const sql = createSql(db.url, { max: 2 });
    cleanups.push(() => sql.end({ timeout: 5 }));
    await migrate(sql);
    await publishGame(ctx, game({ id: 'g1', kickoff: Date.now() - 3600_000, phase: 'in' }));

    const api = await startApi(ctx, { databaseUrl: db.url, env: { REDIS_URL: `redis://127.0.0.1:${await deadPort()}/1`, RATE_LIMIT_MAX: '2' } });
    cleanups.push(() => api.shutdown());
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${api.url}/api/games/live`);
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-remaining')).toBeNull();
    }
    expect(((await getJson<GamesBody>(`${api.url}/api/games/live`)).body.games).map((g) => g.id)).toEqual(['g1']);
    const ready = await getJson<{ checks: Record<string, { ok: boolean }> }>(`${api.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toMatchObject({ redis: { ok: false }, postgres: { ok: true } });
  });

  it('starts from the stream alone while Postgres is away, loads it once it is back, and answers writes 503 meanwhile', async () => {
    const ns = freshNamespace('apinopg');
    const ctx = await testContext(ns);
    cleanups.push(() => ctx.close());
    const redis: Redis = testRedis();
    cleanups.push(() => redis.quit());
    cleanups.push(() => dropRedisNamespace(redis, ns));
    await publishGame(ctx, game({ id: 'streamed', kickoff: Date.now() - 3600_000, phase: 'in' }));

    // a database that does not exist yet
    const name = `scores_apinopg_${Date.now().toString(36)}`;
    const url = new URL(testEnv.databaseUrl);
    url.pathname = `/${name}`;
    const admin = postgres(testEnv.databaseUrl, { max: 1, onnotice: () => undefined });
    cleanups.push(() => admin.end());
    cleanups.push(() => admin.unsafe(`drop database if exists "${name}" with (force)`));

    const api = await startApi(ctx, { databaseUrl: url.toString(), deps: { pgRetryMs: 200 } });
    cleanups.push(() => api.shutdown());
    expect((await getJson<GamesBody>(`${api.url}/api/games?from=2000-01-01`)).body.games.map((g) => g.id)).toEqual(['streamed']);
    const write = await getJson<{ error: { code: string } }>(`${api.url}/api/leagues`, withKey({ name: 'x', againstTheSpread: false, pointsPerCorrect: 1 }));
    expect(write.status).toBe(503);
    expect((await getJson(`${api.url}/readyz`)).status).toBe(503);

    await admin.unsafe(`create database "${name}"`);
    const sql = createSql(url.toString(), { max: 2 });
    cleanups.push(() => sql.end({ timeout: 5 }));
    await migrate(sql);
    await applyGameChanged(sql, changed(game({ id: 'archived', kickoff: Date.now() - 60 * 24 * 3600_000, phase: 'final' })), ns);

    await waitFor(async () => (await getJson<GamesBody>(`${api.url}/api/games?from=2000-01-01`)).body.games.length === 2, { message: 'postgres games loaded' });
    expect((await getJson(`${api.url}/readyz`)).status).toBe(200);
  });
});
