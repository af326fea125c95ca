import type postgres from 'postgres';
import { gameDayScript, seededRandom } from '@scores/espn-sim';
import { createLeague, putLeagueGame, upsertPick, type NewLeague } from '@scores/grader';

export const GAME_DAY_MEMBERS = ['ana', 'ben', 'chloe', 'dev', 'eli', 'fay', 'gus', 'hana'];
/** the overtime game: its total settles ties */
export const GAME_DAY_TIEBREAK_SLOT = 6;

/**
 * A league on the slate of the scripted game day (the simulator's buildGameDay), with
 * every game on it and every member picking every game from a seeded generator (one key
 * pick each, a points guess on the tiebreak game): the same picks on every run. Made
 * through the grader's data layer with `now` an hour before the scripted first kickoff,
 * so it works whatever the wall clock says (the api's write routes compare with it).
 * `strict` throws on any refused game or pick; otherwise a game already off the board
 * (canceled before we got here) stays off the slate.
 */
export async function createGameDayLeague(
  sql: postgres.Sql,
  opts: { day: string; league: NewLeague; seed?: number; members?: string[]; strict?: boolean },
): Promise<{ id: string; games: number; picks: number }> {
  const script = gameDayScript(opts.day);
  const before = new Date(Math.min(...script.map((g) => g.kickoff.getTime())) - 60 * 60_000);
  const league = await createLeague(sql, opts.league);
  const slate: { id: string; home: string; away: string; slot: number }[] = [];
  for (const g of script) {
    try {
      await putLeagueGame(sql, league.id, g.eventId, { tiebreaker: g.slot === GAME_DAY_TIEBREAK_SLOT }, before);
      const [teams] = await sql<{ home: string; away: string }[]>`select home_team_id as home, away_team_id as away from games where id = ${g.eventId}`;
      if (!teams) throw new Error(`game ${g.eventId} not in Postgres`);
      slate.push({ id: g.eventId, slot: g.slot, ...teams });
    } catch (err) {
      if (opts.strict) throw err;
    }
  }
  const rand = seededRandom(opts.seed ?? 20261128);
  let picks = 0;
  for (const user of opts.members ?? GAME_DAY_MEMBERS) {
    const key = slate[Math.floor(rand() * slate.length)]?.id;
    for (const g of slate) {
      const pick = {
        userId: user,
        gameId: g.id,
        teamId: rand() < 0.5 ? g.home : g.away,
        keyPick: g.id === key,
        ...(g.slot === GAME_DAY_TIEBREAK_SLOT ? { pointsGuess: 30 + Math.floor(rand() * 40) } : {}),
      };
      try {
        await upsertPick(sql, league.id, pick, before);
        picks++;
      } catch (err) {
        if (opts.strict) throw err;
      }
    }
  }
  return { id: league.id, games: slate.length, picks };
}
