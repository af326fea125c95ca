/**
 * The leagues every game-day run puts on the slate before kickoff, the same way in every
 * run: two leagues (one against the spread, one straight up), every game of the day on
 * both slates, eight members picking every game with a seeded generator, one key pick
 * each, a points guess on the tiebreak game. Made through the grader's data layer with
 * `now` set before the scripted kickoffs, as `pnpm demo` does: the api's write routes
 * compare with the wall clock, and the scripted day's kickoffs may be past it.
 */
import type postgres from 'postgres';
import { gameDayScript } from '@scores/espn-sim';
import { createLeague, putLeagueGame, upsertPick } from '@scores/grader';

export const MEMBERS = ['ana', 'ben', 'chloe', 'dev', 'eli', 'fay', 'gus', 'hana'];
const TIEBREAK_SLOT = 6;

export function seeded(seed: number): () => number {
  // mulberry32: small, fast, and the same sequence on every machine
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SlateLeague {
  id: string;
  /** a name that is the same in every run (ids are not) */
  name: string;
}

export async function setUpLeagues(sql: postgres.Sql, day: string): Promise<{ leagues: SlateLeague[]; picks: number }> {
  const script = gameDayScript(day);
  const before = new Date(Math.min(...script.map((g) => g.kickoff.getTime())) - 60 * 60_000);
  const leagues: SlateLeague[] = [];
  let picks = 0;
  const specs = [
    { name: 'ats', againstTheSpread: true, pointsPerCorrect: 10, keyPickBonus: 5, pushPoints: 5 },
    { name: 'straight', againstTheSpread: false, pointsPerCorrect: 1, keyPickBonus: 1, pushPoints: 0 },
  ];
  for (const spec of specs) {
    const league = await createLeague(sql, spec);
    leagues.push({ id: league.id, name: spec.name });
    const slate: { id: string; home: string; away: string; slot: number }[] = [];
    for (const g of script) {
      await putLeagueGame(sql, league.id, g.eventId, { tiebreaker: g.slot === TIEBREAK_SLOT }, before);
      const [teams] = await sql<{ home: string; away: string }[]>`select home_team_id as home, away_team_id as away from games where id = ${g.eventId}`;
      if (!teams) throw new Error(`game ${g.eventId} not in Postgres`);
      slate.push({ id: g.eventId, slot: g.slot, ...teams });
    }
    const rand = seeded(20261128);
    for (const user of MEMBERS) {
      const key = slate[Math.floor(rand() * slate.length)]!.id;
      for (const g of slate) {
        await upsertPick(
          sql,
          league.id,
          {
            userId: user,
            gameId: g.id,
            teamId: rand() < 0.5 ? g.home : g.away,
            keyPick: g.id === key,
            ...(g.slot === TIEBREAK_SLOT ? { pointsGuess: 30 + Math.floor(rand() * 40) } : {}),
          },
          before,
        );
        picks++;
      }
    }
  }
  return { leagues, picks };
}
