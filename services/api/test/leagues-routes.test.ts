import { GraderError } from '@scores/grader';
import { pino } from 'pino';
import { Compile } from 'typebox/compile';
import { afterEach, describe, expect, it } from 'vitest';
import { League, Pick, Standing } from '../src/http/schemas.js';
import { fakeLeagues, json, KEY, makeApp, NOW, testConfig, type TestApp } from './helpers.js';
import { game } from './fixtures.js';

type ErrorBody = { error: { code: string; message: string } };
const LEAGUE = '00000000-0000-4000-8000-000000000001';
const auth = { authorization: `Bearer ${KEY}` };
const newLeague = { name: 'Office', againstTheSpread: true, pointsPerCorrect: 1, keyPickBonus: 1, pushPoints: 0 };
const pick = { userId: 'ann', gameId: 'g1', teamId: '130' };

let t: TestApp | undefined;
afterEach(async () => {
  await t?.app.close();
  t = undefined;
});

const writes = [
  { method: 'POST', url: '/api/leagues', payload: newLeague },
  { method: 'PUT', url: `/api/leagues/${LEAGUE}/games/g1`, payload: { homeSpread: -3.5 } },
  { method: 'POST', url: `/api/leagues/${LEAGUE}/picks`, payload: pick },
] as const;

describe('API keys on writes', () => {
  it.each(writes)('$method $url answers 401 without a key, with a wrong one, and with a malformed header', async (w) => {
    t = await makeApp();
    for (const headers of [{}, { authorization: 'Bearer wrong-key-0123456789abcdef' }, { authorization: KEY }, { authorization: `Basic ${KEY}` }]) {
      const res = await t.app.inject({ ...w, headers });
      expect(res.statusCode).toBe(401);
      expect(json<ErrorBody>(res).error.code).toBe('UNAUTHORIZED');
      expect(res.headers['www-authenticate']).toContain('Bearer');
      expect(res.body).not.toContain(KEY);
    }
    expect(t.leagues.calls.filter(([m]) => m !== 'getLeague')).toEqual([]);
  });

  it.each(writes)('$method $url succeeds with a right key', async (w) => {
    t = await makeApp();
    const res = await t.app.inject({ ...w, headers: { authorization: `bearer  ${KEY}` } });
    expect(res.statusCode).toBeLessThan(300);
  });

  it('accepts any of several keys, and answers 401 to everything when none is configured', async () => {
    t = await makeApp({ config: testConfig({ API_KEYS: `first-key-0123456789,${KEY}` }) });
    expect((await t.app.inject({ ...writes[0], headers: { authorization: 'Bearer first-key-0123456789' } })).statusCode).toBe(201);
    expect((await t.app.inject({ ...writes[0], headers: auth })).statusCode).toBe(201);
    await t.app.close();
    t = await makeApp({ config: testConfig({ API_KEYS: '' }) });
    const res = await t.app.inject({ ...writes[0], headers: auth });
    expect(res.statusCode).toBe(401);
    expect(json<ErrorBody>(res).error.message).toContain('no API keys');
  });

  it('accepts a short key, and warns once at start without the key in any log line', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
    t = await makeApp({ config: testConfig({ API_KEYS: `q7Zx, ${KEY}` }), log });
    const short = await t.app.inject({ ...writes[0], headers: { authorization: 'Bearer q7Zx' } });
    expect(short.statusCode).toBe(201);
    expect((await t.app.inject({ ...writes[0], headers: { authorization: 'Bearer q7Zy' } })).statusCode).toBe(401);
    const warnings = lines.map((l) => JSON.parse(l) as { level: number; msg: string; shortKeys?: number }).filter((l) => l.level >= 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40, shortKeys: 1 });
    expect(warnings[0]?.msg).toContain('API_KEYS');
    for (const line of lines) {
      expect(line).not.toContain('q7Zx');
      expect(line).not.toContain(KEY);
    }
  });

  it('does not warn about keys of a reasonable length', async () => {
    const lines: string[] = [];
    t = await makeApp({ log: pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) }) });
    expect(lines).toEqual([]);
  });

  it('checks the key before reading the body', async () => {
    t = await makeApp();
    const res = await t.app.inject({ method: 'POST', url: '/api/leagues', payload: '{broken', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(401);
  });
});

describe('POST /api/leagues', () => {
  it('answers 201 with the league and where it lives', async () => {
    t = await makeApp();
    const res = await t.app.inject({ method: 'POST', url: '/api/leagues', payload: { name: 'Office', againstTheSpread: false, pointsPerCorrect: 2 }, headers: auth });
    expect(res.statusCode).toBe(201);
    const body = json<{ id: string }>(res);
    expect(body).toMatchObject({ id: LEAGUE, name: 'Office', againstTheSpread: false, pointsPerCorrect: 2, keyPickBonus: 0, pushPoints: 0 });
    expect(Compile(League).Check(body)).toBe(true);
    expect(res.headers.location).toBe(`/api/leagues/${LEAGUE}`);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it.each([
    [{ ...newLeague, name: '' }, 'name'],
    [{ ...newLeague, name: 7 }, 'name'],
    [{ againstTheSpread: true, pointsPerCorrect: 1 }, 'name'],
    [{ ...newLeague, againstTheSpread: 'yes' }, 'againstTheSpread'],
    [{ ...newLeague, pointsPerCorrect: -1 }, 'pointsPerCorrect'],
    [{ ...newLeague, pointsPerCorrect: '1' }, 'pointsPerCorrect'],
    [{ ...newLeague, keyPickBonus: null }, 'keyPickBonus'],
    [{ ...newLeague, pushPoints: 1e9 }, 'pushPoints'],
    [{ ...newLeague, owner: 'me' }, 'owner'],
  ])('answers 400 naming the field for %j', async (payload, field) => {
    t = await makeApp();
    const res = await t.app.inject({ method: 'POST', url: '/api/leagues', payload, headers: auth });
    expect(res.statusCode).toBe(400);
    expect(json<ErrorBody>(res).error).toMatchObject({ code: 'INVALID_BODY' });
    expect(json<ErrorBody>(res).error.message).toContain(`"${field}"`);
    expect(t.leagues.calls).toEqual([]);
  });

  it('refuses a body that is not an object', async () => {
    t = await makeApp();
    for (const payload of ['[]', '"league"', 'null']) {
      const res = await t.app.inject({ method: 'POST', url: '/api/leagues', payload, headers: { ...auth, 'content-type': 'application/json' } });
      expect(res.statusCode, payload).toBe(400);
    }
  });
});

describe('PUT /api/leagues/:leagueId/games/:gameId', () => {
  it('answers 200 with the slate entry; no body means the defaults', async () => {
    t = await makeApp();
    const res = await t.app.inject({ method: 'PUT', url: `/api/leagues/${LEAGUE}/games/g1/`, payload: { homeSpread: null, tiebreaker: true }, headers: auth });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({ leagueId: LEAGUE, gameId: 'g1', homeSpread: null, tiebreaker: true, week: 13 });
    const bare = await t.app.inject({ method: 'PUT', url: `/api/leagues/${LEAGUE}/games/g1`, headers: auth });
    expect(bare.statusCode).toBe(200);
    expect(t.leagues.calls.at(-1)).toEqual(['putLeagueGame', LEAGUE, 'g1', {}]);
  });

  it.each([
    [`/api/leagues/not-a-uuid/games/g1`, { homeSpread: 1 }, 'leagueId'],
    [`/api/leagues/${LEAGUE}/games/g.1`, { homeSpread: 1 }, 'gameId'],
    [`/api/leagues/${LEAGUE}/games/g1`, { homeSpread: 'three' }, 'homeSpread'],
    [`/api/leagues/${LEAGUE}/games/g1`, { homeSpread: 5000 }, 'homeSpread'],
    [`/api/leagues/${LEAGUE}/games/g1`, { tiebreaker: 1 }, 'tiebreaker'],
    [`/api/leagues/${LEAGUE}/games/g1`, { spread: 1 }, 'spread'],
  ])('answers 400 naming the parameter for %s %j', async (url, payload, name) => {
    t = await makeApp();
    const res = await t.app.inject({ method: 'PUT', url, payload, headers: auth });
    expect(res.statusCode).toBe(400);
    expect(json<ErrorBody>(res).error.message).toContain(`"${name}"`);
  });

  it.each([
    ['LEAGUE_NOT_FOUND', 404],
    ['GAME_NOT_FOUND', 404],
    ['GAME_STARTED', 409],
    ['TIEBREAKER_TAKEN', 409],
  ] as const)('answers %s from the data layer with %i', async (code, status) => {
    t = await makeApp({ leagues: fakeLeagues({ putLeagueGame: async () => Promise.reject(new GraderError(code, `refused: ${code}`)) }) });
    const res = await t.app.inject({ method: 'PUT', url: `/api/leagues/${LEAGUE}/games/g1`, payload: {}, headers: auth });
    expect(res.statusCode).toBe(status);
    expect(json(res)).toEqual({ error: { code, message: `refused: ${code}` } });
  });
});

describe('POST /api/leagues/:leagueId/picks', () => {
  it('answers 201 for a new pick and 200 for a replacement, in the picks shape', async () => {
    let created = true;
    const base = fakeLeagues();
    const leagues = fakeLeagues({
      upsertPick: async (leagueId, input) => {
        const r = await base.upsertPick(leagueId, input);
        const out = { ...r, created };
        created = false;
        return out;
      },
    });
    t = await makeApp({ leagues, games: [game({ id: 'g1', kickoff: NOW + 3600_000 })] });
    const first = await t.app.inject({ method: 'POST', url: `/api/leagues/${LEAGUE}/picks`, payload: { ...pick, keyPick: true, pointsGuess: 45 }, headers: auth });
    expect(first.statusCode).toBe(201);
    const body = json(first);
    expect(body).toEqual({ id: '1', userId: 'ann', gameId: 'g1', teamId: '130', keyPick: true, pointsGuess: 45, week: 13, result: null, points: 0 });
    expect(Compile(Pick).Check(body)).toBe(true);
    const second = await t.app.inject({ method: 'POST', url: `/api/leagues/${LEAGUE}/picks/`, payload: { ...pick, teamId: '194' }, headers: auth });
    expect(second.statusCode).toBe(200);
  });

  it('answers 409 at once when this replica knows the game has kicked off', async () => {
    t = await makeApp({
      games: [game({ id: 'started', kickoff: NOW - 60_000, phase: 'pre' }), game({ id: 'early', kickoff: NOW + 3600_000, phase: 'in' })],
    });
    for (const gameId of ['started', 'early']) {
      const res = await t.app.inject({ method: 'POST', url: `/api/leagues/${LEAGUE}/picks`, payload: { ...pick, gameId }, headers: auth });
      expect(res.statusCode).toBe(409);
      expect(json<ErrorBody>(res).error.code).toBe('GAME_STARTED');
    }
    expect(t.leagues.calls.filter(([m]) => m === 'upsertPick')).toEqual([]);
  });

  it.each([
    ['GAME_STARTED', 409],
    ['KEY_PICK_TAKEN', 409],
    ['TEAM_NOT_IN_GAME', 400],
    ['GAME_NOT_ON_SLATE', 400],
    ['LEAGUE_NOT_FOUND', 404],
  ] as const)('answers %s from the data layer with %i', async (code, status) => {
    t = await makeApp({ leagues: fakeLeagues({ upsertPick: async () => Promise.reject(new GraderError(code, `refused: ${code}`)) }) });
    const res = await t.app.inject({ method: 'POST', url: `/api/leagues/${LEAGUE}/picks`, payload: pick, headers: auth });
    expect(res.statusCode).toBe(status);
    expect(json<ErrorBody>(res).error.code).toBe(code);
  });

  it.each([
    [{ gameId: 'g1', teamId: '130' }, 'userId'],
    [{ ...pick, userId: '' }, 'userId'],
    [{ userId: 'ann', teamId: '130' }, 'gameId'],
    [{ ...pick, teamId: 130 }, 'teamId'],
    [{ ...pick, keyPick: 'yes' }, 'keyPick'],
    [{ ...pick, pointsGuess: -1 }, 'pointsGuess'],
    [{ ...pick, pointsGuess: 45.5 }, 'pointsGuess'],
    [{ ...pick, confidence: 3 }, 'confidence'],
  ])('answers 400 naming the field for %j', async (payload, field) => {
    t = await makeApp();
    const res = await t.app.inject({ method: 'POST', url: `/api/leagues/${LEAGUE}/picks`, payload, headers: auth });
    expect(res.statusCode).toBe(400);
    expect(json<ErrorBody>(res).error.message).toContain(`"${field}"`);
  });
});

describe('GET standings and picks', () => {
  it('answers standings in the SPEC shape, for a week or the season', async () => {
    const standings = [
      { userId: 'ann', rank: 1, wins: 3, losses: 1, pushes: 0, points: 4, tiebreak: 3 },
      { userId: 'bob', rank: 2, wins: 2, losses: 2, pushes: 0, points: 2, tiebreak: null },
    ];
    t = await makeApp({ leagues: fakeLeagues({ getStandings: async () => standings }) });
    const res = await t.app.inject({ method: 'GET', url: `/api/leagues/${LEAGUE}/standings?week=13` });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({ standings });
    for (const s of standings) expect(Compile(Standing).Check(s)).toBe(true);
    expect(t.leagues.calls.at(-1)).toEqual(['getStandings', LEAGUE, { week: 13 }]);
    await t.app.inject({ method: 'GET', url: `/api/leagues/${LEAGUE}/standings/` });
    expect(t.leagues.calls.at(-1)).toEqual(['getStandings', LEAGUE, {}]);
    expect(res.headers.etag).toBeDefined();
  });

  it('answers picks with their grade, filtered by user and week', async () => {
    t = await makeApp({
      leagues: fakeLeagues({
        listPicks: async () => [
          { id: '9', leagueId: LEAGUE, userId: 'ann', gameId: 'g1', teamId: '130', keyPick: false, pointsGuess: null, week: 13, result: 'win', points: 1, gradedRevision: 4, createdAt: '', updatedAt: '' },
        ],
      }),
    });
    const res = await t.app.inject({ method: 'GET', url: `/api/leagues/${LEAGUE}/picks?user=ann&week=13` });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({ picks: [{ id: '9', userId: 'ann', gameId: 'g1', teamId: '130', keyPick: false, pointsGuess: null, week: 13, result: 'win', points: 1 }] });
    expect(t.leagues.calls.at(-1)).toEqual(['listPicks', LEAGUE, { userId: 'ann', week: 13 }]);
  });

  it('answers 404 for an unknown league', async () => {
    t = await makeApp({ leagues: fakeLeagues({ getStandings: async () => Promise.reject(new GraderError('LEAGUE_NOT_FOUND', 'no league')) }) });
    const other = '00000000-0000-4000-8000-000000000002';
    expect((await t.app.inject({ method: 'GET', url: `/api/leagues/${other}/picks` })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/api/leagues/${other}/standings` })).statusCode).toBe(404);
  });

  it.each([
    ['/standings?week=-1', 'week'],
    ['/standings?week=two', 'week'],
    ['/standings?week=', 'week'],
    ['/standings?user=ann', 'user'],
    ['/picks?week=1.5', 'week'],
    ['/picks?user=', 'user'],
    ['/picks?team=x', 'team'],
  ])('answers 400 naming the parameter for %s', async (path, name) => {
    t = await makeApp();
    const res = await t.app.inject({ method: 'GET', url: `/api/leagues/${LEAGUE}${path}` });
    expect(res.statusCode).toBe(400);
    expect(json<ErrorBody>(res).error.message).toContain(`"${name}"`);
  });

  it('answers 400 for a league id that cannot be one', async () => {
    t = await makeApp();
    const res = await t.app.inject({ method: 'GET', url: '/api/leagues/42/standings' });
    expect(res.statusCode).toBe(400);
    expect(json<ErrorBody>(res).error.message).toContain('"leagueId"');
  });
});
