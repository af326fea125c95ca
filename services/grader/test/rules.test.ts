import { describe, expect, it } from 'vitest';
import { gradePick, outcomeOf, rankStandings, weekStandings, type GradedPick } from '../src/grading/rules.js';
import { gradingCases } from './grading-cases.js';

const HOME = '130';
const AWAY = '194';

describe('gradePick', () => {
  it.each(gradingCases)('$name', (c) => {
    const game = { ...c.game, homeTeamId: HOME, awayTeamId: AWAY };
    const teamId = c.pick.side === 'home' ? HOME : c.pick.side === 'away' ? AWAY : '999';
    expect(gradePick(game, c.homeSpread, c.league, { teamId, keyPick: c.pick.keyPick })).toEqual(c.expected);
  });

  it('treats a final without both scores as void rather than guessing', () => {
    expect(outcomeOf({ state: 'final', homeTeamId: HOME, awayTeamId: AWAY, homeScore: 21, awayScore: null }, -3)).toBe('void');
  });
});

describe('rankStandings', () => {
  const m = (userId: string, points: number, tiebreak: number | null) => ({ userId, wins: 0, losses: 0, pushes: 0, points, tiebreak });

  it('ranks by points, then the smaller tiebreak, and tied members share a rank', () => {
    const ranked = rankStandings([m('d', 20, 9), m('a', 30, 12), m('b', 20, 3), m('c', 20, 9), m('e', 10, 0)]);
    expect(ranked.map((r) => [r.userId, r.rank])).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['d', 3],
      ['e', 5],
    ]);
  });

  it('ranks a member without a tiebreak after those with one, and members without one tie', () => {
    const ranked = rankStandings([m('x', 10, null), m('y', 10, 40), m('z', 10, null)]);
    expect(ranked.map((r) => [r.userId, r.rank])).toEqual([
      ['y', 1],
      ['x', 2],
      ['z', 2],
    ]);
  });
});

describe('weekStandings', () => {
  const picks: GradedPick[] = [
    { userId: 'ann', gameId: 'g1', result: 'win', points: 10, pointsGuess: null },
    { userId: 'ann', gameId: 'tb', result: 'loss', points: 0, pointsGuess: 50 },
    { userId: 'bob', gameId: 'g1', result: 'win', points: 10, pointsGuess: null },
    { userId: 'bob', gameId: 'tb', result: 'loss', points: 0, pointsGuess: 41 },
    { userId: 'cat', gameId: 'g1', result: 'push', points: 3, pointsGuess: null },
    { userId: 'cat', gameId: 'tb', result: null, points: 0, pointsGuess: 44 },
  ];

  it('counts results and points, and measures the tiebreak from the tiebreak game total', () => {
    const s = weekStandings(picks, { gameId: 'tb', total: 44 });
    expect(s).toEqual([
      { userId: 'bob', wins: 1, losses: 1, pushes: 0, points: 10, tiebreak: 3, rank: 1 },
      { userId: 'ann', wins: 1, losses: 1, pushes: 0, points: 10, tiebreak: 6, rank: 2 },
      { userId: 'cat', wins: 0, losses: 0, pushes: 1, points: 3, tiebreak: 0, rank: 3 },
    ]);
  });

  it('leaves the tiebreak null until the tiebreak game is final, so tied points share a rank', () => {
    const s = weekStandings(picks, { gameId: 'tb', total: null });
    expect(s.map((r) => [r.userId, r.tiebreak, r.rank])).toEqual([
      ['ann', null, 1],
      ['bob', null, 1],
      ['cat', null, 3],
    ]);
  });
});
