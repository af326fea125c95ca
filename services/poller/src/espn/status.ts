import type { GameState, GameStatus } from '@scores/contracts';
import { fail, int, rec, str } from './read.js';

/**
 * What the game is doing, finer than `state`: the poller and its tests reason with it, it is
 * not published (the published status carries ESPN's name, state and our `completed`).
 * `final` is ESPN's claim; the game is only `completed` when both scores are known as well.
 */
export type StatusKind =
  | 'scheduled'
  | 'live'
  | 'halftime'
  | 'end-of-period'
  | 'delayed'
  | 'final'
  | 'postponed'
  | 'canceled'
  | 'suspended'
  | 'unknown';

export interface NormalisedStatus {
  status: GameStatus;
  kind: StatusKind;
}

const STATES: ReadonlySet<string> = new Set(['pre', 'in', 'post']);

/** Names whose meaning does not depend on ESPN's state/completed flags. */
const FIXED: ReadonlyMap<string, { kind: StatusKind; state: GameState }> = new Map([
  ['STATUS_SCHEDULED', { kind: 'scheduled', state: 'pre' }],
  ['STATUS_IN_PROGRESS', { kind: 'live', state: 'in' }],
  ['STATUS_HALFTIME', { kind: 'halftime', state: 'in' }],
  ['STATUS_END_PERIOD', { kind: 'end-of-period', state: 'in' }],
  ['STATUS_POSTPONED', { kind: 'postponed', state: 'post' }],
  ['STATUS_CANCELED', { kind: 'canceled', state: 'post' }],
  ['STATUS_CANCELLED', { kind: 'canceled', state: 'post' }],
  // The contracts count a forfeit as void (no scores to grade), exactly like a cancellation.
  ['STATUS_FORFEIT', { kind: 'canceled', state: 'post' }],
  // Soccer's finals do not start with STATUS_FINAL.
  ['STATUS_FULL_TIME', { kind: 'final', state: 'post' }],
  ['STATUS_FULL_PEN', { kind: 'final', state: 'post' }],
]);

function byName(name: string): { kind: StatusKind; state: GameState | null } | undefined {
  const fixed = FIXED.get(name);
  if (fixed) return fixed;
  if (name.startsWith('STATUS_FINAL')) return { kind: 'final', state: 'post' };
  // Suspended and delayed keep ESPN's state: a delayed start is `pre`, a stoppage mid-game `in`.
  if (name === 'STATUS_SUSPENDED') return { kind: 'suspended', state: null };
  if (name.includes('DELAY')) return { kind: 'delayed', state: null };
  return undefined;
}

/**
 * ESPN's status object (`competitions[0].status` or `event.status`) to our GameStatus.
 * Order of trust: `type.name`, then `type.completed`, then `type.state`. Throws EspnEventError
 * when none of them tells what the game is doing, or `period` is not a whole number.
 *
 * Decisions the SPEC leaves open:
 * - `clock` is ESPN's displayClock only while the clock means something: live, end of period,
 *   delayed mid-game. Halftime gives null (ESPN sends a meaningless "0:00"); pre and post null.
 * - An unknown name falls back: completed → final, state in → live, pre → scheduled, post (not
 *   completed) → `unknown`, published as post and never completed.
 * - A name-fixed state wins over ESPN's flags (STATUS_POSTPONED is post even if state says pre).
 * - `period` is 0 while `pre`, whatever ESPN says (older responses send 1 before kickoff).
 */
export function normaliseStatus(
  espn: unknown,
  scores: { home: number | null; away: number | null },
): NormalisedStatus {
  return settleStatus(readStatus(espn), scores);
}

/**
 * The scores do not mean anything in these games, whatever ESPN puts there (it sends "0", ""
 * and worse in games that have not been played): they are published as null, never read.
 */
export function scoresVoid({ status, kind }: NormalisedStatus): boolean {
  return status.state === 'pre' || kind === 'postponed' || kind === 'canceled';
}

/**
 * `completed` from the scores: ESPN's final is only completed with both scores known. A
 * status from readStatus is not settled yet (completed is false until this runs).
 */
export function settleStatus(read: NormalisedStatus, scores: { home: number | null; away: number | null }): NormalisedStatus {
  const completed = read.kind === 'final' && scores.home !== null && scores.away !== null;
  return { kind: read.kind, status: { ...read.status, completed } };
}

/**
 * normaliseStatus without the scores, so that the caller can tell from the status whether the
 * scores are to be read at all (scoresVoid) before reading them. `completed` is false here.
 */
export function readStatus(espn: unknown): NormalisedStatus {
  const s = rec(espn) ?? fail('status is not an object');
  const type = rec(s.type) ?? fail('status.type is not an object');
  const name = str(type.name);
  const espnState = typeof type.state === 'string' && STATES.has(type.state) ? (type.state as GameState) : null;
  const espnCompleted = typeof type.completed === 'boolean' ? type.completed : null;

  let kind: StatusKind;
  let state: GameState;
  const named = name === undefined ? undefined : byName(name);
  if (named) {
    kind = named.kind;
    state = named.state ?? espnState ?? fallbackStateFor(named.kind, s);
  } else if (espnCompleted === true) {
    kind = 'final';
    state = 'post';
  } else if (espnState === 'in') {
    kind = 'live';
    state = 'in';
  } else if (espnState === 'pre') {
    kind = 'scheduled';
    state = 'pre';
  } else if (espnState === 'post') {
    kind = 'unknown';
    state = 'post';
  } else {
    fail(`status tells nothing usable (name ${name ?? 'missing'}, no state or completed)`);
  }

  const espnPeriod = s.period === undefined || s.period === null ? 0 : int(s.period);
  if (espnPeriod === undefined || espnPeriod < 0) fail(`status.period is not a whole number: ${String(s.period)}`);
  // Older responses say period 1 (clock "15:00") before kickoff, newer ones 0: nothing has been
  // played before the start, so `pre` is always 0 and the format change is not a game change.
  const period = state === 'pre' ? 0 : espnPeriod;

  const detail = str(type.detail) ?? str(type.description) ?? name ?? '';
  const shortDetail = str(type.shortDetail) ?? detail;
  const clockRuns = state === 'in' && kind !== 'halftime';
  const clock = clockRuns ? (str(s.displayClock) ?? null) : null;
  return {
    kind,
    status: { state, name: name ?? '', detail, shortDetail, period, clock, completed: false },
  };
}

/** Suspended or delayed without a state from ESPN: a game that has started has a period. */
function fallbackStateFor(kind: StatusKind, s: Record<string, unknown>): GameState {
  if (kind === 'suspended') return 'post';
  const period = int(s.period);
  return period !== undefined && period > 0 ? 'in' : 'pre';
}
