import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@scores/testkit';
import { pgArray } from '../src/db/arrays.js';
import { getGame, listGames } from '../src/db/games.js';
import { createLeague, getLeague, listLeagueGames, putLeagueGame } from '../src/db/leagues.js';
import { listPicks, upsertPick } from '../src/db/picks.js';
import { getStandings } from '../src/db/standings.js';
import { createSql } from '../src/db/connect.js';
import { applyGameChanged, applyGameChanges } from '../src/grading/apply.js';
import { recomputeStandings } from '../src/grading/sql.js';
import { startHarness, type Harness } from './harness.js';
import { gameEvent, type GameSpec } from './support.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('graderdata');
});
afterAll(() => h?.close());

async function games(...specs: GameSpec[]) {
  for (const s of specs) await h.publish(gameEvent(s));
  await h.drained();
}

const kickoff = '2099-01-01T18:00:00.000Z';
const beforeKickoff = new Date('2099-01-01T17:00:00.000Z');
const afterKickoff = new Date('2099-01-01T18:00:01.000Z');

describe('leagues', () => {
  it('creates a league with push points and key-pick bonus defaulting to 0', async () => {
    const league = await createLeague(h.sql, { name: 'Office pool', againstTheSpread: true, pointsPerCorrect: 2 });
    expect(league).toMatchObject({ name: 'Office pool', againstTheSpread: true, pointsPerCorrect: 2, keyPickBonus: 0, pushPoints: 0 });
    expect(await getLeague(h.sql, league.id)).toEqual(league);
    expect(await getLeague(h.sql, 'not-a-uuid')).toBeNull();
    expect(await getLeague(h.sql, '00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('names what is wrong with a bad league', async () => {
    await expect(createLeague(h.sql, { name: '', againstTheSpread: true, pointsPerCorrect: -1 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      status: 400,
      message: expect.stringMatching(/name[\s\S]*pointsPerCorrect/) as unknown,
    });
  });

  it('locks the current spread in a league against the spread, and none in a straight-up one', async () => {
    await games({ id: 'd-slate', revision: 1, kickoff, homeSpread: -6.5, week: 2 });
    const ats = await createLeague(h.sql, { name: 'ats', againstTheSpread: true, pointsPerCorrect: 1 });
    const su = await createLeague(h.sql, { name: 'su', againstTheSpread: false, pointsPerCorrect: 1 });
    expect(await putLeagueGame(h.sql, ats.id, 'd-slate', {}, beforeKickoff)).toEqual({
      created: true,
      leagueGame: { leagueId: ats.id, gameId: 'd-slate', homeSpread: -6.5, tiebreaker: false, week: 2 },
    });
    expect((await putLeagueGame(h.sql, su.id, 'd-slate', {}, beforeKickoff)).leagueGame.homeSpread).toBeNull();
    // the spread moves at ESPN: what was locked stays
    await games({ id: 'd-slate', revision: 2, kickoff, homeSpread: -9, week: 2 });
    expect(await putLeagueGame(h.sql, ats.id, 'd-slate', { tiebreaker: true }, beforeKickoff)).toEqual({
      created: false,
      leagueGame: { leagueId: ats.id, gameId: 'd-slate', homeSpread: -6.5, tiebreaker: true, week: 2 },
    });
    expect(await putLeagueGame(h.sql, ats.id, 'd-slate', { homeSpread: null }, beforeKickoff)).toMatchObject({
      leagueGame: { homeSpread: null },
    });
    expect(await listLeagueGames(h.sql, ats.id)).toEqual([{ leagueId: ats.id, gameId: 'd-slate', homeSpread: null, tiebreaker: true, week: 2 }]);
  });

  it('refuses to change a slate entry once the game has started, but answers an identical put', async () => {
    await games({ id: 'd-started', revision: 1, kickoff, homeSpread: -3 });
    const league = await createLeague(h.sql, { name: 'l', againstTheSpread: true, pointsPerCorrect: 1 });
    await putLeagueGame(h.sql, league.id, 'd-started', {}, beforeKickoff);
    expect((await putLeagueGame(h.sql, league.id, 'd-started', { homeSpread: -3 }, afterKickoff)).created).toBe(false);
    await expect(putLeagueGame(h.sql, league.id, 'd-started', { homeSpread: -4 }, afterKickoff)).rejects.toMatchObject({
      code: 'GAME_STARTED',
      status: 409,
    });
    const other = await createLeague(h.sql, { name: 'late', againstTheSpread: true, pointsPerCorrect: 1 });
    await expect(putLeagueGame(h.sql, other.id, 'd-started', {}, afterKickoff)).rejects.toMatchObject({ code: 'GAME_STARTED' });
  });

  it('keeps one tiebreak game per league and week, and knows unknown leagues and games', async () => {
    await games({ id: 'd-tb1', revision: 1, kickoff, week: 3 }, { id: 'd-tb2', revision: 1, kickoff, week: 3 });
    const league = await createLeague(h.sql, { name: 'l', againstTheSpread: false, pointsPerCorrect: 1 });
    await putLeagueGame(h.sql, league.id, 'd-tb1', { tiebreaker: true }, beforeKickoff);
    await expect(putLeagueGame(h.sql, league.id, 'd-tb2', { tiebreaker: true }, beforeKickoff)).rejects.toMatchObject({
      code: 'TIEBREAKER_TAKEN',
    });
    await expect(putLeagueGame(h.sql, league.id, 'no-such-game', {}, beforeKickoff)).rejects.toMatchObject({ code: 'GAME_NOT_FOUND' });
    await expect(putLeagueGame(h.sql, '00000000-0000-4000-8000-000000000000', 'd-tb1')).rejects.toMatchObject({
      code: 'LEAGUE_NOT_FOUND',
      status: 404,
    });
  });
});

describe('picks', () => {
  let league: string;
  beforeAll(async () => {
    await games({ id: 'd-p1', revision: 1, kickoff, week: 4 }, { id: 'd-p2', revision: 1, kickoff, week: 4 }, { id: 'd-p3', revision: 1, kickoff, week: 4 });
    league = (await createLeague(h.sql, { name: 'picks', againstTheSpread: false, pointsPerCorrect: 1 })).id;
    for (const g of ['d-p1', 'd-p2']) await putLeagueGame(h.sql, league, g, {}, beforeKickoff);
  });

  it('creates a pick, then replaces it whole', async () => {
    const first = await upsertPick(h.sql, league, { userId: 'ann', gameId: 'd-p1', teamId: '130', keyPick: true, pointsGuess: 44 }, beforeKickoff);
    expect(first.created).toBe(true);
    expect(first.pick).toMatchObject({ leagueId: league, userId: 'ann', gameId: 'd-p1', teamId: '130', keyPick: true, pointsGuess: 44, week: 4, result: null, points: 0 });
    const second = await upsertPick(h.sql, league, { userId: 'ann', gameId: 'd-p1', teamId: '194' }, beforeKickoff);
    expect(second.created).toBe(false);
    expect(second.pick).toMatchObject({ id: first.pick.id, teamId: '194', keyPick: false, pointsGuess: null });
    expect(await listPicks(h.sql, league, { userId: 'ann' })).toEqual([second.pick]);
  });

  it('refuses a pick once the game has kicked off, by the clock or by its state', async () => {
    await expect(upsertPick(h.sql, league, { userId: 'bob', gameId: 'd-p2', teamId: '130' }, afterKickoff)).rejects.toMatchObject({
      code: 'GAME_STARTED',
      status: 409,
    });
    await games({ id: 'd-p2', revision: 2, kickoff, week: 4, phase: 'in', home: 0, away: 0 });
    await expect(upsertPick(h.sql, league, { userId: 'bob', gameId: 'd-p2', teamId: '130' }, beforeKickoff)).rejects.toMatchObject({
      code: 'GAME_STARTED',
    });
    expect(await listPicks(h.sql, league, { userId: 'bob' })).toEqual([]);
  });

  it('refuses a team not in the game, a game not on the slate and a second key pick in a week', async () => {
    await expect(upsertPick(h.sql, league, { userId: 'cat', gameId: 'd-p1', teamId: '999' }, beforeKickoff)).rejects.toMatchObject({
      code: 'TEAM_NOT_IN_GAME',
    });
    await expect(upsertPick(h.sql, league, { userId: 'cat', gameId: 'd-p3', teamId: '130' }, beforeKickoff)).rejects.toMatchObject({
      code: 'GAME_NOT_ON_SLATE',
    });
    await expect(upsertPick(h.sql, 'nope', { userId: 'cat', gameId: 'd-p1', teamId: '130' })).rejects.toMatchObject({ code: 'LEAGUE_NOT_FOUND' });
    await expect(upsertPick(h.sql, league, { userId: '', gameId: 'd-p1', teamId: '130' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await putLeagueGame(h.sql, league, 'd-p3', {}, beforeKickoff);
    await upsertPick(h.sql, league, { userId: 'cat', gameId: 'd-p1', teamId: '130', keyPick: true }, beforeKickoff);
    await expect(upsertPick(h.sql, league, { userId: 'cat', gameId: 'd-p3', teamId: '130', keyPick: true }, beforeKickoff)).rejects.toMatchObject({
      code: 'KEY_PICK_TAKEN',
      status: 409,
    });
    // replacing the key pick itself is fine
    expect((await upsertPick(h.sql, league, { userId: 'cat', gameId: 'd-p1', teamId: '194', keyPick: true }, beforeKickoff)).created).toBe(false);
  });
});

describe('standings', () => {
  it('leave the tiebreak null until the tiebreak game is final, then rank by it', async () => {
    await games({ id: 'd-w1', revision: 1, kickoff, week: 9 }, { id: 'd-wtb', revision: 1, kickoff, week: 9 });
    const league = (await createLeague(h.sql, { name: 'tb', againstTheSpread: false, pointsPerCorrect: 1 })).id;
    await putLeagueGame(h.sql, league, 'd-w1', {}, beforeKickoff);
    await putLeagueGame(h.sql, league, 'd-wtb', { tiebreaker: true }, beforeKickoff);
    for (const [userId, guess] of [['ann', 30], ['bob', 52], ['cat', 48]] as const) {
      await upsertPick(h.sql, league, { userId, gameId: 'd-w1', teamId: '130' }, beforeKickoff);
      await upsertPick(h.sql, league, { userId, gameId: 'd-wtb', teamId: '130', pointsGuess: guess }, beforeKickoff);
    }
    await games({ id: 'd-w1', revision: 2, kickoff, week: 9, phase: 'final', home: 10, away: 7 });
    expect(await getStandings(h.sql, league, { week: 9 })).toEqual([
      { userId: 'ann', rank: 1, wins: 1, losses: 0, pushes: 0, points: 1, tiebreak: null },
      { userId: 'bob', rank: 1, wins: 1, losses: 0, pushes: 0, points: 1, tiebreak: null },
      { userId: 'cat', rank: 1, wins: 1, losses: 0, pushes: 0, points: 1, tiebreak: null },
    ]);
    await games({ id: 'd-wtb', revision: 2, kickoff, week: 9, phase: 'final', home: 7, away: 43 });
    expect(await getStandings(h.sql, league, { week: 9 })).toEqual([
      { userId: 'bob', rank: 1, wins: 1, losses: 1, pushes: 0, points: 1, tiebreak: 2 },
      { userId: 'cat', rank: 1, wins: 1, losses: 1, pushes: 0, points: 1, tiebreak: 2 },
      { userId: 'ann', rank: 3, wins: 1, losses: 1, pushes: 0, points: 1, tiebreak: 20 },
    ]);
    expect(await getStandings(h.sql, league)).toEqual(await getStandings(h.sql, league, { week: 9 }));
    await expect(getStandings(h.sql, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'LEAGUE_NOT_FOUND' });
  });

  it('stay exact when many games of one week are graded at once', async () => {
    const ids = Array.from({ length: 16 }, (_, i) => `d-burst-${i}`);
    await games(...ids.map((id) => ({ id, revision: 1, kickoff, week: 10 })));
    const league = (await createLeague(h.sql, { name: 'burst', againstTheSpread: false, pointsPerCorrect: 1 })).id;
    const users = Array.from({ length: 20 }, (_, i) => `u${i}`);
    for (const id of ids) {
      await putLeagueGame(h.sql, league, id, {}, beforeKickoff);
      for (const [i, userId] of users.entries()) await upsertPick(h.sql, league, { userId, gameId: id, teamId: i % 3 ? '130' : '194' }, beforeKickoff);
    }
    for (const [i, id] of ids.entries()) await h.publish(gameEvent({ id, revision: 2, kickoff, week: 10, phase: 'final', home: i, away: 8 }));
    await h.drained();
    await waitFor(async () => (await listPicks(h.sql, league)).every((p) => p.result !== null));
    const before = await getStandings(h.sql, league, { week: 10 });
    // a recomputation from scratch finds nothing to change: no grade was lost to a concurrent one
    expect(await recomputeStandings(h.sql, [{ leagueId: league, week: 10 }])).toBe(0);
    expect(await getStandings(h.sql, league, { week: 10 })).toEqual(before);
    // home wins games 9..15, away 0..7, game 8 is a tie: the 7 away pickers (u0, u3, ...) lead
    expect(before.find((s) => s.userId === 'u0')).toMatchObject({ wins: 8, losses: 7, pushes: 1, rank: 1 });
    expect(before.find((s) => s.userId === 'u1')).toMatchObject({ wins: 7, losses: 8, pushes: 1, rank: 8 });
  });
});

describe('standings under concurrent grading', () => {
  it('count every grade when two games of the week are graded while the standings are busy', async () => {
    // different teams in each game: games sharing a team also queue on that team's row
    const spec = (i: number) => ({ id: `d-race-${i}`, kickoff, week: 11, homeTeamId: `h${i}`, awayTeamId: `a${i}` });
    await games(...[0, 1, 2].map((i) => ({ ...spec(i), revision: 1 })));
    const league = (await createLeague(h.sql, { name: 'race', againstTheSpread: false, pointsPerCorrect: 1 })).id;
    for (const i of [0, 1, 2]) {
      await putLeagueGame(h.sql, league, spec(i).id, {}, beforeKickoff);
      for (const userId of ['ann', 'bob']) await upsertPick(h.sql, league, { userId, gameId: spec(i).id, teamId: `h${i}` }, beforeKickoff);
    }
    await games({ ...spec(0), revision: 2, phase: 'final', home: 1, away: 0 });
    // hold the week's standings rows: both graders compute theirs, then queue behind us
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = h.sql.begin(async (tx) => {
      await tx`select 1 from standings where league_id = ${league} for update`;
      locked();
      await held;
    });
    await isLocked;
    // two replicas, one grading its game in a batch and the other one event at a time
    const replicas = createSql(h.db.url, { max: 2, applicationName: 'race-graders' });
    const final = (i: number) => gameEvent({ ...spec(i), revision: 2, phase: 'final', home: 1, away: 0 });
    const grading = Promise.all([applyGameChanges(replicas, [final(1)], h.ns), applyGameChanged(replicas, final(2), h.ns)]);
    await waitFor(
      async () =>
        (await h.sql<{ n: number }[]>`
          select count(*)::int as n from pg_stat_activity
          where datname = ${h.db.name} and application_name = 'race-graders' and wait_event_type = 'Lock'`)[0]!.n >= 2,
      { message: 'both graders waiting' },
    ).catch((err: unknown) => {
      release(); // never leave the standings held for the tests after this one
      throw err;
    });
    release();
    await holder;
    await grading;
    await replicas.end({ timeout: 1 });
    expect((await getStandings(h.sql, league, { week: 11 })).map((s) => [s.userId, s.wins])).toEqual([
      ['ann', 3],
      ['bob', 3],
    ]);
  });
});

describe('games for the api', () => {
  it('lists games by kickoff with filters and a cursor', async () => {
    await games(
      { id: 'api-1', revision: 1, kickoff: '2098-09-01T16:00:00.000Z' },
      { id: 'api-2', revision: 1, kickoff: '2098-09-01T19:30:00.000Z', homeTeamId: '2', awayTeamId: '333' },
      { id: 'api-3', revision: 1, kickoff: '2098-09-02T00:00:00.000Z', phase: 'in', home: 7, away: 0 },
      { id: 'api-4', revision: 1, kickoff: '2098-09-03T00:00:00.000Z', sport: 'basketball', league: 'nba' },
    );
    const window = { from: new Date('2098-09-01T00:00:00Z'), to: new Date('2098-09-04T00:00:00Z') };
    const first = await listGames(h.sql, { ...window, limit: 2 });
    expect(first.games.map((g) => g.id)).toEqual(['api-1', 'api-2']);
    const second = await listGames(h.sql, { ...window, limit: 2, cursor: first.nextCursor! });
    expect(second.games.map((g) => g.id)).toEqual(['api-3', 'api-4']);
    expect(second.nextCursor).toBeNull();
    expect((await listGames(h.sql, { ...window, state: 'in' })).games.map((g) => g.id)).toEqual(['api-3']);
    expect((await listGames(h.sql, { ...window, team: '333' })).games.map((g) => g.id)).toEqual(['api-2']);
    expect((await listGames(h.sql, { ...window, team: 'mich' })).games).toHaveLength(4);
    expect((await listGames(h.sql, { ...window, sport: 'basketball', league: 'nba' })).games.map((g) => g.id)).toEqual(['api-4']);
    expect((await listGames(h.sql, { ids: ['api-4', 'api-1'] })).games.map((g) => g.id)).toEqual(['api-1', 'api-4']);
    expect((await getGame(h.sql, 'api-3'))?.revision).toBe(1);
    await expect(listGames(h.sql, { cursor: 'garbage' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('passes arrays to Postgres as literals that survive quotes, commas and backslashes', async () => {
    const values = ['a', 'b,c', 'say "hi"', 'back\\slash', '{x}', ''];
    expect((await h.sql<{ v: string[] }[]>`select to_jsonb(${pgArray(values)}::text[]) as v`)[0]!.v).toEqual(values);
  });
});
