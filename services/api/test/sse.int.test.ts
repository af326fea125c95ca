import { connect, type Socket } from 'node:net';
import type { Redis } from 'ioredis';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode, GameChanged, subjects } from '@scores/contracts';
import { createSql, migrate } from '@scores/grader';
import { dropRedisNamespace, freshDatabase, freshNamespace, testContext, testRedis, waitFor } from '@scores/testkit';
import { changed, game } from './fixtures.js';
import { getJson, openStream, startApi } from './int-helpers.js';

type Ctx = Awaited<ReturnType<typeof testContext>>;
type Api = Awaited<ReturnType<typeof startApi>>;

/** An SSE client that sends its request and then never reads: its socket buffers fill, then the server's queue. */
function stalledClient(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => {
      s.write(`GET /api/games/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
      s.pause();
      resolve(s);
    });
    s.on('error', () => undefined);
    s.once('error', reject);
  });
}

describe('SSE back-pressure', () => {
  const ns = freshNamespace('apisse');
  let ctx: Ctx;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let sql: postgres.Sql;
  let redis: Redis;
  let api: Api;

  beforeAll(async () => {
    ctx = await testContext(ns);
    db = await freshDatabase('apisse');
    sql = createSql(db.url, { max: 2 });
    await migrate(sql);
    redis = testRedis();
    api = await startApi(ctx, { databaseUrl: db.url, env: { SSE_MAX_QUEUED_BYTES: String(256 * 1024), RATE_LIMIT_ALLOWLIST: '127.0.0.1' } });
  });
  afterAll(async () => {
    await api?.shutdown();
    await sql?.end({ timeout: 5 });
    await db?.drop();
    await dropRedisNamespace(redis, ns);
    await redis?.quit();
    await ctx?.close();
  });

  it('drops a client that stops reading, without slowing one that keeps up', async () => {
    const fast = await openStream(`${api.url}/api/games/stream`);
    const slow = await stalledClient(api.port);
    await waitFor(async () => (await getJson<{ api: { sseClients: number } }>(`${api.url}/api/status`)).body.api.sseClients === 2);

    // In polls of 500 changes, more in all than the kernel buffers of a loopback socket hold
    // (about 4 MB here). Each poll must reach the fast client promptly, stalled one or not.
    const N = 8000;
    const BATCH = 500;
    const kickoff = Date.now() - 3600_000;
    const batchMs: number[] = [];
    for (let sent = 0; sent < N; sent += BATCH) {
      const t = Date.now();
      for (let r = sent + 1; r <= sent + BATCH; r++) {
        const g = game({ id: `g${r % 4}`, kickoff, phase: 'in', revision: Math.ceil(r / 4), home: { teamId: '130', abbreviation: 'MICH', score: r } });
        ctx.nc.publish(subjects.gameChanged(ns, g), encode(GameChanged, changed(g)));
      }
      await ctx.nc.flush();
      await waitFor(() => fast.reader.games().length === sent + BATCH, { timeoutMs: 10_000, message: `fast client has the changes up to ${sent + BATCH}` });
      batchMs.push(Date.now() - t);
    }

    // (a paused socket does not see the close until it reads: ask the server)
    await waitFor(async () => /scores_api_sse_dropped_total\{reason="slow"\} 1/.test(await (await fetch(`${api.url}/metrics`)).text()), {
      timeoutMs: 10_000,
      message: 'slow client dropped by the server',
    });
    const status = await getJson<{ api: { sseClients: number } }>(`${api.url}/api/status`);
    expect(status.body, JSON.stringify(status.body)).toHaveProperty("api");
    expect(status.body.api.sseClients).toBe(1);

    // every change, in stream order, none twice
    const ids = fast.reader.games().map((g) => Number(g.id));
    expect(new Set(ids).size).toBe(N);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(fast.reader.games().at(-1)!.game.home).toMatchObject({ score: N });
    // a poll of 500 changes end to end (NATS, the api, HTTP) on a shared 2-core machine
    expect(Math.max(...batchMs)).toBeLessThan(3000);
    fast.close();
    // reading now, the stalled client finds its stream cut short
    const ended = new Promise<void>((resolve) => slow.once('close', () => resolve()));
    slow.resume();
    await ended;
  });
});
