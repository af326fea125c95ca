import {
  createLeague,
  getLeague,
  getStandings,
  listLeagueGames,
  listPicks,
  putLeagueGame,
  upsertPick,
  type League,
  type LeagueGame,
  type Pick,
  type Standing,
} from '@scores/grader';
import type { LeagueGameInput, NewLeague, PickInput } from '@scores/grader';
import type postgres from 'postgres';

/**
 * What the league routes need from storage: the grader's data layer over Postgres in
 * production, a fake in unit tests (which do no I/O).
 */
export interface LeagueStore {
  createLeague(input: NewLeague): Promise<League>;
  getLeague(leagueId: string): Promise<League | null>;
  putLeagueGame(leagueId: string, gameId: string, input: LeagueGameInput): Promise<{ leagueGame: LeagueGame; created: boolean }>;
  /** the league's slate, by week then kickoff */
  listLeagueGames(leagueId: string, opts: { week?: number }): Promise<LeagueGame[]>;
  upsertPick(leagueId: string, input: PickInput): Promise<{ pick: Pick; created: boolean }>;
  listPicks(leagueId: string, opts: { userId?: string; week?: number }): Promise<Pick[]>;
  getStandings(leagueId: string, opts: { week?: number }): Promise<Standing[]>;
  /** readiness */
  ping(): Promise<void>;
}

export function postgresLeagueStore(sql: postgres.Sql): LeagueStore {
  return {
    createLeague: (input) => createLeague(sql, input),
    getLeague: (id) => getLeague(sql, id),
    putLeagueGame: (leagueId, gameId, input) => putLeagueGame(sql, leagueId, gameId, input),
    listLeagueGames: (leagueId, opts) => listLeagueGames(sql, leagueId, opts),
    upsertPick: (leagueId, input) => upsertPick(sql, leagueId, input),
    listPicks: (leagueId, opts) => listPicks(sql, leagueId, opts),
    getStandings: (leagueId, opts) => getStandings(sql, leagueId, opts),
    async ping() {
      await sql`select 1`;
    },
  };
}
