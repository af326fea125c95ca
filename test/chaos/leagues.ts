/**
 * The leagues every game-day run puts on the slate before kickoff, the same way in every
 * run: two leagues (one against the spread, one straight up), every game of the day on
 * both slates, eight members picking every game with a seeded generator, one key pick
 * each, a points guess on the tiebreak game. Made through the grader's data layer with
 * `now` set before the scripted kickoffs, as `pnpm demo` does: the api's write routes
 * compare with the wall clock, and the scripted day's kickoffs may be past it.
 */
import type postgres from 'postgres';
import { createGameDayLeague, GAME_DAY_MEMBERS } from '@scores/cli';

export { seededRandom as seeded } from '@scores/espn-sim';
export const MEMBERS = GAME_DAY_MEMBERS;

export interface SlateLeague {
  id: string;
  /** a name that is the same in every run (ids are not) */
  name: string;
}

export async function setUpLeagues(sql: postgres.Sql, day: string): Promise<{ leagues: SlateLeague[]; picks: number }> {
  const leagues: SlateLeague[] = [];
  let picks = 0;
  const specs = [
    { name: 'ats', againstTheSpread: true, pointsPerCorrect: 10, keyPickBonus: 5, pushPoints: 5 },
    { name: 'straight', againstTheSpread: false, pointsPerCorrect: 1, keyPickBonus: 1, pushPoints: 0 },
  ];
  for (const spec of specs) {
    const league = await createGameDayLeague(sql, { day, league: spec, strict: true });
    leagues.push({ id: league.id, name: spec.name });
    picks += league.picks;
  }
  return { leagues, picks };
}
