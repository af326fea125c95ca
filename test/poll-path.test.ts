/**
 * End to end, as a user runs it: `pnpm start` (the CLI's start command, one process,
 * every service) against the ESPN simulator replaying a game day, on real NATS,
 * Postgres and Redis. Events flow to NATS, Postgres and Redis; SIGTERM stops it cleanly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { buildGameDay, startSimulator, type Simulator } from '@scores/espn-sim';
import { decode, GameChanged, subjects } from '@scores/contracts';
import { easternDate } from '@scores/service-kit';
import {
  connectTestNats,
  dropNamespace,
  dropRedisNamespace,
  freshDatabase,
  freshNamespace,
  startProcess,
  testEnv,
  testRedis,
  waitFor,
  type RunningProcess,
} from '@scores/testkit';
import { jetstreamManager } from '@nats-io/jetstream';

describe('pnpm start against the simulator', () => {
  const ns = freshNamespace('e2e');
  let sim: Simulator;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let app: RunningProcess;
  const redis = testRedis();
  const events: GameChanged[] = [];
  let nc: Awaited<ReturnType<typeof connectTestNats>>;

  beforeAll(async () => {
    sim = await startSimulator();
    sim.loadRecording(buildGameDay({ day: easternDate(Date.now()) }), { startAt: new Date() });
    sim.clock.run(120);
    db = await freshDatabase('e2e');
    nc = await connectTestNats('e2e-watch');
    nc.subscribe(subjects.gameChangedFilter(ns), {
      callback: (_e, m) => {
        events.push(decode(GameChanged, m.data));
      },
    });
    app = startProcess(['packages/cli/src/bin.ts', 'start'], {
      NAMESPACE: ns,
      NATS_URL: testEnv.natsUrl,
      DATABASE_URL: db.url,
      REDIS_URL: testEnv.redisUrl,
      ESPN_BASE_URL: sim.baseUrl,
      POLL_LIVE_S: '1',
      POLL_IDLE_S: '2',
      POLL_MIN_GAP_S: '0',
      HEALTH_PORT: '0',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    });
  });

  afterAll(async () => {
    await app?.stop('SIGKILL');
    await sim?.close();
    const jsm = await jetstreamManager(nc);
    await dropNamespace(jsm, ns);
    await nc.drain();
    await dropRedisNamespace(redis, ns);
    redis.disconnect();
    await db?.drop();
  });

  it('publishes game.changed and keeps Postgres and Redis current', async () => {
    await app.waitForLog((l) => l.msg === 'health server listening');
    await waitFor(() => events.length >= 10, { timeoutMs: 30_000, message: 'no game.changed events' });
    // revisions grow by one per game, never repeat
    await waitFor(() => events.some((e) => e.revision >= 2), { timeoutMs: 30_000, message: 'no game changed twice' });
    const seen = new Set<string>();
    for (const e of events) {
      expect(seen.has(e.id)).toBe(false);
      seen.add(e.id);
    }
    const latest = events.at(-1)!;
    await waitFor(async () => {
      const v = await redis.get(`${ns}:game:${latest.gameId}`);
      return v && (JSON.parse(v) as { revision: number }).revision >= latest.revision;
    });
    const sql = postgres(db.url, { max: 1 });
    try {
      await waitFor(async () => {
        const [row] = await sql`select revision from games where id = ${latest.gameId}`;
        return row && Number(row.revision) >= latest.revision;
      });
    } finally {
      await sql.end();
    }
    expect(await redis.get(`${ns}:last_poll`)).toMatch(/^\d+$/);
  });

  it('serves the games over HTTP from the same process', async () => {
    const listening = await app.waitForLog((l) => l.msg === 'api listening');
    const base = `http://127.0.0.1:${String(listening.port)}`;
    const latest = events.at(-1)!;
    const body = await waitFor(async () => {
      const res = await fetch(`${base}/api/games/${latest.gameId}`);
      if (!res.ok) return undefined;
      const game = (await res.json()) as { id: string; revision: number };
      return game.revision >= latest.revision ? game : undefined;
    });
    expect(body.id).toBe(latest.gameId);
    expect(body.revision).toBeGreaterThanOrEqual(latest.revision);
    const list = (await (await fetch(`${base}/api/games`)).json()) as { games: unknown[]; meta: { lastPoll: unknown } };
    expect(list.games.length).toBeGreaterThanOrEqual(10);
    expect(list.meta.lastPoll).not.toBeNull();
  });

  it('stops within its grace period on SIGTERM, exit code 0', async () => {
    const t0 = Date.now();
    const code = await app.stop('SIGTERM');
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(25_000);
    expect(app.logs().some((l) => l.msg === 'stopped')).toBe(true);
  });
});
