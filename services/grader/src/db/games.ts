import type { GameState, GameWithRevision } from '@scores/contracts';
import type postgres from 'postgres';
import { GraderError } from '../errors.js';
import { pgArray } from './arrays.js';

type Db = postgres.Sql | postgres.TransactionSql;

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
      ${q.ids ? sql`and id = any(${pgArray(q.ids)}::text[])` : sql``}
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
