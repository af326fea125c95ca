import { isFinal, isVoid, type GameChanged, type PicksGraded } from '@scores/contracts';
import type postgres from 'postgres';
import { setGradedRevision, upsertGameFromEvent } from '../db/games.js';
import { eventFailure, GraderError } from '../errors.js';
import { writePicksGraded } from '../outbox.js';
import { gradeGamePicks, recomputeStandings, ungradeGamePicks, type GradeSummary } from './sql.js';

export interface ApplyOutcome {
  /** false: the event's revision was not newer than the stored one; nothing changed */
  applied: boolean;
  /** what was graded (and is in the outbox) when the game is final or void */
  graded: PicksGraded | null;
  /** picks whose grade was withdrawn because the game is no longer final */
  ungraded: number | null;
}

/**
 * Applies one game.changed in one transaction: the game (revision-guarded), its season
 * and teams, and, when it is final or void, the grades of all its picks, the standings
 * of every league-week it touches and a picks.graded outbox row. A repeated or stale
 * event changes nothing. Throws a GraderError whose `retryable` says whether to nak.
 */
export async function applyGameChanged(sql: postgres.Sql, event: GameChanged, ns: string): Promise<ApplyOutcome> {
  if (event.gameId !== event.game.id) {
    throw new GraderError('EVENT_INCONSISTENT', `event gameId ${event.gameId} differs from its game's id ${event.game.id}`);
  }
  const state = isVoid(event.game) ? 'void' : isFinal(event.game) ? 'final' : null;
  try {
    return await sql.begin(async (tx): Promise<ApplyOutcome> => {
      const up = await upsertGameFromEvent(tx, event);
      if (!up.applied) return { applied: false, graded: null, ungraded: null };

      if (state) {
        const summary = await gradeGamePicks(tx, event.gameId, event.revision, state);
        await setGradedRevision(tx, event.gameId, event.revision);
        await recomputeStandings(tx, summary.leagueWeeks);
        const graded = picksGraded(event, summary);
        await writePicksGraded(tx, ns, graded);
        return { applied: true, graded, ungraded: null };
      }
      if (up.gradedRevision !== null) {
        const summary = await ungradeGamePicks(tx, event.gameId);
        await setGradedRevision(tx, event.gameId, null);
        await recomputeStandings(tx, summary.leagueWeeks);
        return { applied: true, graded: null, ungraded: summary.graded };
      }
      return { applied: true, graded: null, ungraded: null };
    });
  } catch (err) {
    throw eventFailure(err);
  }
}

function picksGraded(event: GameChanged, s: GradeSummary): PicksGraded {
  return { gameId: event.gameId, revision: event.revision, leagues: s.leagues, graded: s.graded, results: s.results };
}
