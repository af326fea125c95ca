import type { ParsedScoreboard } from './parse.js';

/** ESPN silently answers exactly this many events when `limit` is above 500 (SPEC). */
export const CAPPED_EVENT_COUNT = 25;

/**
 * What one scoreboard response tells operators. Taken from every response received, a
 * byte-identical repeat included: a repeat still means ESPN is sending that answer now.
 */
export interface ResponseFindings {
  /** exactly 25 events: probably cut short by ESPN's cap */
  capped: boolean;
  /** events skipped as malformed */
  malformed: number;
  /** finals held back because a score is missing */
  finalsWithoutScores: number;
}

export const NO_FINDINGS: ResponseFindings = { capped: false, malformed: 0, finalsWithoutScores: 0 };

export function findingsOf(parsed: ParsedScoreboard): ResponseFindings {
  return {
    capped: parsed.eventCount === CAPPED_EVENT_COUNT,
    malformed: parsed.malformed.length,
    finalsWithoutScores: parsed.suspicious.length,
  };
}

/**
 * `poll.completed`'s `suspicious` (exactly-25 responses plus finals without scores, as the
 * contract describes it) and `malformedEvents`, over one poll's responses.
 */
export function pollFindings(responses: Iterable<ResponseFindings>): { suspicious: number; malformedEvents: number } {
  let suspicious = 0;
  let malformedEvents = 0;
  for (const f of responses) {
    suspicious += (f.capped ? 1 : 0) + f.finalsWithoutScores;
    malformedEvents += f.malformed;
  }
  return { suspicious, malformedEvents };
}
