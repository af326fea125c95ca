import type postgres from 'postgres';
import { GraderError } from '../errors.js';
import { checkInput, isLeagueId, LeagueGameInput, NewLeague } from './schemas.js';

type Db = postgres.Sql | postgres.TransactionSql;

export interface League {
  id: string;
  name: string;
  againstTheSpread: boolean;
  pointsPerCorrect: number;
  keyPickBonus: number;
  pushPoints: number;
  createdAt: string;
}

export interface LeagueGame {
  leagueId: string;
  gameId: string;
  /** locked when the game was put on the slate; null: straight up */
  homeSpread: number | null;
  tiebreaker: boolean;
  /** the game's week when it was put on the slate (0 for a game without a week) */
  week: number;
}

interface LeagueRow {
  id: string;
  name: string;
  against_the_spread: boolean;
  points_per_correct: string;
  key_pick_bonus: string;
  push_points: string;
  created_at: Date;
}

interface LeagueGameRow {
  league_id: string;
  game_id: string;
  home_spread: string | null;
  tiebreaker: boolean;
  week: number;
}

// numeric comes back from postgres.js as a string
const toLeague = (r: LeagueRow): League => ({
  id: r.id,
  name: r.name,
  againstTheSpread: r.against_the_spread,
  pointsPerCorrect: Number(r.points_per_correct),
  keyPickBonus: Number(r.key_pick_bonus),
  pushPoints: Number(r.push_points),
  createdAt: r.created_at.toISOString(),
});

const toLeagueGame = (r: LeagueGameRow): LeagueGame => ({
  leagueId: r.league_id,
  gameId: r.game_id,
  homeSpread: r.home_spread === null ? null : Number(r.home_spread),
  tiebreaker: r.tiebreaker,
  week: r.week,
});

export async function createLeague(sql: Db, input: NewLeague): Promise<League> {
  const v = checkInput(NewLeague, input);
  const [row] = await sql<LeagueRow[]>`
    insert into leagues (name, against_the_spread, points_per_correct, key_pick_bonus, push_points)
    values (${v.name}, ${v.againstTheSpread}, ${v.pointsPerCorrect}, ${v.keyPickBonus ?? 0}, ${v.pushPoints ?? 0})
    returning *`;
  return toLeague(row!);
}

export async function getLeague(sql: Db, leagueId: string): Promise<League | null> {
  if (!isLeagueId(leagueId)) return null;
  const [row] = await sql<LeagueRow[]>`select * from leagues where id = ${leagueId}`;
  return row ? toLeague(row) : null;
}

export async function listLeagueGames(sql: Db, leagueId: string, opts: { week?: number } = {}): Promise<LeagueGame[]> {
  if (!isLeagueId(leagueId)) throw new GraderError('LEAGUE_NOT_FOUND', `no league ${leagueId}`);
  const rows = await sql<LeagueGameRow[]>`
    select lg.league_id, lg.game_id, lg.home_spread, lg.tiebreaker, lg.week
    from league_games lg join games g on g.id = lg.game_id
    where lg.league_id = ${leagueId} ${opts.week === undefined ? sql`` : sql`and lg.week = ${opts.week}`}
    order by lg.week, g.kickoff, lg.game_id`;
  return rows.map(toLeagueGame);
}

/** Whether a game can no longer be picked (or its slate entry changed): kicked off, or no longer `pre`. */
export const hasStarted = (game: { kickoff: Date; status_state: string }, now: Date): boolean =>
  game.kickoff.getTime() <= now.getTime() || game.status_state !== 'pre';

/**
 * Puts a game on a league's slate, locking its spread: `homeSpread` null is straight up;
 * omitted keeps the spread already locked, or locks the game's current spread (in a
 * league against the spread). Once the game has started an identical PUT answers the
 * entry as it is and any change is refused (GAME_STARTED): picks were made on it.
 */
export async function putLeagueGame(
  sql: postgres.Sql,
  leagueId: string,
  gameId: string,
  input: LeagueGameInput = {},
  now: Date = new Date(),
): Promise<{ leagueGame: LeagueGame; created: boolean }> {
  const v = checkInput(LeagueGameInput, input);
  if (!isLeagueId(leagueId)) throw new GraderError('LEAGUE_NOT_FOUND', `no league ${leagueId}`);
  try {
    return await sql.begin(async (tx) => {
      const [league] = await tx<LeagueRow[]>`select * from leagues where id = ${leagueId} for share`;
      if (!league) throw new GraderError('LEAGUE_NOT_FOUND', `no league ${leagueId}`);
      const [game] = await tx<{ kickoff: Date; status_state: string; week: number | null; spread: string | null }[]>`
        select kickoff, status_state, week, game->'odds'->>'homeSpread' as spread
        from games where id = ${gameId} for share`;
      if (!game) throw new GraderError('GAME_NOT_FOUND', `no game ${gameId}`);
      const [existingRow] = await tx<LeagueGameRow[]>`
        select * from league_games where league_id = ${leagueId} and game_id = ${gameId} for update`;
      const existing = existingRow ? toLeagueGame(existingRow) : undefined;
      const currentSpread = league.against_the_spread && game.spread !== null ? Number(game.spread) : null;
      const homeSpread = v.homeSpread !== undefined ? v.homeSpread : existing ? existing.homeSpread : currentSpread;
      const tiebreaker = v.tiebreaker ?? existing?.tiebreaker ?? false;
      if (hasStarted(game, now)) {
        if (existing && existing.homeSpread === homeSpread && existing.tiebreaker === tiebreaker) {
          return { leagueGame: existing, created: false };
        }
        throw new GraderError('GAME_STARTED', `game ${gameId} has started; its slate entry can no longer change`);
      }
      const week = existing?.week ?? game.week ?? 0;
      const [row] = await tx<(LeagueGameRow & { created: boolean })[]>`
        insert into league_games (league_id, game_id, home_spread, tiebreaker, week)
        values (${leagueId}, ${gameId}, ${homeSpread}, ${tiebreaker}, ${week})
        on conflict (league_id, game_id) do update set
          home_spread = excluded.home_spread, tiebreaker = excluded.tiebreaker, updated_at = now()
        returning league_id, game_id, home_spread, tiebreaker, week, (xmax = 0) as created`;
      return { leagueGame: toLeagueGame(row!), created: row!.created };
    });
  } catch (err) {
    if ((err as { constraint_name?: string }).constraint_name === 'league_games_one_tiebreaker') {
      throw new GraderError('TIEBREAKER_TAKEN', `league ${leagueId} already has a tiebreak game that week`, { cause: err });
    }
    throw err;
  }
}
