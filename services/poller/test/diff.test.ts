import type { Game } from '@scores/contracts';
import { describe, expect, it } from 'vitest';
import { diffGames, sameGame } from '../src/games/diff.js';

// The SPEC's example game, live in the 3rd.
function live(): Game {
  return {
    id: '401520281',
    sport: 'football',
    league: 'college-football',
    season: { year: 2026, type: 2 },
    week: 13,
    kickoff: '2026-11-28T17:00:00.000Z',
    status: {
      state: 'in',
      name: 'STATUS_IN_PROGRESS',
      detail: '3rd Quarter - 4:12',
      shortDetail: '4:12 - 3rd',
      period: 3,
      clock: '4:12',
      completed: false,
    },
    home: { teamId: '130', abbreviation: 'MICH', name: 'Michigan Wolverines', score: 21, winner: null, logo: 'mich.png' },
    away: { teamId: '194', abbreviation: 'OSU', name: 'Ohio State Buckeyes', score: 17, winner: null, logo: 'osu.png' },
    possession: 'home',
    broadcasts: ['FOX'],
    odds: { homeSpread: -3.5, overUnder: 47.5, details: 'MICH -3.5' },
  };
}

function edit(g: Game, change: (g: Game) => void): Game {
  const copy = structuredClone(g);
  change(copy);
  return copy;
}

describe('diffGames', () => {
  it('answers [] for an unchanged game, even a separate copy', () => {
    const a = live();
    expect(diffGames(a, a)).toEqual([]);
    expect(diffGames(a, structuredClone(a))).toEqual([]);
  });

  it('answers [] on a first sighting', () => {
    expect(diffGames(undefined, live())).toEqual([]);
  });

  it('names the score that changed', () => {
    expect(diffGames(live(), edit(live(), (g) => (g.home.score = 28)))).toEqual(['home.score']);
    expect(diffGames(live(), edit(live(), (g) => (g.away.score = 20)))).toEqual(['away.score']);
  });

  it('names a clock change, and every status field a new period touches', () => {
    expect(diffGames(live(), edit(live(), (g) => (g.status.clock = '3:40')))).toEqual(['status.clock']);
    const fourth = edit(live(), (g) => {
      g.status.period = 4;
      g.status.clock = '15:00';
      g.status.detail = '4th Quarter - 15:00';
      g.status.shortDetail = '15:00 - 4th';
    });
    expect(diffGames(live(), fourth)).toEqual(['status.detail', 'status.shortDetail', 'status.period', 'status.clock']);
  });

  it('names a touchdown with the possession change, in field order', () => {
    const next = edit(live(), (g) => {
      g.home.score = 28;
      g.status.clock = '3:58';
      g.possession = 'away';
    });
    expect(diffGames(live(), next)).toEqual(['status.clock', 'home.score', 'possession']);
  });

  it('names odds as a whole when they appear or disappear, and by field when they move', () => {
    const none = edit(live(), (g) => (g.odds = null));
    expect(diffGames(none, live())).toEqual(['odds']);
    expect(diffGames(live(), none)).toEqual(['odds']);
    const moved = edit(live(), (g) => {
      g.odds!.homeSpread = -4;
      g.odds!.details = 'MICH -4';
    });
    expect(diffGames(live(), moved)).toEqual(['odds.homeSpread', 'odds.details']);
  });

  it('names broadcasts as one leaf when the list changes in any way', () => {
    expect(diffGames(live(), edit(live(), (g) => g.broadcasts.push('FS1')))).toEqual(['broadcasts']);
    expect(diffGames(live(), edit(live(), (g) => (g.broadcasts = ['FS1'])))).toEqual(['broadcasts']);
    expect(diffGames(live(), edit(live(), (g) => (g.broadcasts = [])))).toEqual(['broadcasts']);
    const two = edit(live(), (g) => (g.broadcasts = ['FOX', 'FS1']));
    expect(diffGames(two, edit(two, (g) => g.broadcasts.reverse()))).toEqual(['broadcasts']);
  });

  it('names the fields of a game going final', () => {
    const final = edit(live(), (g) => {
      g.status = { state: 'post', name: 'STATUS_FINAL', detail: 'Final', shortDetail: 'Final', period: 4, clock: null, completed: true };
      g.home.score = 31;
      g.home.winner = true;
      g.away.winner = false;
      g.possession = null;
    });
    expect(diffGames(live(), final)).toEqual([
      'status.state',
      'status.name',
      'status.detail',
      'status.shortDetail',
      'status.period',
      'status.clock',
      'status.completed',
      'home.score',
      'home.winner',
      'away.winner',
      'possession',
    ]);
  });

  it('names nested season and week changes', () => {
    const next = edit(live(), (g) => {
      g.season.type = 3;
      g.week = null;
    });
    expect(diffGames(live(), next)).toEqual(['season.type', 'week']);
  });

  it('does not depend on key order (a game read back from JSON)', () => {
    const a = live();
    const reordered = JSON.parse(JSON.stringify({ ...a, home: { ...a.home }, odds: a.odds, id: a.id })) as Game;
    const shuffled = Object.fromEntries(Object.entries(reordered).reverse()) as unknown as Game;
    expect(diffGames(a, shuffled)).toEqual([]);
    expect(sameGame(a, shuffled)).toBe(true);
  });
});

describe('sameGame', () => {
  it('is true for equal games and false for any leaf change', () => {
    expect(sameGame(live(), live())).toBe(true);
    expect(sameGame(live(), edit(live(), (g) => (g.status.clock = '4:11')))).toBe(false);
    expect(sameGame(live(), edit(live(), (g) => (g.odds = null)))).toBe(false);
    expect(sameGame(live(), edit(live(), (g) => g.broadcasts.push('ESPN')))).toBe(false);
    expect(sameGame(live(), edit(live(), (g) => (g.home.logo = null)))).toBe(false);
  });

  it('agrees with diffGames on every single-field change', () => {
    const changes: ((g: Game) => void)[] = [
      (g) => (g.kickoff = '2026-11-28T17:30:00.000Z'),
      (g) => (g.home.name = null),
      (g) => (g.away.teamId = '195'),
      (g) => (g.status.completed = true),
      (g) => (g.odds!.overUnder = null),
    ];
    for (const change of changes) {
      const next = edit(live(), change);
      expect(sameGame(live(), next)).toBe(false);
      expect(diffGames(live(), next)).toHaveLength(1);
    }
  });
});
