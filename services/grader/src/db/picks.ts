import type postgres from 'postgres';
import { GraderError } from '../errors.js';
import type { PickResult } from '../grading/rules.js';
import { hasStarted } from './leagues.js';
import { checkInput, isLeagueId, PickInput } from './schemas.js';

type Db = postgres.Sql | postgres.TransactionSql;

export interface Pick {
  id: string;
  leagueId: string;
  userId: string;
  gameId: string;
  teamId: string;
  keyPick: boolean;
  pointsGuess: number | null;
  week: number;
  /** null until the game is graded */
  result: PickResult | null;
  points: number;
  /** the game revision the grade was computed from */
  gradedRevision: number | null;
  createdAt: string;
  updatedAt: string;
}

interface PickRow {
  id: string;
  league_id: string;
  user_id: string;
  game_id: string;
  team_id: string;
  key_pick: boolean;
  points_guess: number | null;
  week: number;
  result: PickResult | null;
  points: string;
  graded_revision: number | null;
  created_at: Date;
  updated_at: Date;
}

// bigint and numeric come back from postgres.js as strings
const toPick = (r: PickRow): Pick => ({
  id: String(r.id),
  leagueId: r.league_id,
  userId: r.user_id,
  gameId: r.game_id,
  teamId: r.team_id,
  keyPick: r.key_pick,
  pointsGuess: r.points_guess,
  week: r.week,
  result: r.result,
  points: Number(r.points),
  gradedRevision: r.graded_revision,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

/**
 * Makes or replaces a member's pick of one game (a replacement is a whole new pick:
 * omitted keyPick and pointsGuess become false and null). Refused once the game has
 * kicked off (its kickoff has passed or it is no longer `pre`). One statement: the game's
 * row is read FOR SHARE by the same statement that inserts, so a grade cannot slip in
 * between the check and the insert. At most one key pick per member, league and week
 * (KEY_PICK_TAKEN otherwise).
 */
export async function upsertPick(
  sql: Db,
  leagueId: string,
  input: PickInput,
  now: Date = new Date(),
): Promise<{ pick: Pick; created: boolean }> {
  const v = checkInput(PickInput, input);
  if (!isLeagueId(leagueId)) throw new GraderError('LEAGUE_NOT_FOUND', `no league ${leagueId}`);
  let row: SlotRow | undefined;
  try {
    [row] = await sql<SlotRow[]>`
      with slot as (
        select lg.league_id, lg.game_id, lg.week, g.kickoff, g.status_state, g.home_team_id, g.away_team_id
        from league_games lg join games g on g.id = lg.game_id
        where lg.league_id = ${leagueId} and lg.game_id = ${v.gameId}
        for share of g
      ), ins as (
        insert into picks (league_id, user_id, game_id, week, team_id, key_pick, points_guess)
        select slot.league_id, ${v.userId}, slot.game_id, slot.week, ${v.teamId}, ${v.keyPick ?? false}, ${v.pointsGuess ?? null}::integer
        from slot
        where slot.kickoff > ${now} and slot.status_state = 'pre'
          and ${v.teamId} in (slot.home_team_id, slot.away_team_id) and ${v.teamId} not like '-%'
        on conflict (league_id, user_id, game_id) do update set
          team_id = excluded.team_id, key_pick = excluded.key_pick, points_guess = excluded.points_guess,
          updated_at = now()
        returning *, (xmax = 0) as created
      )
      select exists (select 1 from leagues where id = ${leagueId}) as league_exists,
             slot.kickoff, slot.status_state, to_jsonb(ins) as pick
      from (select 1) one
      left join slot on true
      left join ins on true`;
  } catch (err) {
    if ((err as { constraint_name?: string }).constraint_name === 'picks_one_key_pick') {
      throw new GraderError('KEY_PICK_TAKEN', `${v.userId} already has a key pick in this league that week`, { cause: err });
    }
    throw err;
  }
  if (!row?.league_exists) throw new GraderError('LEAGUE_NOT_FOUND', `no league ${leagueId}`);
  if (!row.kickoff || row.status_state === null) {
    throw new GraderError('GAME_NOT_ON_SLATE', `game ${v.gameId} is not on league ${leagueId}'s slate`);
  }
  if (!row.pick) {
    if (hasStarted({ kickoff: row.kickoff, status_state: row.status_state }, now)) {
      throw new GraderError('GAME_STARTED', `game ${v.gameId} has kicked off; picks are closed`);
    }
    throw new GraderError('TEAM_NOT_IN_GAME', `team ${v.teamId} does not play in game ${v.gameId}`);
  }
  const { created, ...pick } = row.pick;
  return { pick: toPick({ ...pick, created_at: new Date(pick.created_at), updated_at: new Date(pick.updated_at) }), created };
}

interface SlotRow {
  league_exists: boolean;
  kickoff: Date | null;
  status_state: string | null;
  /** the inserted or replaced row, as JSON (timestamps as strings) */
  pick: (Omit<PickRow, 'created_at' | 'updated_at'> & { created_at: string; updated_at: string; created: boolean }) | null;
}

export async function listPicks(sql: Db, leagueId: string, opts: { userId?: string; week?: number; gameId?: string } = {}): Promise<Pick[]> {
  if (!isLeagueId(leagueId)) return [];
  const rows = await sql<PickRow[]>`
    select * from picks
    where league_id = ${leagueId}
      ${opts.userId === undefined ? sql`` : sql`and user_id = ${opts.userId}`}
      ${opts.week === undefined ? sql`` : sql`and week = ${opts.week}`}
      ${opts.gameId === undefined ? sql`` : sql`and game_id = ${opts.gameId}`}
    order by week, user_id, game_id`;
  return rows.map(toPick);
}
