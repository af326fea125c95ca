/**
 * `pnpm demo` as a newcomer runs it: the simulator replays the scripted game day, every
 * service runs, a demo league with picks is made, the URLs are printed, and grading and
 * standings happen while it runs (here at 300x, so the first finals come within a minute).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { jetstreamManager } from '@nats-io/jetstream';
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

describe('pnpm demo', () => {
  const ns = freshNamespace('demo');
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let demo: RunningProcess;

  beforeAll(async () => {
    db = await freshDatabase('demo');
    demo = startProcess(['packages/cli/src/bin.ts', 'demo', '--speed', '300'], {
      NAMESPACE: ns,
      NATS_URL: testEnv.natsUrl,
      DATABASE_URL: db.url,
      REDIS_URL: testEnv.redisUrl,
      PORT: '0',
      HEALTH_PORT: '0',
      POLL_LIVE_S: '1',
      POLL_IDLE_S: '2',
      POLL_MIN_GAP_S: '0',
    });
  });

  afterAll(async () => {
    await demo?.stop('SIGKILL');
    const nc = await connectTestNats('demo-cleanup');
    await dropNamespace(await jetstreamManager(nc), ns);
    await nc.drain();
    const redis = testRedis();
    await dropRedisNamespace(redis, ns);
    redis.disconnect();
    await db?.drop();
  });

  it('prints the URLs, makes a league with picks, and grades them as games go final', async () => {
    const printed = await waitFor(() => demo.lines.join('\n').match(/league picks\s+(\S+\/picks\?league=([0-9a-f-]{36}))/), {
      timeoutMs: 60_000,
      message: 'the demo banner',
    });
    const text = demo.lines.join('\n');
    expect(text).toMatch(/live scoreboard\s+http:\/\/\S+\/live/);
    expect(text).toMatch(/API key\s+demo-/);
    const leagueId = printed[2]!;
    const sql = postgres(db.url, { max: 1, onnotice: () => undefined });
    try {
      const [made] = await sql<{ n: number }[]>`select count(*)::int as n from picks where league_id = ${leagueId}`;
      expect(made!.n).toBe(80); // 8 players x 10 games
      // the canceled game's picks are void at once; real grades follow the first finals
      await waitFor(
        async () => {
          const [r] = await sql<{ n: number }[]>`select count(*)::int as n from picks where league_id = ${leagueId} and result in ('win', 'loss', 'push')`;
          return r!.n > 0;
        },
        { timeoutMs: 90_000, message: 'graded picks' },
      );
      const standings = await sql`select user_id, points, rank from standings where league_id = ${leagueId}`;
      expect(standings.length).toBe(8);
    } finally {
      await sql.end();
    }
  });
});
