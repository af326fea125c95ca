import type { GameChanged, GameState, GameWithRevision } from '@scores/contracts';
import type postgres from 'postgres';
import { GraderError } from '../errors.js';

type Db = postgres.Sql | postgres.TransactionSql;

/** ESPN's placeholders for undecided teams (-1, -2): not teams, never stored as such. */
export const isPlaceholderTeam = (teamId: string): boolean => teamId.startsWith('-');

export interface GameUpsert {
  /** false: the event was not newer than what is stored (stale or repeated) */
  applied: boolean;
  /** the revision whose grades the picks held before this event */
  gradedRevision: number | null;
}

/**
 * Stores the event's game when its revision is newer than the stored one, and its season
 * and teams with it. The upsert takes the game's row lock, held until the transaction
 * ends: a second transaction for the same game waits, then finds the revision already
 * stored and changes nothing.
 */
export async function upsertGameFromEvent(tx: postgres.TransactionSql, event: GameChanged): Promise<GameUpsert> {
  const g = event.game;
  const stored: GameWithRevision = { ...g, revision: event.revision };
  await tx`
    insert into seasons (sport, league, year, type)
    values (${g.sport}, ${g.league}, ${g.season.year}, ${g.season.type})
    on conflict do nothing`;
  const rows = await tx<{ graded_revision: number | null }[]>`
    insert into games (id, sport, league, season_year, season_type, week, kickoff, status_state, status_name,
                       completed, home_team_id, away_team_id, home_score, away_score, game, revision)
    values (${g.id}, ${g.sport}, ${g.league}, ${g.season.year}, ${g.season.type}, ${g.week}, ${g.kickoff},
            ${g.status.state}, ${g.status.name}, ${g.status.completed}, ${g.home.teamId}, ${g.away.teamId},
            ${g.home.score}, ${g.away.score}, ${tx.json(stored)}, ${event.revision})
    on conflict (id) do update set
      sport = excluded.sport, league = excluded.league, season_year = excluded.season_year,
      season_type = excluded.season_type, week = excluded.week, kickoff = excluded.kickoff,
      status_state = excluded.status_state, status_name = excluded.status_name, completed = excluded.completed,
      home_team_id = excluded.home_team_id, away_team_id = excluded.away_team_id,
      home_score = excluded.home_score, away_score = excluded.away_score,
      game = excluded.game, revision = excluded.revision, updated_at = now()
    where games.revision < excluded.revision
    returning graded_revision`;
  const row = rows[0];
  if (!row) return { applied: false, gradedRevision: null };

  // Sorted, so two transactions touching the same teams lock them in the same order.
  const teams = [g.home, g.away]
    .filter((t) => !isPlaceholderTeam(t.teamId))
    .sort((a, b) => (a.teamId < b.teamId ? -1 : a.teamId > b.teamId ? 1 : 0))
    .filter((t, i, all) => all.findIndex((o) => o.teamId === t.teamId) === i)
    .map((t) => ({ sport: g.sport, league: g.league, id: t.teamId, abbreviation: t.abbreviation, name: t.name, logo: t.logo }));
  if (teams.length) {
    await tx`
      insert into teams ${tx(teams, 'sport', 'league', 'id', 'abbreviation', 'name', 'logo')}
      on conflict (sport, league, id) do update set
        abbreviation = excluded.abbreviation, name = excluded.name, logo = excluded.logo, updated_at = now()
      where (teams.abbreviation, teams.name, teams.logo) is distinct from (excluded.abbreviation, excluded.name, excluded.logo)`;
  }
  return { applied: true, gradedRevision: row.graded_revision };
}

export async function setGradedRevision(tx: postgres.TransactionSql, gameId: string, revision: number | null): Promise<void> {
  await tx`update games set graded_revision = ${revision} where id = ${gameId}`;
}

/** One game as every response carries it (the event's game plus its revision), or null. */
export async function getGame(sql: Db, gameId: string): Promise<GameWithRevision | null> {
  const rows = await sql<{ game: GameWithRevision }[]>`select game from games where id = ${gameId}`;
  return rows[0]?.game ?? null;
}

export interface GameQuery {
  /** kickoff at or after */
  from?: Date;
  /** kickoff before */
  to?: Date;
  state?: GameState;
  /** abbreviation (any case) or team id of either side */
  team?: string;
  sport?: string;
  league?: string;
  ids?: string[];
  /** default 100, at most 1000 */
  limit?: number;
  /** from a previous page's nextCursor */
  cursor?: string;
}

export interface GamePage {
  games: GameWithRevision[];
  /** pass as `cursor` for the next page; null on the last page */
  nextCursor: string | null;
}

/** Games by kickoff, then id; pages with an opaque cursor that stays valid as games change. */
export async function listGames(sql: Db, q: GameQuery = {}): Promise<GamePage> {
  const limit = Math.min(Math.max(1, Math.trunc(q.limit ?? 100)), 1000);
  const after = q.cursor === undefined ? null : decodeCursor(q.cursor);
  const team = q.team?.toUpperCase();
  const rows = await sql<{ game: GameWithRevision; kickoff: Date; id: string }[]>`
    select game, kickoff, id from games
    where true
      ${q.from ? sql`and kickoff >= ${q.from}` : sql``}
      ${q.to ? sql`and kickoff < ${q.to}` : sql``}
      ${q.state ? sql`and status_state = ${q.state}` : sql``}
      ${q.sport ? sql`and sport = ${q.sport}` : sql``}
      ${q.league ? sql`and league = ${q.league}` : sql``}
      ${q.ids ? sql`and id = any(${q.ids}::text[])` : sql``}
      ${team
        ? sql`and (home_team_id = ${q.team!} or away_team_id = ${q.team!}
                   or upper(game->'home'->>'abbreviation') = ${team} or upper(game->'away'->>'abbreviation') = ${team})`
        : sql``}
      ${after ? sql`and (kickoff, id) > (${after.kickoff}, ${after.id})` : sql``}
    order by kickoff, id
    limit ${limit + 1}`;
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    games: page.map((r) => r.game),
    nextCursor: rows.length > limit && last ? encodeCursor(last.kickoff, last.id) : null,
  };
}

function encodeCursor(kickoff: Date, id: string): string {
  return Buffer.from(JSON.stringify([kickoff.toISOString(), id])).toString('base64url');
}

function decodeCursor(cursor: string): { kickoff: Date; id: string } {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') {
      const kickoff = new Date(v[0]);
      if (!Number.isNaN(kickoff.getTime())) return { kickoff, id: v[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new GraderError('INVALID_INPUT', 'cursor is not one this server returned');
}
