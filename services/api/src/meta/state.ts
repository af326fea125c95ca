import type { BreakerChanged, BreakerState, PollCompleted } from '@scores/contracts';

export interface LiveState {
  hasLiveGames: boolean;
  liveGameCount: number;
  /** the `at` of the poll it comes from; null before any poll was seen */
  lastCheck: string | null;
}

export interface Breaker {
  state: BreakerState;
  failures: number;
  openedAt: string | null;
  retryAt: string | null;
}

export interface Meta {
  liveState: LiveState;
  breaker: Breaker;
  /** the last poll attempt, failed or not (ISO 8601) */
  lastPoll: string | null;
  /** the last poll that succeeded: the age of what is served while the breaker is open */
  lastSuccessAt: string | null;
  /** the breaker is not closed: no fresh data since `lastSuccessAt` */
  stale: boolean;
}

/** What Redis holds (SPEC "Redis"), read once at start when the polls stream has nothing. */
export interface RedisMeta {
  liveState?: { hasLiveGames: boolean; liveGameCount: number; lastCheck: string };
  breaker?: Breaker;
  lastPollMs?: number;
}

const CLOSED: Breaker = { state: 'closed', failures: 0, openedAt: null, retryAt: null };

const msOf = (iso: string | null | undefined) => (iso ? Date.parse(iso) : Number.NEGATIVE_INFINITY);

/**
 * Live state, breaker and last poll, folded from poll.completed and breaker.changed in
 * any order: an event older than what is held changes nothing.
 */
export class MetaState {
  private poll: Pick<PollCompleted, 'at' | 'hasLiveGames' | 'liveGameCount'> | undefined;
  /** a poll's live state is held (Redis's last_poll alone gives the time, not the state) */
  private liveKnown = false;
  private successAt: string | null = null;
  private breaker: Breaker = CLOSED;
  private breakerAtMs = Number.NEGATIVE_INFINITY;
  private cached: Meta | undefined;
  private readonly listeners = new Set<(meta: Meta) => void>();
  version = 0;

  /** A failed poll still counts as the last poll, but not as the last success. */
  onPoll(ev: PollCompleted): boolean {
    let changed = false;
    if (ev.ok !== false && msOf(ev.at) > msOf(this.successAt)) {
      this.successAt = ev.at;
      changed = true;
    }
    if (!this.poll || msOf(ev.at) > msOf(this.poll.at)) {
      this.poll = { at: ev.at, hasLiveGames: ev.hasLiveGames, liveGameCount: ev.liveGameCount };
      this.liveKnown = true;
      changed = true;
    }
    if (changed) this.bump();
    return changed;
  }

  /** A transition is ordered by its own `at`, else by when the stream stored it. */
  onBreaker(ev: BreakerChanged, storedAtMs: number): boolean {
    const at = ev.at !== undefined && Number.isFinite(Date.parse(ev.at)) ? Date.parse(ev.at) : storedAtMs;
    if (at < this.breakerAtMs) return false;
    this.breakerAtMs = at;
    this.breaker = { state: ev.state, failures: ev.failures, openedAt: ev.openedAt, retryAt: ev.retryAt };
    this.bump();
    return true;
  }

  /** Fills only what no event has given yet (Redis is a start-up fallback, never newer news). */
  seed(r: RedisMeta): void {
    let changed = false;
    if (!this.poll && r.liveState) {
      this.poll = { at: r.liveState.lastCheck, hasLiveGames: r.liveState.hasLiveGames, liveGameCount: r.liveState.liveGameCount };
      this.liveKnown = true;
      changed = true;
    }
    if (!this.poll && r.lastPollMs !== undefined) {
      this.poll = { at: new Date(r.lastPollMs).toISOString(), hasLiveGames: false, liveGameCount: 0 };
      changed = true;
    }
    if (this.breakerAtMs === Number.NEGATIVE_INFINITY && r.breaker) {
      this.breaker = r.breaker;
      this.breakerAtMs = msOf(r.breaker.openedAt);
      changed = true;
    }
    if (changed) this.bump();
  }

  /**
   * Whether a poll's live state is known. Until it is, the scheduler polls at the live
   * interval (to learn the state quickly), so caches may keep an answer no longer than that.
   */
  get liveStateKnown(): boolean {
    return this.liveKnown;
  }

  /** What is missing: the caller reads Redis only then. */
  missing(): { poll: boolean; breaker: boolean } {
    return { poll: !this.poll, breaker: this.breakerAtMs === Number.NEGATIVE_INFINITY };
  }

  /** `liveFallback`: the snapshot's own count, used before any poll has been seen */
  current(liveFallback = 0): Meta {
    if (this.cached && (this.poll || liveFallback === this.cached.liveState.liveGameCount)) return this.cached;
    const liveState: LiveState = this.poll
      ? { hasLiveGames: this.poll.hasLiveGames, liveGameCount: this.poll.liveGameCount, lastCheck: this.poll.at }
      : { hasLiveGames: liveFallback > 0, liveGameCount: liveFallback, lastCheck: null };
    this.cached = {
      liveState,
      breaker: this.breaker,
      lastPoll: this.poll?.at ?? null,
      lastSuccessAt: this.successAt,
      stale: this.breaker.state !== 'closed',
    };
    return this.cached;
  }

  onChange(listener: (meta: Meta) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private bump(): void {
    this.version++;
    this.cached = undefined;
    const meta = this.current();
    for (const listener of this.listeners) listener(meta);
  }
}
