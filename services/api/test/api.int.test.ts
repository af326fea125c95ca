import type { Redis } from 'ioredis';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode, BreakerChanged, PollCompleted, ServiceHeartbeat, subjects, type GameWithRevision } from '@scores/contracts';
import { applyGameChanged, createSql, migrate } from '@scores/grader';
import { redisKeys } from '@scores/cache-writer';
import { dropRedisNamespace, freshDatabase, freshNamespace, testContext, testRedis, waitFor } from '@scores/testkit';
import { breaker, changed, game, heartbeat, poll } from './fixtures.js';
import { getJson, openStream, publishGame, startApi, withKey } from './int-helpers.js';

type Ctx = Awaited<ReturnType<typeof testContext>>;
type Api = Awaited<ReturnType<typeof startApi>>;
type GamesBody = { games: GameWithRevision[]; meta: Record<string, unknown> & { nextCursor: string | null } };

const H = 3600_000;
const D = 24 * H;

describe('api on real NATS, Postgres and Redis', () => {
  const ns = freshNamespace('api');
  let ctx: Ctx;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let sql: postgres.Sql;
  let redis: Redis;
  let api: Api;
  const t0 = Date.now();
  let liveSeq = 0;

  beforeAll(async () => {
    ctx = await testContext(ns);
    db = await freshDatabase('api');
    sql = createSql(db.url, { max: 4 });
    await migrate(sql);
    redis = testRedis();

    // Postgres alone knows an old game (the stream no longer does); both know 'both', the stream a newer revision
    await applyGameChanged(sql, changed(game({ id: 'pgonly', kickoff: t0 - 40 * D, phase: 'final' })), ns);
    await applyGameChanged(sql, changed(game({ id: 'both', kickoff: t0 - H, phase: 'in', revision: 1 })), ns);
    await publishGame(ctx, game({ id: 'both', kickoff: t0 - H, phase: 'in', revision: 1 }));
    liveSeq = await publishGame(ctx, game({ id: 'both', kickoff: t0 - H, phase: 'in', revision: 2, home: { teamId: '130', abbreviation: 'MICH', score: 3 } }));
    await publishGame(ctx, game({ id: 'later', kickoff: t0 + 2 * H, league: 'nfl', home: { teamId: '1', abbreviation: 'ATL' }, away: { teamId: '2', abbreviation: 'BUF' } }));
    // polls before the api starts: it reads them from the stream at start
    await ctx.js.publish(subjects.pollCompleted(ns), encode(PollCompleted, poll(t0 - 120_000, 1)));
    await ctx.js.publish(subjects.pollCompleted(ns), encode(PollCompleted, poll(t0 - 60_000, 1, false)));

    api = await startApi(ctx, { databaseUrl: db.url });
  });

  afterAll(async () => {
    await api?.shutdown();
    await sql?.end({ timeout: 5 });
    await db?.drop();
    await dropRedisNamespace(redis, ns);
    await redis?.quit();
    await ctx?.close();
  });

  it('starts from Postgres and the games stream, keeping the newest revision of each game', async () => {
    const all = await getJson<GamesBody>(`${api.url}/api/games?from=2000-01-01`);
    expect(all.status).toBe(200);
    expect(all.body.games.map((g) => [g.id, g.revision])).toEqual([
      ['pgonly', 1],
      ['both', 2],
      ['later', 1],
    ]);
    expect(all.body.games[1]!.home.score).toBe(3);
    const status = await getJson<{ games: { streamSequence: number; count: number } }>(`${api.url}/api/status`);
    expect(status.body.games).toMatchObject({ count: 3, streamSequence: 3 });
  });

  it('reads live state and the last successful poll from the polls stream at start', async () => {
    const { body } = await getJson<GamesBody>(`${api.url}/api/games`);
    expect(body.meta).toMatchObject({
      liveState: { hasLiveGames: true, liveGameCount: 1, lastCheck: new Date(t0 - 60_000).toISOString() },
      lastPoll: new Date(t0 - 60_000).toISOString(),
      lastSuccessAt: new Date(t0 - 120_000).toISOString(),
      stale: false,
    });
  });

  it('brings a score change on the bus to /api/games/live and to an SSE client', async () => {
    const sse = await openStream(`${api.url}/api/games/stream`);
    try {
      expect(sse.res.statusCode).toBe(200);
      await waitFor(() => sse.reader.frames.some((f) => f.event === undefined && f.id !== undefined));
      const before = sse.reader.games().length;
      const next = game({ id: 'both', kickoff: t0 - H, phase: 'in', revision: 3, home: { teamId: '130', abbreviation: 'MICH', score: 10 } });
      const sentAt = Date.now();
      const seq = await publishGame(ctx, next);
      await waitFor(() => sse.reader.games().length > before, { message: 'SSE frame for the change' });
      const latencyMs = Date.now() - sentAt;
      expect(sse.reader.games().at(-1)).toMatchObject({ id: String(seq), game: { id: 'both', revision: 3, home: { score: 10 } } });
      expect(latencyMs).toBeLessThan(1000);
      const live = await waitFor(async () => {
        const r = await getJson<GamesBody>(`${api.url}/api/games/live`);
        return r.body.games[0]?.revision === 3 ? r : undefined;
      });
      expect(live.body.games.map((g) => [g.id, g.home.score])).toEqual([['both', 10]]);
      liveSeq = seq;
    } finally {
      sse.close();
    }
  });

  it('resumes after a dropped connection with exactly what was missed (Last-Event-ID)', async () => {
    const first = await openStream(`${api.url}/api/games/stream`);
    await waitFor(() => first.reader.frames.some((f) => f.event === undefined && f.id === String(liveSeq)));
    const lastEventId = first.reader.lastEventId()!;
    first.close();
    await waitFor(async () => (await getJson<{ api: { sseClients: number } }>(`${api.url}/api/status`)).body.api.sseClients === 0);

    const missed: number[] = [];
    for (let r = 4; r <= 6; r++) missed.push(await publishGame(ctx, game({ id: 'both', kickoff: t0 - H, phase: 'in', revision: r, home: { teamId: '130', abbreviation: 'MICH', score: 10 + r } })));
    missed.push(await publishGame(ctx, game({ id: 'later', kickoff: t0 + 2 * H, league: 'nfl', revision: 2, home: { teamId: '1', abbreviation: 'ATL' }, away: { teamId: '2', abbreviation: 'BUF' } })));
    await waitFor(async () => (await getJson<{ games: { streamSequence: number } }>(`${api.url}/api/status`)).body.games.streamSequence === missed.at(-1));

    const second = await openStream(`${api.url}/api/games/stream`, { 'last-event-id': lastEventId });
    try {
      await waitFor(() => second.reader.games().length === missed.length);
      expect(second.reader.games().map((g) => Number(g.id))).toEqual(missed);
      expect(second.reader.games().map((g) => `${g.game.id}:${g.game.revision}`)).toEqual(['both:4', 'both:5', 'both:6', 'later:2']);
      const after = await publishGame(ctx, game({ id: 'both', kickoff: t0 - H, phase: 'in', revision: 7 }));
      await waitFor(() => second.reader.games().length === missed.length + 1);
      expect(second.reader.games().at(-1)!.id).toBe(String(after));
      liveSeq = after;
    } finally {
      second.close();
    }
  });

  it('lets a replica started later resume an older id out of JetStream', async () => {
    const replica = await startApi(ctx, { databaseUrl: db.url });
    try {
      const sse = await openStream(`${replica.url}/api/games/stream`, { 'last-event-id': '2' });
      try {
        // everything after seq 2, at most once per revision, in stream order
        await waitFor(() => sse.reader.games().some((g) => g.id === String(liveSeq)));
        const ids = sse.reader.games().map((g) => Number(g.id));
        expect(ids[0]).toBe(3);
        expect(ids).toEqual([...ids].sort((a, b) => a - b));
        expect(sse.reader.games().map((g) => `${g.game.id}:${g.game.revision}`)).toEqual(['later:1', 'both:3', 'both:4', 'both:5', 'both:6', 'later:2', 'both:7']);
        const metrics = await (await fetch(`${replica.url}/metrics`)).text();
        expect(metrics).toMatch(/scores_api_sse_resumes_total\{source="jetstream"\} 1/);
      } finally {
        sse.close();
      }
    } finally {
      await replica.shutdown();
    }
  });

  it('marks the data stale while the breaker is open, on /api/games and on the stream', async () => {
    const sse = await openStream(`${api.url}/api/games/stream`);
    try {
      await waitFor(() => sse.reader.frames.some((f) => f.event === 'meta'));
      await ctx.js.publish(subjects.breakerChanged(ns), encode(BreakerChanged, breaker('open', Date.now(), 5)));
      await waitFor(() => sse.reader.frames.some((f) => f.event === 'meta' && f.data?.includes('"stale":true')));
      const { body } = await getJson<GamesBody>(`${api.url}/api/games`);
      expect(body.meta).toMatchObject({ stale: true, breaker: { state: 'open', failures: 5 }, lastSuccessAt: new Date(t0 - 120_000).toISOString() });
      expect(body.games.length).toBeGreaterThan(0);
      await ctx.js.publish(subjects.breakerChanged(ns), encode(BreakerChanged, breaker('closed', Date.now() + 1, 0)));
      await waitFor(async () => (await getJson<GamesBody>(`${api.url}/api/games`)).body.meta.stale === false);
    } finally {
      sse.close();
    }
  });

  it('reports every service from its heartbeats, and its own dependencies', async () => {
    ctx.nc.publish(subjects.health(ns, 'poller'), encode(ServiceHeartbeat, heartbeat('poller', 'p-1', Date.now())));
    const status = await waitFor(async () => {
      const r = await getJson<{ services: { service: string; status: string }[]; api: { ready: boolean; checks: Record<string, { ok: boolean }> } }>(`${api.url}/api/status/`);
      return r.body.services.some((s) => s.service === 'poller') ? r : undefined;
    });
    expect(status.body.services.find((s) => s.service === 'poller')?.status).toBe('up');
    expect(status.body.api.ready).toBe(true);
    expect(status.body.api.checks).toMatchObject({ nats: { ok: true }, postgres: { ok: true }, redis: { ok: true } });
  });

  it('serves liveness, readiness and metrics on its own port', async () => {
    expect((await getJson(`${api.url}/healthz`)).body).toEqual({ status: 'ok' });
    const ready = await getJson<{ status: string; checks: Record<string, unknown> }>(`${api.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(Object.keys(ready.body.checks).sort()).toEqual(['nats', 'postgres', 'redis']);
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toMatch(/scores_api_snapshot_games 3/);
    expect(metrics).toContain('scores_api_http_request_duration_seconds_bucket');
  });

  describe('leagues and picks', () => {
    const base = () => `${api.url}/api/leagues`;
    let leagueId: string;
    const future = t0 + 3 * D;

    beforeAll(async () => {
      // games the grader has stored: one to pick, one not on the slate, one that started without the stream knowing
      await applyGameChanged(sql, changed(game({ id: 'pick-me', kickoff: future, phase: 'pre', homeSpread: -7 })), ns);
      await applyGameChanged(sql, changed(game({ id: 'off-slate', kickoff: future, phase: 'pre' })), ns);
      await applyGameChanged(sql, changed(game({ id: 'started', kickoff: future, phase: 'pre' })), ns);
    });

    it('creates a league (201) and puts games on its slate (200), locking the spread', async () => {
      const created = await getJson<{ id: string; name: string }>(base(), withKey({ name: 'Office', againstTheSpread: true, pointsPerCorrect: 2, keyPickBonus: 1, pushPoints: 1 }));
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'Office', againstTheSpread: true, pointsPerCorrect: 2, keyPickBonus: 1, pushPoints: 1 });
      expect(created.headers.get('location')).toBe(`/api/leagues/${created.body.id}`);
      leagueId = created.body.id;

      const put = await getJson(`${base()}/${leagueId}/games/pick-me`, withKey({ tiebreaker: true }, 'PUT'));
      expect(put.status).toBe(200);
      expect(put.body).toEqual({ leagueId, gameId: 'pick-me', homeSpread: -7, tiebreaker: true, week: 13 });
      expect((await getJson(`${base()}/${leagueId}/games/started`, withKey({}, 'PUT'))).status).toBe(200);
    });

    it('answers 404 for an unknown league or game, and 401 without a key', async () => {
      const nobody = '00000000-0000-4000-8000-0000000000ff';
      expect((await getJson(`${base()}/${nobody}/games/pick-me`, withKey({}, 'PUT'))).body).toMatchObject({ error: { code: 'LEAGUE_NOT_FOUND' } });
      const noGame = await getJson(`${base()}/${leagueId}/games/nope`, withKey({}, 'PUT'));
      expect([noGame.status, (noGame.body as { error: { code: string } }).error.code]).toEqual([404, 'GAME_NOT_FOUND']);
      expect((await getJson(`${base()}/${nobody}/standings`)).status).toBe(404);
      expect((await getJson(`${base()}/${nobody}/picks`)).status).toBe(404);
      expect((await getJson(base(), { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(401);
    });

    it('takes a pick (201), replaces it (200), and refuses a team not in the game or a game off the slate (400)', async () => {
      const first = await getJson(`${base()}/${leagueId}/picks`, withKey({ userId: 'ann', gameId: 'pick-me', teamId: '130', pointsGuess: 40 }));
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ userId: 'ann', gameId: 'pick-me', teamId: '130', keyPick: false, result: null, points: 0 });
      const again = await getJson(`${base()}/${leagueId}/picks`, withKey({ userId: 'ann', gameId: 'pick-me', teamId: '194', keyPick: true, pointsGuess: 44 }));
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ teamId: '194', keyPick: true, pointsGuess: 44 });
      expect((await getJson(`${base()}/${leagueId}/picks`, withKey({ userId: 'bob', gameId: 'pick-me', teamId: '130', pointsGuess: 50 }))).status).toBe(201);

      const wrongTeam = await getJson<{ error: { code: string } }>(`${base()}/${leagueId}/picks`, withKey({ userId: 'ann', gameId: 'pick-me', teamId: '999' }));
      expect([wrongTeam.status, wrongTeam.body.error.code]).toEqual([400, 'TEAM_NOT_IN_GAME']);
      const offSlate = await getJson<{ error: { code: string } }>(`${base()}/${leagueId}/picks`, withKey({ userId: 'ann', gameId: 'off-slate', teamId: '130' }));
      expect([offSlate.status, offSlate.body.error.code]).toEqual([400, 'GAME_NOT_ON_SLATE']);
    });

    it('refuses a pick (409) once the game has kicked off, whether Postgres or the stream says so first', async () => {
      // only Postgres knows 'started' is under way
      await applyGameChanged(sql, changed(game({ id: 'started', kickoff: future, phase: 'in', revision: 2 })), ns);
      const viaDb = await getJson<{ error: { code: string } }>(`${base()}/${leagueId}/picks`, withKey({ userId: 'ann', gameId: 'started', teamId: '130' }));
      expect([viaDb.status, viaDb.body.error.code]).toEqual([409, 'GAME_STARTED']);
      // only the stream (this replica's snapshot) knows 'pick-me' is under way
      await publishGame(ctx, game({ id: 'pick-me', kickoff: future, phase: 'in', revision: 2, homeSpread: -7 }));
      await waitFor(async () => (await getJson<GameWithRevision | undefined>(`${api.url}/api/games/pick-me`)).body?.revision === 2);
      const viaStream = await getJson(`${base()}/${leagueId}/picks`, withKey({ userId: 'ann', gameId: 'pick-me', teamId: '130' }));
      expect(viaStream.status).toBe(409);
    });

    it('answers picks with their grade and standings once the game is final', async () => {
      // final: MICH 30, OSU 20; the locked spread is -7: MICH covers (30 - 20 - 7 > 0)
      await applyGameChanged(
        sql,
        changed(game({ id: 'pick-me', kickoff: future, phase: 'final', revision: 3, homeSpread: -7, home: { teamId: '130', abbreviation: 'MICH', score: 30 }, away: { teamId: '194', abbreviation: 'OSU', score: 20 } })),
        ns,
      );
      const picks = await getJson<{ picks: Record<string, unknown>[] }>(`${base()}/${leagueId}/picks?week=13`);
      expect(picks.status).toBe(200);
      expect(picks.body.picks.map((p) => [p.userId, p.teamId, p.result, p.points])).toEqual([
        ['ann', '194', 'loss', 0],
        ['bob', '130', 'win', 2],
      ]);
      expect(Object.keys(picks.body.picks[0]!).sort()).toEqual(['gameId', 'id', 'keyPick', 'points', 'pointsGuess', 'result', 'teamId', 'userId', 'week']);
      const onlyAnn = await getJson<{ picks: unknown[] }>(`${base()}/${leagueId}/picks?user=ann`);
      expect(onlyAnn.body.picks).toHaveLength(1);

      const week = await getJson<{ standings: unknown[] }>(`${base()}/${leagueId}/standings?week=13`);
      expect(week.body.standings).toEqual([
        { userId: 'bob', rank: 1, wins: 1, losses: 0, pushes: 0, points: 2, tiebreak: 0 },
        { userId: 'ann', rank: 2, wins: 0, losses: 1, pushes: 0, points: 0, tiebreak: 6 },
      ]);
      const season = await getJson<{ standings: unknown[] }>(`${base()}/${leagueId}/standings`);
      expect(season.body.standings).toEqual(week.body.standings);
      const etag = (await fetch(`${base()}/${leagueId}/standings`)).headers.get('etag')!;
      expect((await fetch(`${base()}/${leagueId}/standings`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    });
  });

  it('ends its SSE streams when it stops, so clients reconnect elsewhere', async () => {
    const other = await startApi(ctx, { databaseUrl: db.url });
    const sse = await openStream(`${other.url}/api/games/stream`);
    await waitFor(() => sse.reader.frames.length > 2);
    const stopped = Date.now();
    await other.shutdown();
    await waitFor(() => sse.reader.ended);
    expect(Date.now() - stopped).toBeLessThan(5000);
  });
});

describe('api meta fallback', () => {
  it('reads live state and the breaker from Redis when the polls stream is empty', async () => {
    const ns = freshNamespace('apimeta');
    const ctx = await testContext(ns);
    const db = await freshDatabase('apimeta');
    const sql = createSql(db.url, { max: 2 });
    const redis = testRedis();
    let api: Api | undefined;
    try {
      await migrate(sql);
      const keys = redisKeys(ns);
      const at = new Date(Date.now() - 30_000).toISOString();
      await redis.set(keys.liveState, JSON.stringify({ hasLiveGames: true, liveGameCount: 2, lastCheck: at }));
      await redis.set(keys.circuitBreaker, JSON.stringify({ state: 'open', failures: 5, openedAt: at, retryAt: null }));
      await redis.set(keys.lastPoll, String(Date.parse(at)));
      api = await startApi(ctx, { databaseUrl: db.url });
      const { body } = await getJson<GamesBody>(`${api.url}/api/games`);
      expect(body.meta).toMatchObject({ liveState: { hasLiveGames: true, liveGameCount: 2, lastCheck: at }, breaker: { state: 'open', failures: 5 }, stale: true, lastPoll: at });
    } finally {
      await api?.shutdown();
      await sql.end({ timeout: 5 });
      await db.drop();
      await dropRedisNamespace(redis, ns);
      await redis.quit();
      await ctx.close();
    }
  });
});
