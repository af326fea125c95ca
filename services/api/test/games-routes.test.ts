import { Compile } from 'typebox/compile';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GameWithRevision } from '@scores/contracts';
import { Game, GamesResponse } from '../src/http/schemas.js';
import { json, makeApp, NOW, testConfig, type TestApp } from './helpers.js';
import { breaker, game, poll } from './fixtures.js';

const H = 3600_000;
const D = 24 * H;

interface GamesBody {
  games: GameWithRevision[];
  meta: { nextCursor: string | null; stale: boolean; lastSuccessAt: string | null; breaker: { state: string }; liveState: { hasLiveGames: boolean; liveGameCount: number; lastCheck: string | null }; lastPoll: string | null };
}

const ids = (body: GamesBody) => body.games.map((g) => g.id);

describe('GET /api/games', () => {
  let t: TestApp;
  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

  beforeEach(async () => {
    t = await makeApp({
      games: [
        game({ id: 'old', kickoff: NOW - 3 * D, phase: 'final' }),
        game({ id: 'yday', kickoff: NOW - D, phase: 'final' }),
        game({ id: 'live', kickoff: NOW - H, phase: 'in' }),
        game({ id: 'later', kickoff: NOW + 2 * H, league: 'nfl', home: { teamId: '1', abbreviation: 'ATL' }, away: { teamId: '2', abbreviation: 'BUF' } }),
        game({ id: 'week', kickoff: NOW + 7 * D }),
        game({ id: 'far', kickoff: NOW + 9 * D }),
      ],
    });
  });
  afterEach(async () => t.app.close());

  it('answers yesterday through the next 7 days with meta, in the documented shape', async () => {
    const res = await get('/api/games');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    const body = json<GamesBody>(res);
    expect(ids(body)).toEqual(['yday', 'live', 'later', 'week']);
    expect(body.games[1]).toMatchObject({ id: 'live', revision: 1, status: { state: 'in' } });
    expect(body.meta).toEqual({
      liveState: { hasLiveGames: true, liveGameCount: 1, lastCheck: null },
      breaker: { state: 'closed', failures: 0, openedAt: null, retryAt: null },
      lastPoll: null,
      lastSuccessAt: null,
      stale: false,
      nextCursor: null,
    });
    expect(Compile(GamesResponse).Check(body)).toBe(true);
  });

  it('filters by date, range, live, team, league and status', async () => {
    const day = (offset: number) => new Date(NOW + offset).toLocaleDateString('en-CA', { timeZone: 'America/New_York' });
    expect(ids(json(await get(`/api/games?date=${day(-3 * D)}`)))).toEqual(['old']);
    expect(ids(json(await get(`/api/games?from=${day(7 * D)}`)))).toEqual(['week', 'far']);
    expect(ids(json(await get(`/api/games?from=${day(-3 * D)}&to=${day(-D)}`)))).toEqual(['old', 'yday']);
    expect(ids(json(await get('/api/games?live=true')))).toEqual(['live']);
    expect(ids(json(await get('/api/games?live=false')))).toEqual(['yday', 'later', 'week']);
    expect(ids(json(await get('/api/games?team=atl')))).toEqual(['later']);
    expect(ids(json(await get('/api/games?team=2')))).toEqual(['later']);
    expect(ids(json(await get('/api/games?league=football/nfl')))).toEqual(['later']);
    expect(ids(json(await get('/api/games?league=Football/NFL')))).toEqual(['later']);
    expect(ids(json(await get('/api/games?league=FOOTBALL/College-Football&team=Mich')))).toEqual(['yday', 'live', 'week']);
    expect(ids(json(await get('/api/games/live?league=Football/College-Football')))).toEqual(['live']);
    expect(ids(json(await get('/api/games?team=Atl')))).toEqual(['later']);
    expect(ids(json(await get('/api/games?status=post')))).toEqual(['yday']);
    expect(ids(json(await get('/api/games?status=pre&team=MICH')))).toEqual(['week']);
  });

  it('pages with limit and an opaque cursor, ordered by kickoff then id', async () => {
    const first = json<GamesBody>(await get('/api/games?limit=3&from=2000-01-01'));
    expect(ids(first)).toEqual(['old', 'yday', 'live']);
    const second = json<GamesBody>(await get(`/api/games?limit=3&from=2000-01-01&cursor=${first.meta.nextCursor}`));
    expect(ids(second)).toEqual(['later', 'week', 'far']);
    expect(second.meta.nextCursor).toBeNull();
  });

  it.each([
    ['date=2026-02-30', 'date'],
    ['date=yesterday', 'date'],
    ['from=2026-1-1', 'from'],
    ['to=20261128', 'to'],
    ['from=2026-11-28&to=2026-11-01', 'from'],
    ['date=2026-11-28&to=2026-11-29', 'date'],
    ['live=maybe', 'live'],
    ['live=', 'live'],
    ['team=', 'team'],
    ['team=%20%20', 'team'],
    [`team=${'x'.repeat(41)}`, 'team'],
    ['league=nfl', 'league'],
    ['league=football/nfl/extra', 'league'],
    ['status=live', 'status'],
    ['limit=0', 'limit'],
    ['limit=1001', 'limit'],
    ['limit=ten', 'limit'],
    ['limit=1.5', 'limit'],
    ['cursor=%21%21', 'cursor'],
    ['cursor=bm90LWEtY3Vyc29y', 'cursor'],
    ['team=a&team=b', 'team'],
    ['sort=kickoff', 'sort'],
  ])('answers 400 naming the parameter for ?%s', async (query, name) => {
    const res = await get(`/api/games?${query}`);
    expect(res.statusCode).toBe(400);
    const body = json<{ error: { code: string; message: string } }>(res);
    expect(body.error.code).toBe('INVALID_PARAMETER');
    expect(body.error.message).toContain(`"${name}"`);
    expect(Object.keys(body)).toEqual(['error']);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('gives the same answer on the trailing-slash form and to HEAD', async () => {
    const a = await get('/api/games');
    const b = await get('/api/games/');
    expect(b.statusCode).toBe(200);
    expect(b.body).toBe(a.body);
    const head = await t.app.inject({ method: 'HEAD', url: '/api/games' });
    expect(head.statusCode).toBe(200);
    expect(head.headers.etag).toBe(a.headers.etag);
  });

  it('answers 304 to a matching If-None-Match, and a new ETag once a game changes', async () => {
    const first = await get('/api/games');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await get('/api/games', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
    expect((await get('/api/games', { 'if-none-match': `"other", W/${etag}` })).statusCode).toBe(304);
    expect((await get('/api/games', { 'if-none-match': '"other"' })).statusCode).toBe(200);

    t.runtime.snapshot.apply(game({ id: 'live', kickoff: NOW - H, phase: 'in', revision: 2, home: { teamId: '130', abbreviation: 'MICH', score: 7 } }), 100);
    const changed = await get('/api/games', { 'if-none-match': etag });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(json<GamesBody>(changed).games.find((g) => g.id === 'live')?.home.score).toBe(7);
  });

  it('lets caches keep an answer no longer than the current poll interval', async () => {
    expect((await get('/api/games')).headers['cache-control']).toBe('public, max-age=60');
    t.runtime.snapshot.apply(game({ id: 'live', kickoff: NOW - H, phase: 'final', revision: 2 }), 100);
    t.runtime.meta.onPoll(poll(NOW, 0));
    expect((await get('/api/games')).headers['cache-control']).toBe('public, max-age=300');
    t.runtime.meta.onPoll(poll(NOW + 1000, 2));
    expect((await get('/api/games/')).headers['cache-control']).toBe('public, max-age=60');
  });

  it('marks the data stale with its age while the breaker is open, and serves it all the same', async () => {
    t.runtime.meta.onPoll(poll(NOW - 10 * 60_000, 1));
    t.runtime.meta.onPoll(poll(NOW - 5 * 60_000, 1, false));
    t.runtime.meta.onBreaker(breaker('open', NOW - 5 * 60_000, 5), NOW);
    const body = json<GamesBody>(await get('/api/games'));
    expect(ids(body)).toHaveLength(4);
    expect(body.meta.stale).toBe(true);
    expect(body.meta.breaker.state).toBe('open');
    expect(body.meta.lastSuccessAt).toBe(new Date(NOW - 10 * 60_000).toISOString());
    expect(body.meta.lastPoll).toBe(new Date(NOW - 5 * 60_000).toISOString());
  });
});

describe('Cache-Control before any poll is known', () => {
  let t: TestApp;
  const maxAge = async (url: string) => (await t.app.inject({ method: 'GET', url })).headers['cache-control'];

  beforeEach(async () => {
    // nothing live in the snapshot: only a poll can say the scheduler has gone idle
    t = await makeApp({
      config: testConfig({ POLL_LIVE_S: '45', POLL_IDLE_S: '240' }),
      games: [game({ id: 'done', kickoff: NOW - 5 * H, phase: 'final' }), game({ id: 'soon', kickoff: NOW + H })],
    });
  });
  afterEach(async () => t.app.close());

  it('uses the live interval, as the scheduler does until it learns the live state', async () => {
    for (const url of ['/api/games', '/api/games/live', '/api/games/soon']) expect(await maxAge(url), url).toBe('public, max-age=45');
    t.runtime.meta.onPoll(poll(NOW, 0));
    for (const url of ['/api/games', '/api/games/live', '/api/games/soon']) expect(await maxAge(url), url).toBe('public, max-age=240');
  });

  it("still uses it when Redis gave only the last poll's time, not its live state", async () => {
    t.runtime.meta.seed({ lastPollMs: NOW - 30_000 });
    expect(await maxAge('/api/games')).toBe('public, max-age=45');
    t.runtime.meta.onPoll(poll(NOW, 0));
    expect(await maxAge('/api/games')).toBe('public, max-age=240');
  });

  it('uses the idle interval once Redis gave a live state saying nothing is live', async () => {
    t.runtime.meta.seed({ liveState: { hasLiveGames: false, liveGameCount: 0, lastCheck: new Date(NOW).toISOString() } });
    expect(await maxAge('/api/games')).toBe('public, max-age=240');
  });
});

describe('a busy Saturday: 300 games, 150 of them live', () => {
  let t: TestApp;
  const get = async (url: string) => json<GamesBody>(await t.app.inject({ method: 'GET', url }));
  const day = new Date(NOW).toLocaleDateString('en-CA', { timeZone: 'America/New_York' });

  beforeEach(async () => {
    t = await makeApp({
      games: Array.from({ length: 300 }, (_, i) =>
        game({ id: `g${String(i).padStart(3, '0')}`, kickoff: NOW - 2 * H + i * 60_000, phase: i % 2 === 0 ? 'in' : 'pre' }),
      ),
    });
  });
  afterEach(async () => t.app.close());

  it('answers every matching game when no limit is given, with no next cursor', async () => {
    const live = await get('/api/games/live');
    expect(live.games).toHaveLength(150);
    expect(live.games.every((g) => g.status.state === 'in')).toBe(true);
    expect(live.meta.nextCursor).toBeNull();
    const all = await get(`/api/games?date=${day}`);
    expect(all.games).toHaveLength(300);
    expect(all.meta.nextCursor).toBeNull();
    expect((await get('/api/games')).games).toHaveLength(300);
  });

  it('pages with the cursor when a limit is given, up to 1000 a page', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: GamesBody = await get(`/api/games?date=${day}&limit=120${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.games.length).toBeLessThanOrEqual(120);
      seen.push(...ids(page));
      cursor = page.meta.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids(await get(`/api/games?date=${day}`)));
    const live = await get('/api/games/live?limit=100');
    expect([live.games.length, live.meta.nextCursor === null]).toEqual([100, false]);
    expect(ids(await get(`/api/games/live?limit=100&cursor=${live.meta.nextCursor}`))).toHaveLength(50);
    expect((await get('/api/games?limit=1000')).games).toHaveLength(300);
  });

  it('serves a repeated request from the cached bytes', async () => {
    const first = await t.app.inject({ method: 'GET', url: '/api/games/live' });
    const second = await t.app.inject({ method: 'GET', url: '/api/games/live' });
    expect(second.rawPayload.equals(first.rawPayload)).toBe(true);
    expect(second.headers.etag).toBe(first.headers.etag);
  });
});

describe('GET /api/games/live and /api/games/:id', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await makeApp({
      games: [
        game({ id: 'ancient-suspended', kickoff: NOW - 5 * D, phase: 'in' }),
        game({ id: 'live', kickoff: NOW - H, phase: 'in' }),
        game({ id: 'soon', kickoff: NOW + H }),
      ],
    });
  });
  afterEach(async () => t.app.close());

  it('lists every game in progress whatever its day, also with a trailing slash', async () => {
    for (const url of ['/api/games/live', '/api/games/live/']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(ids(json(res))).toEqual(['ancient-suspended', 'live']);
    }
    expect(ids(json(await t.app.inject({ method: 'GET', url: '/api/games/live?team=osu&limit=1' })))).toEqual(['ancient-suspended']);
  });

  it('refuses the state filters it implies, and bad parameters', async () => {
    for (const q of ['status=pre', 'live=false', 'limit=0', 'date=2026-13-01']) {
      const res = await t.app.inject({ method: 'GET', url: `/api/games/live?${q}` });
      expect(res.statusCode, q).toBe(400);
      expect(json<{ error: { message: string } }>(res).error.message).toContain(`"${q.split('=')[0]}"`);
    }
  });

  it('answers one game as the game itself (as the lists have it), 404 for an unknown id and 400 for a malformed one', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/games/soon/' });
    expect(res.statusCode).toBe(200);
    const body = json<GameWithRevision>(res);
    expect(body).toMatchObject({ id: 'soon', revision: 1, home: { abbreviation: 'MICH' } });
    expect(body).not.toHaveProperty('game');
    expect(body).not.toHaveProperty('meta');
    expect(Compile(Game).Check(body)).toBe(true);
    const listed = json<GamesBody>(await t.app.inject({ method: 'GET', url: '/api/games' })).games.find((g) => g.id === 'soon');
    expect(body).toEqual(listed);
    expect(res.headers.etag).toBeDefined();
    expect(res.headers['cache-control']).toBe('public, max-age=60');
    expect((await t.app.inject({ method: 'GET', url: '/api/games/soon', headers: { 'if-none-match': res.headers.etag as string } })).statusCode).toBe(304);

    const missing = await t.app.inject({ method: 'GET', url: '/api/games/999' });
    expect(missing.statusCode).toBe(404);
    expect(json(missing)).toEqual({ error: { code: 'GAME_NOT_FOUND', message: 'no game 999' } });

    const bad = await t.app.inject({ method: 'GET', url: '/api/games/not.an.id' });
    expect(bad.statusCode).toBe(400);
    expect(json<{ error: { message: string } }>(bad).error.message).toContain('"id"');
  });
});
