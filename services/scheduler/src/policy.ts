import type { TickReason } from '@scores/contracts';

export interface IntervalConfig {
  liveS: number;
  idleS: number;
  offseasonS: number;
}

/** What the scheduler knows of the world, from the last poll.completed. */
export interface WorldState {
  hasLiveGames: boolean;
  /**
   * ISO time of the next kickoff known to the poller, or null. In the past for a game still
   * `pre` after its kickoff (a delayed start), or when the last poll predates the kickoff.
   */
  nextKickoff: string | null;
}

export interface Decision {
  intervalS: number;
  reason: TickReason;
  /** epoch ms of the next tick; slots are aligned to the epoch so every replica picks the same */
  nextSlotMs: number;
}

const OFFSEASON_HORIZON_MS = 7 * 24 * 3600_000;
/**
 * How long after its kickoff a game that has not started is still about to start (a delayed
 * start). Older, it is stale data, not a reason to poll at the live pace; the poller leaves
 * such games out of nextKickoff with the same bound, so an older one here only comes from a
 * world not refreshed for that long, which keeps the idle pace it always had.
 */
export const DELAYED_START_MS = 12 * 3600_000;

/**
 * The interval for the current state: live 60 s, idle 300 s, offseason 3600 s. A kickoff that
 * has come (a delayed start, or a kickoff no poll has seen pass yet) polls at the live pace:
 * the game is starting.
 */
export function intervalFor(state: WorldState | undefined, now: number, cfg: IntervalConfig): { intervalS: number; reason: TickReason } {
  if (!state) return { intervalS: cfg.liveS, reason: 'unknown' }; // learn the state quickly after a start
  if (state.hasLiveGames) return { intervalS: cfg.liveS, reason: 'live' };
  const kickoff = state.nextKickoff ? Date.parse(state.nextKickoff) : NaN;
  if (Number.isFinite(kickoff) && kickoff <= now && now - kickoff <= DELAYED_START_MS) return { intervalS: cfg.liveS, reason: 'kickoff' };
  if (Number.isFinite(kickoff) && kickoff - now <= OFFSEASON_HORIZON_MS) return { intervalS: cfg.idleS, reason: 'idle' };
  return { intervalS: cfg.offseasonS, reason: 'offseason' };
}

/** The first multiple of `stepMs` strictly after `now`. */
export function nextAligned(now: number, stepMs: number): number {
  return Math.floor(now / stepMs) * stepMs + stepMs;
}

/**
 * When to tick next. Slots are multiples of the interval since the epoch, so replicas
 * agree on them (300 and 3600 are multiples of 60, so even replicas that briefly
 * disagree on the interval name the same slots). Instead of sleeping past the next
 * kickoff, wake at the first live-interval slot at or after it.
 */
export function decide(state: WorldState | undefined, now: number, cfg: IntervalConfig): Decision {
  const { intervalS, reason } = intervalFor(state, now, cfg);
  let nextSlotMs = nextAligned(now, intervalS * 1000);
  let why = reason;
  const kickoff = state?.nextKickoff ? Date.parse(state.nextKickoff) : NaN;
  if (!state?.hasLiveGames && Number.isFinite(kickoff) && kickoff > now) {
    const liveStep = cfg.liveS * 1000;
    const wake = Math.ceil(kickoff / liveStep) * liveStep;
    if (wake < nextSlotMs) {
      nextSlotMs = wake;
      why = 'kickoff';
    }
  }
  return { intervalS, reason: why, nextSlotMs };
}
