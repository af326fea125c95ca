/**
 * What this replica knows: the newest revision of every game, the last poll and the
 * last breaker transition. Every replica holds all of it (seeded from the streams), so
 * any replica can re-write every key after Redis loses them.
 */
import { isFinal, isVoid, type BreakerChanged, type Game, type GameChanged, type PollCompleted } from '@scores/contracts';
import type { CircuitBreakerValue, GameValue, LiveStateValue } from './redis/keys.js';
import { breakerOrderMs, circuitBreakerValue, gameValue, lastPollMs, liveStateValue } from './values.js';

/** Game keys of games final (or void) for longer than this are removed and no longer refreshed. */
export const FINAL_RETENTION_MS = 24 * 3600 * 1000;
/** A dropped game's revision is remembered as long as its events may still be redelivered (stream max age). */
export const TOMBSTONE_RETENTION_MS = 31 * 24 * 3600 * 1000;

export interface TrackedGame {
  value: GameValue;
  /**
   * When its newest revision was seen (the event's occurredAt). For a final game this
   * is when it was seen final (a correction restarts the clock): it has been final at
   * least since then, the same on every replica.
   */
  changedAtMs: number;
}

export interface PollSnapshot {
  atMs: number;
  liveState: LiveStateValue;
}

export interface BreakerSnapshot {
  atMs: number;
  value: CircuitBreakerValue;
}

/** Final means gradeable or void (postponed, canceled): nothing more will happen to it. */
export function isFinished(game: Pick<Game, 'status' | 'home' | 'away'>): boolean {
  return isFinal(game) || isVoid(game);
}

/** A game whose key is kept alive: anything but a game final for more than a day. */
export function isCurrent(t: TrackedGame, nowMs: number): boolean {
  return !(isFinished(t.value) && nowMs - t.changedAtMs > FINAL_RETENTION_MS);
}

export function trackedGame(ev: Pick<GameChanged, 'game' | 'revision' | 'occurredAt'>, receivedAtMs: number): TrackedGame {
  const occurred = Date.parse(ev.occurredAt);
  return { value: gameValue(ev), changedAtMs: Number.isFinite(occurred) ? occurred : receivedAtMs };
}

export class CacheState {
  private readonly games = new Map<string, TrackedGame>();
  private readonly dropped = new Map<string, { revision: number; atMs: number }>();
  private pollSnapshot: PollSnapshot | undefined;
  private breakerSnapshot: BreakerSnapshot | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Keeps the event when it is newer than what is known. Returns the newest known
   * revision of that game, or undefined when the game was cleaned up at this revision
   * or later (a redelivered old event must not bring it back).
   */
  applyGame(ev: GameChanged): TrackedGame | undefined {
    const gone = this.dropped.get(ev.gameId);
    if (gone) {
      if (ev.revision <= gone.revision) return undefined;
      this.dropped.delete(ev.gameId);
    }
    const known = this.games.get(ev.gameId);
    if (known && known.value.revision >= ev.revision) return known;
    const next = trackedGame(ev, this.now());
    this.games.set(ev.gameId, next);
    return next;
  }

  game(gameId: string): TrackedGame | undefined {
    return this.games.get(gameId);
  }

  /** Games whose keys are kept alive. */
  current(nowMs = this.now()): TrackedGame[] {
    return [...this.games.values()].filter((t) => isCurrent(t, nowMs));
  }

  /** Games final for more than a day: their keys go at the next cleanup. */
  expired(nowMs = this.now()): TrackedGame[] {
    return [...this.games.values()].filter((t) => !isCurrent(t, nowMs));
  }

  /** Forgets a cleaned-up game, unless a newer revision arrived meanwhile. */
  drop(gameId: string, revision: number, nowMs = this.now()): void {
    const known = this.games.get(gameId);
    if (known && known.value.revision > revision) return;
    this.games.delete(gameId);
    this.dropped.set(gameId, { revision, atMs: nowMs });
    for (const [id, d] of this.dropped) if (nowMs - d.atMs > TOMBSTONE_RETENTION_MS) this.dropped.delete(id);
  }

  get size(): number {
    return this.games.size;
  }

  /** Keeps the newer poll (by its `at`); returns the newest known. */
  applyPoll(ev: PollCompleted): PollSnapshot {
    const atMs = lastPollMs(ev);
    if (!this.pollSnapshot || atMs >= this.pollSnapshot.atMs) this.pollSnapshot = { atMs, liveState: liveStateValue(ev) };
    return this.pollSnapshot;
  }

  get poll(): PollSnapshot | undefined {
    return this.pollSnapshot;
  }

  /** Keeps the newer transition; returns the newest known. */
  applyBreaker(ev: BreakerChanged, storedAtMs: number): BreakerSnapshot {
    const atMs = breakerOrderMs(ev, storedAtMs);
    if (!this.breakerSnapshot || atMs >= this.breakerSnapshot.atMs) {
      this.breakerSnapshot = { atMs, value: circuitBreakerValue(ev) };
    }
    return this.breakerSnapshot;
  }

  get breaker(): BreakerSnapshot | undefined {
    return this.breakerSnapshot;
  }
}
