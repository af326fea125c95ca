import { describe, expect, it } from 'vitest';
import { findingsOf, NO_FINDINGS, pollFindings } from '../src/espn/findings.js';
import type { ParsedScoreboard } from '../src/espn/parse.js';

const parsed = (over: Partial<ParsedScoreboard>): ParsedScoreboard => ({ games: [], eventCount: 0, malformed: [], suspicious: [], ...over });
const skipped = (n: number, reason: string) => Array.from({ length: n }, (_, i) => ({ eventId: String(i), reason }));

describe('findingsOf', () => {
  it('flags a response of exactly 25 events, and only that count', () => {
    expect(findingsOf(parsed({ eventCount: 25 })).capped).toBe(true);
    expect(findingsOf(parsed({ eventCount: 24 })).capped).toBe(false);
    expect(findingsOf(parsed({ eventCount: 26 })).capped).toBe(false);
  });

  it('counts malformed events and finals held back without scores', () => {
    expect(findingsOf(parsed({ eventCount: 9, malformed: skipped(3, 'x'), suspicious: skipped(2, 'final without both scores') }))).toEqual({
      capped: false,
      malformed: 3,
      finalsWithoutScores: 2,
    });
  });
});

describe('pollFindings', () => {
  it('adds up a poll: each capped response and each held-back final is suspicious', () => {
    const capped = findingsOf(parsed({ eventCount: 25, malformed: skipped(1, 'x') }));
    // The same answer twice (a byte-identical repeat) counts twice: both were received.
    expect(pollFindings([capped, capped, { capped: false, malformed: 2, finalsWithoutScores: 1 }, NO_FINDINGS])).toEqual({
      suspicious: 3,
      malformedEvents: 4,
    });
  });

  it('answers zeros for a clean poll', () => {
    expect(pollFindings([NO_FINDINGS, NO_FINDINGS])).toEqual({ suspicious: 0, malformedEvents: 0 });
    expect(pollFindings([])).toEqual({ suspicious: 0, malformedEvents: 0 });
  });
});
