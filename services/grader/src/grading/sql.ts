import type postgres from 'postgres';
import { pgArray } from '../db/arrays.js';
import type { PickResult } from './rules.js';

type Db = postgres.Sql | postgres.TransactionSql;

export interface GradeCounts {
  graded: number;
  results: Record<PickResult, number>;
}

/**
 * Grades every pick of one game in every league with one statement (grader_grade_game,
 * db/migrations/002_grading.sql). On its own it leaves the standings and the game's
 * graded revision alone: applyGameChanged does all of it in one transaction.
 */
export async function gradeGamePicks(sql: Db, gameId: string, revision: number, state: 'final' | 'void'): Promise<GradeCounts> {
  const rows = await sql<{ result: PickResult; n: number }[]>`
    select result, n from grader_grade_game(${gameId}, ${revision}, ${state})`;
  const results: Record<PickResult, number> = { win: 0, loss: 0, push: 0, void: 0 };
  for (const r of rows) results[r.result] += r.n;
  return { graded: rows.reduce((sum, r) => sum + r.n, 0), results };
}

/** Withdraws the grades of one game's picks (grader_ungrade_game); returns how many. */
export async function ungradeGamePicks(sql: Db, gameId: string): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select grader_ungrade_game(${gameId}) as n`;
  return row?.n ?? 0;
}

/** Recomputes the standings of league-weeks with one statement (grader_recompute_standings); returns rows written. */
export async function recomputeStandings(sql: Db, leagueWeeks: { leagueId: string; week: number }[]): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select grader_recompute_standings(${pgArray(leagueWeeks.map((w) => w.leagueId))}::uuid[],
                                      ${pgArray(leagueWeeks.map((w) => w.week))}::integer[]) as n`;
  return row?.n ?? 0;
}
