/** What each key holds, built from the events exactly as SPEC.md "Redis" says. Pure. */
import type { BreakerChanged, GameChanged, PollCompleted } from '@scores/contracts';
import type { CircuitBreakerValue, GameValue, LiveStateValue } from './redis/keys.js';

export function gameValue(ev: Pick<GameChanged, 'game' | 'revision'>): GameValue {
  return { ...ev.game, revision: ev.revision };
}

export function liveStateValue(ev: Pick<PollCompleted, 'hasLiveGames' | 'liveGameCount' | 'at'>): LiveStateValue {
  return { hasLiveGames: ev.hasLiveGames, liveGameCount: ev.liveGameCount, lastCheck: ev.at };
}

/** `last_poll`: every poll attempt counts, failed or not. */
export function lastPollMs(ev: Pick<PollCompleted, 'at'>): number {
  return Date.parse(ev.at);
}

export function circuitBreakerValue(ev: BreakerChanged): CircuitBreakerValue {
  return { state: ev.state, failures: ev.failures, openedAt: ev.openedAt, retryAt: ev.retryAt };
}

/**
 * When a breaker transition happened: its own `at` when the poller sent one, else the
 * time the stream stored it (one server clock, so still ordered).
 */
export function breakerOrderMs(ev: Pick<BreakerChanged, 'at'>, storedAtMs: number): number {
  const at = ev.at === undefined ? Number.NaN : Date.parse(ev.at);
  return Number.isFinite(at) ? at : storedAtMs;
}
