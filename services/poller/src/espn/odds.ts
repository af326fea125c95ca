import type { Odds } from '@scores/contracts';
import { num, rec, str } from './read.js';

const PICK = /^(even|pk|pick|pick'?em)$/i;
const LINE = /^(\S+)\s+([+-]?\d+(?:\.\d+)?)$/;

/**
 * The home spread implied by a details string such as "MICH -3.5": the named team gives the
 * points, so the home spread is the number when the home team is named and its negation when
 * the away team is. "EVEN"/"PK" is 0. Anything else (an abbreviation of neither team) is null.
 */
export function homeSpreadFromDetails(details: string, homeAbbr: string, awayAbbr: string): number | null {
  const d = details.trim();
  if (PICK.test(d)) return 0;
  const m = LINE.exec(d);
  if (!m) return null;
  const team = m[1]!.toUpperCase();
  const points = Number(m[2]);
  if (team === homeAbbr.toUpperCase()) return points;
  if (team === awayAbbr.toUpperCase()) return -points;
  return null;
}

/**
 * The first provider's line (`competitions[0].odds[0]`, or a summary's `pickcenter[0]`).
 *
 * ESPN gives the home spread up to three ways: `spread` (a number, the home team's line: in
 * every fixture game with odds it equals the line derived from `details`), in newer responses
 * `pointSpread.home.close.line` ("+3.5"), and always the `details` string. All that are present
 * must agree; when they do not, homeSpread is null rather than a guess, since a wrong spread
 * would grade picks wrongly.
 */
export function parseOdds(raw: unknown, homeAbbr: string, awayAbbr: string): Odds | null {
  const o = rec(raw);
  if (!o) return null;
  const details = str(o.details)?.trim() || null;
  const overUnder = num(o.overUnder) ?? null;

  const candidates: number[] = [];
  const spread = num(o.spread);
  if (spread !== undefined) candidates.push(spread);
  const closeLine = num(rec(rec(rec(o.pointSpread)?.home)?.close)?.line);
  if (closeLine !== undefined) candidates.push(closeLine);
  if (details !== null) {
    const derived = homeSpreadFromDetails(details, homeAbbr, awayAbbr);
    if (derived !== null) candidates.push(derived);
  }
  const first = candidates[0];
  const agreed = first !== undefined && candidates.every((c) => c === first);
  // -0 and 0 are the same line; keep JSON and equality checks simple.
  const homeSpread = agreed ? first + 0 : null;

  if (details === null && overUnder === null && homeSpread === null) return null;
  return { homeSpread, overUnder, details };
}
