import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { consumerNames, decode, GameChanged, subjects } from '@scores/contracts';
import { waitFor } from '@scores/testkit';
import { getGame } from '../src/db/games.js';
import { createLeague, putLeagueGame } from '../src/db/leagues.js';
import { listPicks, upsertPick } from '../src/db/picks.js';
import { getStandings } from '../src/db/standings.js';
import { gradePick } from '../src/grading/rules.js';
import { gradingCases } from './grading-cases.js';
import { startHarness, type Harness } from './harness.js';
import { gameEvent } from './support.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('grader');
});
afterAll(() => h?.close());

const revisionOf = async (gameId: string) =>
  (await h.sql<{ revision: number }[]>`select revision from games where id = ${gameId}`)[0]?.revision;

/** Publishes and waits until the game holds at least this revision. */
async function apply(event: GameChanged) {
  await h.publish(event);
  await waitFor(async () => ((await revisionOf(event.gameId)) ?? 0) >= event.revision, { message: `${event.gameId}@${event.revision}` });
}

describe('consuming game.changed', () => {
  it('stores the game, its season and its teams', async () => {
    const e = gameEvent({ id: 'g-rows', revision: 1, homeSpread: -3.5 });
    await apply(e);
    expect(await getGame(h.sql, 'g-rows')).toEqual({ ...e.game, revision: 1 });
    const teams = await h.sql<{ id: string; abbreviation: string }[]>`select id, abbreviation from teams order by id`;
    expect(teams.map((t) => [t.id, t.abbreviation])).toEqual([
      ['130', 'MICH'],
      ['194', 'OSU'],
    ]);
    expect(await h.sql`select sport, league, year, type from seasons`).toEqual([
      { sport: 'football', league: 'college-football', year: 2026, type: 2 },
    ]);
    expect(await h.counter('scores_grader_events_total', { outcome: 'applied' })).toBeGreaterThanOrEqual(1);
  });

  it('applies the frozen sample event of the contracts', async () => {
    const fixture = decode(GameChanged, await readFile(new URL('../../../packages/contracts/test/fixtures/game.changed.v1.json', import.meta.url)));
    await apply(fixture);
    expect(await getGame(h.sql, fixture.gameId)).toEqual({ ...fixture.game, revision: fixture.revision });
  });

  it('leaves the same state whatever the order and however often events come', async () => {
    const revs = (id: string) => [1, 2, 3].map((r) => gameEvent({ id, revision: r, phase: r === 1 ? 'pre' : 'in', home: r * 7, away: 3 }));
    const [a1, a2, a3] = revs('g-order-a');
    const [b1, b2, b3] = revs('g-order-b');
    const count = async () =>
      [await h.counter('scores_grader_events_total', { outcome: 'applied' }), await h.counter('scores_grader_events_total', { outcome: 'stale' })];
    const [appliedBefore, staleBefore] = await count();
    for (const e of [a1!, a2!, a3!]) await h.publish(e);
    // the other game: newest first, then older ones, then the newest again under another msg id
    for (const e of [b3!, b1!, b2!]) await h.publish(e);
    await h.publish(b3!, null);
    await h.publish(a2!, 'again');
    await h.drained();
    const rows = await h.sql<{ id: string; revision: number; home_score: string; game: { id: string } }[]>`
      select id, revision, home_score, game from games where id like 'g-order-%' order by id`;
    expect(rows.map((r) => [r.id, r.revision, r.home_score])).toEqual([
      ['g-order-a', 3, '21'],
      ['g-order-b', 3, '21'],
    ]);
    expect({ ...rows[1]!.game, id: 'x' }).toEqual({ ...rows[0]!.game, id: 'x' });
    // events run concurrently, so how many were stale depends on timing; a repeat never applies twice
    const [applied, stale] = await count();
    expect(applied! - appliedBefore! + stale! - staleBefore!).toBe(8);
    expect(stale! - staleBefore!).toBeGreaterThanOrEqual(2);
  });

  it('terminates a message that can never apply, counts it, and keeps going', async () => {
    const termBefore = await h.counter('scores_events_consumed_total', { consumer: consumerNames(h.ns).graderGames, outcome: 'term' });
    const good = gameEvent({ id: 'g-after-poison', revision: 1 });
    const liar = gameEvent({ id: 'g-liar', revision: 1 });
    const enc = new TextEncoder();
    // the event's game id differs from its game
    await h.ctx.js.publish(subjects.gameChanged(h.ns, liar.game), enc.encode(JSON.stringify({ ...liar, gameId: 'g-other' })));
    // not a game.changed at all
    await h.ctx.js.publish(subjects.gameChanged(h.ns, liar.game), enc.encode('{"type":"game.changed"'));
    // valid by the contract, but a week Postgres cannot hold
    await h.publish(gameEvent({ id: 'g-huge', revision: 1, week: 3_000_000_000 }));
    await apply(good);
    await h.drained();
    expect(await h.counter('scores_events_consumed_total', { consumer: consumerNames(h.ns).graderGames, outcome: 'term' })).toBe(termBefore + 3);
    expect(await getGame(h.sql, 'g-liar')).toBeNull();
  });
});

describe('grading', () => {
  it('grades every pick of a final game, ranks the week and publishes exactly one picks.graded', async () => {
    const id = 'g-final';
    await apply(gameEvent({ id, revision: 1, homeSpread: -3.5, week: 5 }));
    const ats = await createLeague(h.sql, { name: 'ATS', againstTheSpread: true, pointsPerCorrect: 10, keyPickBonus: 5, pushPoints: 3 });
    const su = await createLeague(h.sql, { name: 'SU', againstTheSpread: false, pointsPerCorrect: 1 });
    // omitted spread: the game's current one is locked
    expect((await putLeagueGame(h.sql, ats.id, id, { tiebreaker: true })).leagueGame).toMatchObject({ homeSpread: -3.5, week: 5 });
    expect((await putLeagueGame(h.sql, su.id, id)).leagueGame.homeSpread).toBeNull();
    await upsertPick(h.sql, ats.id, { userId: 'ann', gameId: id, teamId: '130', keyPick: true, pointsGuess: 40 });
    await upsertPick(h.sql, ats.id, { userId: 'bob', gameId: id, teamId: '194', pointsGuess: 45 });
    await upsertPick(h.sql, ats.id, { userId: 'cat', gameId: id, teamId: '194', pointsGuess: 43 });
    await upsertPick(h.sql, su.id, { userId: 'ann', gameId: id, teamId: '130' });
    await upsertPick(h.sql, su.id, { userId: 'bob', gameId: id, teamId: '194' });

    const final = gameEvent({ id, revision: 2, phase: 'final', home: 24, away: 20, homeSpread: -3.5, week: 5 });
    await apply(final);
    await waitFor(async () => (await h.gradedEvents()).some((e) => e.gameId === id));

    const picks = await listPicks(h.sql, ats.id);
    expect(picks.map((p) => [p.userId, p.result, p.points, p.gradedRevision])).toEqual([
      ['ann', 'win', 15, 2],
      ['bob', 'loss', 0, 2],
      ['cat', 'loss', 0, 2],
    ]);
    expect((await listPicks(h.sql, su.id)).map((p) => [p.userId, p.result, p.points])).toEqual([
      ['ann', 'win', 1],
      ['bob', 'loss', 0],
    ]);
    expect(await getStandings(h.sql, ats.id, { week: 5 })).toEqual([
      { userId: 'ann', rank: 1, wins: 1, losses: 0, pushes: 0, points: 15, tiebreak: 4 },
      { userId: 'bob', rank: 2, wins: 0, losses: 1, pushes: 0, points: 0, tiebreak: 1 },
      { userId: 'cat', rank: 2, wins: 0, losses: 1, pushes: 0, points: 0, tiebreak: 1 },
    ]);

    // the same final again (as a redelivery would bring it) writes nothing: not a row version changes
    const before = await h.sql`select id, xmin::text as version, result, points, graded_revision from picks order by id`;
    await h.publish(final, null);
    await h.drained();
    expect(await h.sql`select id, xmin::text as version, result, points, graded_revision from picks order by id`).toEqual(before);

    const events = (await h.gradedEvents()).filter((e) => e.gameId === id);
    expect(events).toEqual([
      { gameId: id, revision: 2, leagues: [ats.id, su.id].sort(), graded: 5, results: { win: 2, loss: 3, push: 0, void: 0 } },
    ]);
    expect(await h.sql`select count(*)::int as n from outbox where sent_at is null`).toEqual([{ n: 0 }]);
  });

  it('regrades a corrected final and publishes again for the new revision', async () => {
    const id = 'g-corrected';
    await apply(gameEvent({ id, revision: 1, homeSpread: -3.5, week: 6 }));
    const league = await createLeague(h.sql, { name: 'ATS', againstTheSpread: true, pointsPerCorrect: 10, keyPickBonus: 0 });
    await putLeagueGame(h.sql, league.id, id);
    await upsertPick(h.sql, league.id, { userId: 'ann', gameId: id, teamId: '130' });
    await upsertPick(h.sql, league.id, { userId: 'bob', gameId: id, teamId: '194' });
    await apply(gameEvent({ id, revision: 2, phase: 'final', home: 24, away: 20, week: 6 }));
    await waitFor(async () => (await getStandings(h.sql, league.id, { week: 6 }))[0]?.userId === 'ann');

    // ESPN corrects the score: home now wins by 1 and no longer covers
    await apply(gameEvent({ id, revision: 3, phase: 'final', home: 21, away: 20, week: 6 }));
    await waitFor(async () => (await h.gradedEvents()).filter((e) => e.gameId === id).length === 2);
    expect((await listPicks(h.sql, league.id)).map((p) => [p.userId, p.result, p.points, p.gradedRevision])).toEqual([
      ['ann', 'loss', 0, 3],
      ['bob', 'win', 10, 3],
    ]);
    expect((await getStandings(h.sql, league.id, { week: 6 })).map((s) => [s.userId, s.rank, s.points])).toEqual([
      ['bob', 1, 10],
      ['ann', 2, 0],
    ]);
    expect((await h.gradedEvents()).filter((e) => e.gameId === id).map((e) => [e.revision, e.results])).toEqual([
      [2, { win: 1, loss: 1, push: 0, void: 0 }],
      [3, { win: 1, loss: 1, push: 0, void: 0 }],
    ]);
  });

  it('voids the picks of a postponed game', async () => {
    const id = 'g-postponed';
    await apply(gameEvent({ id, revision: 1, week: 7 }));
    const league = await createLeague(h.sql, { name: 'SU', againstTheSpread: false, pointsPerCorrect: 10, keyPickBonus: 5 });
    await putLeagueGame(h.sql, league.id, id);
    await upsertPick(h.sql, league.id, { userId: 'ann', gameId: id, teamId: '130', keyPick: true });
    await upsertPick(h.sql, league.id, { userId: 'bob', gameId: id, teamId: '194' });
    await apply(gameEvent({ id, revision: 2, phase: 'postponed', week: 7 }));
    await waitFor(async () => (await h.gradedEvents()).some((e) => e.gameId === id));
    expect((await listPicks(h.sql, league.id)).map((p) => [p.result, p.points])).toEqual([
      ['void', 0],
      ['void', 0],
    ]);
    expect((await h.gradedEvents()).find((e) => e.gameId === id)?.results).toEqual({ win: 0, loss: 0, push: 0, void: 2 });
    expect(await h.counter('scores_grader_games_graded_total', { kind: 'void' })).toBe(1);
  });

  it('withdraws the grades of a game that is no longer final, and grades it again when it is', async () => {
    const id = 'g-unfinal';
    await apply(gameEvent({ id, revision: 1, week: 8 }));
    const league = await createLeague(h.sql, { name: 'SU', againstTheSpread: false, pointsPerCorrect: 10 });
    await putLeagueGame(h.sql, league.id, id);
    await upsertPick(h.sql, league.id, { userId: 'ann', gameId: id, teamId: '130' });
    await apply(gameEvent({ id, revision: 2, phase: 'final', home: 28, away: 3, week: 8 }));
    await waitFor(async () => (await listPicks(h.sql, league.id))[0]?.result === 'win');
    await apply(gameEvent({ id, revision: 3, phase: 'in', home: 28, away: 3, week: 8 }));
    expect((await listPicks(h.sql, league.id)).map((p) => [p.result, p.points, p.gradedRevision])).toEqual([[null, 0, null]]);
    await waitFor(async () => (await h.counter('scores_grader_games_graded_total', { kind: 'ungraded' })) === 1);
    expect((await getStandings(h.sql, league.id, { week: 8 }))[0]).toMatchObject({ wins: 0, points: 0 });
    await apply(gameEvent({ id, revision: 4, phase: 'final', home: 28, away: 10, week: 8 }));
    await waitFor(async () => (await listPicks(h.sql, league.id))[0]?.gradedRevision === 4);
    expect((await getStandings(h.sql, league.id, { week: 8 }))[0]).toMatchObject({ wins: 1, points: 10 });
  });

  it('grades in SQL exactly as the pure rules do, case by case', async () => {
    const cases = gradingCases.map((c, i) => ({ c, id: `g-case-${i}` }));
    for (const { id } of cases) await h.publish(gameEvent({ id, revision: 1, week: 20 }));
    await h.drained();
    const leagues: string[] = [];
    for (const { c, id } of cases) {
      const league = await createLeague(h.sql, { name: c.name.slice(0, 200), ...c.league });
      leagues.push(league.id);
      await putLeagueGame(h.sql, league.id, id, { homeSpread: c.homeSpread });
      const teamId = c.pick.side === 'away' ? '194' : '130';
      await upsertPick(h.sql, league.id, { userId: 'u', gameId: id, teamId, keyPick: c.pick.keyPick });
    }
    for (const { c, id } of cases) {
      await h.publish(
        gameEvent({
          id,
          revision: 2,
          week: 20,
          phase: c.game.state === 'void' ? 'postponed' : 'final',
          home: c.game.homeScore,
          away: c.game.awayScore,
          // a team replaced after the pick was made
          ...(c.pick.side === 'other' ? { homeTeamId: '999' } : {}),
        }),
      );
    }
    await h.drained();
    const got = [];
    const want = [];
    for (const [i, { c }] of cases.entries()) {
      const [pick] = await listPicks(h.sql, leagues[i]!);
      got.push({ name: c.name, result: pick?.result, points: pick?.points });
      const game = { ...c.game, homeTeamId: c.pick.side === 'other' ? '999' : '130', awayTeamId: '194' };
      const teamId = c.pick.side === 'away' ? '194' : '130';
      want.push({ name: c.name, ...gradePick(game, c.homeSpread, c.league, { teamId, keyPick: c.pick.keyPick }) });
    }
    expect(got).toEqual(want);
    expect(got).toEqual(cases.map(({ c }) => ({ name: c.name, ...c.expected })));
  });
});
