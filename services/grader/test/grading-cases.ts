/** One table of grading cases: the unit test checks the pure rules, an integration test checks the SQL against them. */
import type { GradableGame, LeagueScoring, PickResult } from '../src/grading/rules.js';

export interface GradingCase {
  name: string;
  league: LeagueScoring;
  homeSpread: number | null;
  game: Omit<GradableGame, 'homeTeamId' | 'awayTeamId'>;
  pick: { side: 'home' | 'away' | 'other'; keyPick: boolean };
  expected: { result: PickResult; points: number };
}

const ats: LeagueScoring = { againstTheSpread: true, pointsPerCorrect: 10, keyPickBonus: 5, pushPoints: 3 };
const su: LeagueScoring = { ...ats, againstTheSpread: false };
const final = (home: number, away: number) => ({ state: 'final' as const, homeScore: home, awayScore: away });

export const gradingCases: GradingCase[] = [
  { name: 'home covers a -3.5 spread by winning by 4', league: ats, homeSpread: -3.5, game: final(24, 20), pick: { side: 'home', keyPick: false }, expected: { result: 'win', points: 10 } },
  { name: 'the away pick loses when home covers', league: ats, homeSpread: -3.5, game: final(24, 20), pick: { side: 'away', keyPick: false }, expected: { result: 'loss', points: 0 } },
  { name: 'away covers when home wins by less than the spread', league: ats, homeSpread: -7, game: final(24, 20), pick: { side: 'away', keyPick: false }, expected: { result: 'win', points: 10 } },
  { name: 'the home pick loses when it wins but does not cover', league: ats, homeSpread: -7, game: final(24, 20), pick: { side: 'home', keyPick: false }, expected: { result: 'loss', points: 0 } },
  { name: 'grades a push when the margin equals the spread', league: ats, homeSpread: -4, game: final(24, 20), pick: { side: 'home', keyPick: false }, expected: { result: 'push', points: 3 } },
  { name: 'a push earns push points without the key-pick bonus', league: ats, homeSpread: -4, game: final(24, 20), pick: { side: 'away', keyPick: true }, expected: { result: 'push', points: 3 } },
  { name: 'a half-point spread never pushes: +0.5 home in a tie covers', league: ats, homeSpread: 0.5, game: final(20, 20), pick: { side: 'home', keyPick: false }, expected: { result: 'win', points: 10 } },
  { name: 'a half-point spread never pushes: -0.5 home in a tie loses', league: ats, homeSpread: -0.5, game: final(20, 20), pick: { side: 'home', keyPick: false }, expected: { result: 'loss', points: 0 } },
  { name: 'a home underdog covers +3.5 losing by 3', league: ats, homeSpread: 3.5, game: final(17, 20), pick: { side: 'home', keyPick: false }, expected: { result: 'win', points: 10 } },
  { name: 'the favourite does not cover -14 winning by 11', league: ats, homeSpread: 14, game: final(10, 21), pick: { side: 'away', keyPick: false }, expected: { result: 'loss', points: 0 } },
  { name: "a spread locked on a straight-up league's game is played (SPEC: the league game's spread decides)", league: su, homeSpread: -10, game: final(21, 17), pick: { side: 'home', keyPick: false }, expected: { result: 'loss', points: 0 } },
  { name: 'a straight-up league without a locked spread: the winner wins', league: su, homeSpread: null, game: final(21, 17), pick: { side: 'home', keyPick: false }, expected: { result: 'win', points: 10 } },
  { name: 'a game without a locked spread is straight up', league: ats, homeSpread: null, game: final(17, 21), pick: { side: 'away', keyPick: false }, expected: { result: 'win', points: 10 } },
  { name: 'a straight-up tie is a push', league: su, homeSpread: null, game: final(20, 20), pick: { side: 'away', keyPick: false }, expected: { result: 'push', points: 3 } },
  { name: 'a correct key pick earns the bonus', league: ats, homeSpread: -3.5, game: final(24, 20), pick: { side: 'home', keyPick: true }, expected: { result: 'win', points: 15 } },
  { name: 'a wrong key pick earns nothing', league: su, homeSpread: null, game: final(24, 20), pick: { side: 'away', keyPick: true }, expected: { result: 'loss', points: 0 } },
  { name: 'push points default to 0', league: { ...su, pushPoints: 0 }, homeSpread: null, game: final(7, 7), pick: { side: 'home', keyPick: false }, expected: { result: 'push', points: 0 } },
  { name: 'half a point for a push', league: { ...ats, pushPoints: 0.5 }, homeSpread: 3, game: final(17, 20), pick: { side: 'away', keyPick: false }, expected: { result: 'push', points: 0.5 } },
  { name: 'a postponed game voids its picks, key picks too', league: ats, homeSpread: -3.5, game: { state: 'void', homeScore: null, awayScore: null }, pick: { side: 'home', keyPick: true }, expected: { result: 'void', points: 0 } },
  { name: 'a pick of a team no longer in the game is void', league: ats, homeSpread: -3.5, game: final(24, 20), pick: { side: 'other', keyPick: false }, expected: { result: 'void', points: 0 } },
];
