import { isFinal, isVoid, msgIds, subjects, type GameChanged, type GameWithRevision, type PicksGraded } from '@scores/contracts';
import type postgres from 'postgres';
import { eventFailure, GraderError } from '../errors.js';

export interface ApplyOutcome {
  /** false: the event's revision was not newer than the stored one; nothing changed */
  applied: boolean;
  /** what was graded (and written to the outbox) when the game is final or void */
  graded: PicksGraded | null;
  /** picks whose grade was withdrawn because the game is no longer final */
  ungraded: number | null;
}

/** Final and void are decided here, by the contracts, and handed to the SQL. */
export function gradingState(game: GameChanged['game']): 'final' | 'void' | null {
  return isVoid(game) ? 'void' : isFinal(game) ? 'final' : null;
}

/**
 * Applies one game.changed with one statement (grader_apply_game_changed, one implicit
 * transaction): the game, revision-guarded, with its season and teams; when final or
 * void, the grades of all its picks, the standings of every league-week it touches and
 * a picks.graded outbox row. A repeated or stale event changes nothing. Throws a
 * GraderError whose `retryable` says whether the event may apply later.
 */
export async function applyGameChanged(sql: postgres.Sql, event: GameChanged, ns: string): Promise<ApplyOutcome> {
  if (event.gameId !== event.game.id) {
    throw new GraderError('EVENT_INCONSISTENT', `event gameId ${event.gameId} differs from its game's id ${event.game.id}`);
  }
  const stored: GameWithRevision = { ...event.game, revision: event.revision };
  let r: { applied: boolean; graded?: PicksGraded; ungraded?: number } | undefined;
  try {
    [{ r }] = await sql<[{ r: { applied: boolean; graded?: PicksGraded; ungraded?: number } }]>`
      select grader_apply_game_changed(${sql.json(stored)}::jsonb, ${gradingState(event.game)}::text,
                                       ${subjects.picksGraded(ns, event.gameId)}::text,
                                       ${msgIds.picksGraded(event.gameId, event.revision)}::text) as r`;
  } catch (err) {
    throw eventFailure(err);
  }
  return { applied: r.applied, graded: r.graded ?? null, ungraded: r.ungraded ?? null };
}

export interface BatchOutcome {
  /** events whose revision was newer than the stored one and than every earlier event of their game in the batch */
  applied: number;
  /** the others: nothing changed for them */
  stale: number;
  /** one per game whose newest revision in the batch is final or void (each written to the outbox) */
  graded: PicksGraded[];
  /** games graded before the batch whose newest revision is no longer final, with the picks whose grade was withdrawn */
  ungraded: { gameId: string; revision: number; picks: number }[];
}

/**
 * Applies a batch of game.changed, given in stream order, with one statement
 * (grader_apply_game_changes, db/migrations/003_batch.sql, rewritten by 004: one implicit transaction) and
 * the end state applying them one by one would leave; each game is graded at its newest
 * revision only, so a grade replaced within the batch is never published. Throws a
 * GraderError whose `retryable` says whether the batch may apply later; a batch refused
 * for good (an inconsistent event, bad data) is to be applied event by event to find
 * the culprit.
 */
export async function applyGameChanges(sql: postgres.Sql, events: readonly GameChanged[], ns: string): Promise<BatchOutcome> {
  const payload = events.map((event) => {
    if (event.gameId !== event.game.id) {
      throw new GraderError('EVENT_INCONSISTENT', `event gameId ${event.gameId} differs from its game's id ${event.game.id}`);
    }
    return {
      game: { ...event.game, revision: event.revision } satisfies GameWithRevision,
      state: gradingState(event.game),
      subject: subjects.picksGraded(ns, event.gameId),
      msgId: msgIds.picksGraded(event.gameId, event.revision),
    };
  });
  if (payload.length === 0) return { applied: 0, stale: 0, graded: [], ungraded: [] };
  try {
    const [{ r }] = await sql<[{ r: BatchOutcome }]>`select grader_apply_game_changes(${sql.json(payload)}::jsonb) as r`;
    return r;
  } catch (err) {
    throw eventFailure(err);
  }
}
