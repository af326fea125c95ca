/**
 * The Redis keys of SPEC.md "Redis", prefixed by the namespace. The api reads what the
 * cache-writer writes, so both build keys (and parse values) from here.
 */
import type { BreakerState, GameWithRevision } from '@scores/contracts';

/** Seconds each key lives after its last write, as SPEC.md fixes them. */
export const REDIS_TTL_S = {
  game: 120,
  liveState: 180,
  circuitBreaker: 600,
  lastPoll: 300,
} as const;

export function redisKeys(ns: string) {
  return {
    /** the event's game with `revision` added (JSON) */
    game: (gameId: string) => `${ns}:game:${gameId}`,
    /** SCAN pattern of every game key */
    gamePattern: `${ns}:game:*`,
    /** `{ hasLiveGames, liveGameCount, lastCheck }` (JSON) */
    liveState: `${ns}:live_state`,
    /** `{ state, failures, openedAt, retryAt }` (JSON) */
    circuitBreaker: `${ns}:circuit_breaker`,
    /** epoch milliseconds of the last poll attempt */
    lastPoll: `${ns}:last_poll`,
  } as const;
}
export type RedisKeys = ReturnType<typeof redisKeys>;

export type GameValue = GameWithRevision;

export interface LiveStateValue {
  hasLiveGames: boolean;
  liveGameCount: number;
  /** the `at` of the poll.completed it comes from (ISO 8601) */
  lastCheck: string;
}

export interface CircuitBreakerValue {
  state: BreakerState;
  failures: number;
  openedAt: string | null;
  retryAt: string | null;
}
