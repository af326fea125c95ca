import type postgres from 'postgres';
import { GraderError } from '../errors.js';
import { isLeagueId } from './schemas.js';

type Db = postgres.Sql | postgres.TransactionSql;

export interface Standing {
  userId: string;
  rank: number;
  wins: number;
  losses: number;
  pushes: number;
  points: number;
  /** distance from the tiebreak game's total; null until it is final (or without a guess) */
  tiebreak: number | null;
}

interface StandingRow {
  user_id: string;
  rank: number;
  wins: number;
  losses: number;
  pushes: number;
  points: string;
  tiebreak: string | null;
}

const toStanding = (r: StandingRow): Standing => ({
  userId: r.user_id,
  rank: Number(r.rank),
  wins: Number(r.wins),
  losses: Number(r.losses),
  pushes: Number(r.pushes),
  points: Number(r.points),
  tiebreak: r.tiebreak === null ? null : Number(r.tiebreak),
});

/**
 * A league's ranked members for one week, or (without `week`) for the season: the
 * weeks' totals, tiebroken by the sum of the weekly distances known. Members appear
 * once a game of a week they picked in has been graded. LEAGUE_NOT_FOUND for no league.
 */
export async function getStandings(sql: Db, leagueId: string, opts: { week?: number } = {}): Promise<Standing[]> {
  if (!isLeagueId(leagueId)) throw new GraderError('LEAGUE_NOT_FOUND', `no league ${leagueId}`);
  const [league] = await sql`select 1 from leagues where id = ${leagueId}`;
  if (!league) throw new GraderError('LEAGUE_NOT_FOUND', `no league ${leagueId}`);
  const rows =
    opts.week !== undefined
      ? await sql<StandingRow[]>`
          select user_id, rank, wins, losses, pushes, points, tiebreak from standings
          where league_id = ${leagueId} and week = ${opts.week}
          order by rank, user_id`
      : await sql<StandingRow[]>`
          select user_id, wins, losses, pushes, points, tiebreak,
                 rank() over (order by points desc, tiebreak asc nulls last)::int as rank
          from (select user_id, sum(wins)::int as wins, sum(losses)::int as losses, sum(pushes)::int as pushes,
                       sum(points) as points, sum(tiebreak) as tiebreak
                from standings where league_id = ${leagueId} group by user_id) s
          order by rank, user_id`;
  return rows.map(toStanding);
}
