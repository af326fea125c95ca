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
  home_spread: string | number | null;
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

const toLeagueGame = (r: LeagueGameRow | LeagueGameJson): LeagueGame => ({
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
 * One statement, like every write here (see upsertPick).
 */
export async function putLeagueGame(
  sql: Db,
  leagueId: string,
  gameId: string,
  input: LeagueGameInput = {},
  now: Date = new Date(),
): Promise<{ leagueGame: LeagueGame; created: boolean }> {
  const v = checkInput(LeagueGameInput, input);
  if (!isLeagueId(leagueId)) throw new GraderError('LEAGUE_NOT_FOUND', `no league ${leagueId}`);
  let row: PutRow | undefined;
  try {
    [row] = await sql<PutRow[]>`
      with l as (
        select id, against_the_spread from leagues where id = ${leagueId} for share
      ), g as (
        select id, kickoff, status_state, week, game->'odds'->>'homeSpread' as spread from games where id = ${gameId} for share
      ), ex as (
        select * from league_games where league_id = ${leagueId} and game_id = ${gameId} for update
      ), want as (
        select l.id as league_id, g.id as game_id,
               case when ${v.homeSpread !== undefined} then ${v.homeSpread ?? null}::numeric
                    when ex.league_id is not null then ex.home_spread
                    when l.against_the_spread then g.spread::numeric end as home_spread,
               coalesce(${v.tiebreaker ?? null}::boolean, ex.tiebreaker, false) as tiebreaker,
               coalesce(ex.week, g.week, 0) as week,
               (g.kickoff <= ${now} or g.status_state <> 'pre') as started
        from l cross join g left join ex on true
      ), up as (
        insert into league_games (league_id, game_id, home_spread, tiebreaker, week)
        select league_id, game_id, home_spread, tiebreaker, week from want where not started
        on conflict (league_id, game_id) do update set
          home_spread = excluded.home_spread, tiebreaker = excluded.tiebreaker, updated_at = now()
        returning league_id, game_id, home_spread, tiebreaker, week, (xmax = 0) as created
      )
      select exists (select 1 from l) as league_exists, exists (select 1 from g) as game_exists,
             want.started, want.home_spread as want_spread, want.tiebreaker as want_tiebreaker,
             to_jsonb(ex) as existing, to_jsonb(up) as put
      from (select 1) one
      left join want on true
      left join ex on true
      left join up on true`;
  } catch (err) {
    if ((err as { constraint_name?: string }).constraint_name === 'league_games_one_tiebreaker') {
      throw new GraderError('TIEBREAKER_TAKEN', `league ${leagueId} already has a tiebreak game that week`, { cause: err });
    }
    throw err;
  }
  if (!row?.league_exists) throw new GraderError('LEAGUE_NOT_FOUND', `no league ${leagueId}`);
  if (!row.game_exists) throw new GraderError('GAME_NOT_FOUND', `no game ${gameId}`);
  if (row.put) return { leagueGame: toLeagueGame(row.put), created: row.put.created };
  const existing = row.existing ? toLeagueGame(row.existing) : undefined;
  const wantSpread = row.want_spread === null ? null : Number(row.want_spread);
  if (existing && existing.homeSpread === wantSpread && existing.tiebreaker === row.want_tiebreaker) {
    return { leagueGame: existing, created: false };
  }
  throw new GraderError('GAME_STARTED', `game ${gameId} has started; its slate entry can no longer change`);
}

interface PutRow {
  league_exists: boolean;
  game_exists: boolean;
  started: boolean | null;
  want_spread: string | null;
  want_tiebreaker: boolean | null;
  existing: LeagueGameJson | null;
  put: (LeagueGameJson & { created: boolean }) | null;
}

/** A league_games row through to_jsonb: numeric as a JSON number. */
interface LeagueGameJson {
  league_id: string;
  game_id: string;
  home_spread: number | null;
  tiebreaker: boolean;
  week: number;
}
