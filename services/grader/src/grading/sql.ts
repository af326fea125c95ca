import type postgres from 'postgres';
import { pgArray } from '../db/arrays.js';
import type { PickResult } from './rules.js';

type Db = postgres.Sql | postgres.TransactionSql;

export interface GradeSummary {
  /** leagues that have the game on their slate, sorted */
  leagues: string[];
  /** every (league, week) whose standings the game touches */
  leagueWeeks: { leagueId: string; week: number }[];
  graded: number;
  results: Record<PickResult, number>;
}

/**
 * Grades every pick of one game in every league with one statement (grader_grade_game,
 * db/migrations/002_grading.sql). On its own it leaves standings and the game's
 * graded revision alone: applyGameChanged does all of it in one transaction.
 */
export async function gradeGamePicks(sql: Db, gameId: string, revision: number, state: 'final' | 'void'): Promise<GradeSummary> {
  const rows = await sql<{ league_id: string; week: number; result: PickResult | null; n: number }[]>`
    select league_id, week, result, n from grader_grade_game(${gameId}, ${revision}, ${state})`;
  return summarise(rows);
}

/** Withdraws the grades of one game's picks (grader_ungrade_game). */
export async function ungradeGamePicks(sql: Db, gameId: string): Promise<GradeSummary> {
  const rows = await sql<{ league_id: string; week: number; n: number }[]>`
    select league_id, week, n from grader_ungrade_game(${gameId})`;
  const s = summarise(rows.map((r) => ({ ...r, result: null })));
  return s;
}

/** Recomputes the standings of league-weeks with one statement (grader_recompute_standings); returns rows changed. */
export async function recomputeStandings(sql: Db, leagueWeeks: { leagueId: string; week: number }[]): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select grader_recompute_standings(${pgArray(leagueWeeks.map((w) => w.leagueId))}::uuid[],
                                      ${pgArray(leagueWeeks.map((w) => w.week))}::integer[]) as n`;
  return row?.n ?? 0;
}

function summarise(rows: { league_id: string; week: number; result: PickResult | null; n: number }[]): GradeSummary {
  const results: Record<PickResult, number> = { win: 0, loss: 0, push: 0, void: 0 };
  const leagueWeeks = new Map<string, { leagueId: string; week: number }>();
  let graded = 0;
  for (const r of rows) {
    leagueWeeks.set(`${r.league_id}/${r.week}`, { leagueId: r.league_id, week: r.week });
    if (r.result) results[r.result] += r.n;
    graded += r.n;
  }
  const weeks = [...leagueWeeks.values()].sort((a, b) => (a.leagueId < b.leagueId ? -1 : a.leagueId > b.leagueId ? 1 : a.week - b.week));
  return { leagues: [...new Set(weeks.map((w) => w.leagueId))], leagueWeeks: weeks, graded, results };
}
