import { BreakerState as MollitiaState, SlidingCountBreaker, Circuit } from 'mollitia';
import type { BreakerChanged, BreakerState } from '@scores/contracts';

/** What is kept between polls and shared by every poller replica (NATS KV in production). */
export interface StoredBreaker {
  state: { state: `${MollitiaState}`; timestamp: number };
  requests: { result: number }[];
  /** failed polls in a row */
  failures: number;
  openedAt: number | null;
}

export interface BreakerStore {
  load(): Promise<StoredBreaker | undefined>;
  save(value: StoredBreaker): Promise<void>;
}

export function memoryBreakerStore(): BreakerStore & { value: StoredBreaker | undefined } {
  const store = {
    value: undefined as StoredBreaker | undefined,
    load: async () => (store.value ? structuredClone(store.value) : undefined),
    save: async (v: StoredBreaker) => {
      store.value = structuredClone(v);
    },
  };
  return store;
}

/** The poll was refused because the breaker is open: no request went out. */
export class BreakerOpenError extends Error {
  override readonly name = 'BreakerOpenError';
  readonly code = 'BREAKER_OPEN';
  readonly retryable = true;
  constructor(readonly retryAt: string | null) {
    super(`ESPN circuit is open${retryAt ? ` until ${retryAt}` : ''}`);
  }
}

/** The shared record as read once, and what it says. */
export interface LoadedBreaker {
  snapshot: BreakerChanged;
  record: StoredBreaker | undefined;
}

export interface PollBreaker {
  /**
   * Runs one poll through the breaker; a rejected poll throws BreakerOpenError. `loaded`:
   * the record just read by load(), so that a poll reads the shared record once, not twice.
   */
  run<T>(poll: () => Promise<T>, loaded?: LoadedBreaker): Promise<T>;
  load(): Promise<LoadedBreaker>;
  snapshot(): Promise<BreakerChanged>;
  dispose(): void;
}

const toContract: Record<`${MollitiaState}`, BreakerState> = { closed: 'closed', opened: 'open', 'half-opened': 'half-open' };

/**
 * mollitia's SlidingCountBreaker with its state kept in a shared store, as mollitia's
 * own storage addons do: every execute loads the state, every change saves it. A window
 * of BREAKER_FAILURES calls that opens only when every call in it failed is exactly
 * "BREAKER_FAILURES failed polls in a row" (a threshold of 100 % never opens in mollitia,
 * so the threshold sits just under it). Open for BREAKER_OPEN_S, then one trial poll in
 * half-open: success closes, failure opens again.
 */
class SharedBreaker extends SlidingCountBreaker {
  constructor(
    private readonly store: BreakerStore,
    failures: number,
    openMs: number,
  ) {
    super({
      name: 'espn-poll-breaker',
      slidingWindowSize: failures,
      minimumNumberOfCalls: failures,
      failureRateThreshold: (100 * (failures - 0.5)) / failures,
      slowCallDurationThreshold: 0,
      openStateDelay: openMs,
      halfOpenStateMaxDelay: 0,
      permittedNumberOfCallsInHalfOpenState: 1,
    });
  }

  record: StoredBreaker = { state: { state: 'closed', timestamp: Date.now() }, requests: [], failures: 0, openedAt: null };
  /** set when the record was read just before an execute: its getState need not read it again */
  fresh = false;

  override async getState() {
    if (!this.fresh) this.record = (await this.store.load()) ?? this.record;
    this.fresh = false;
    return { state: this.record.state, requests: this.record.requests };
  }

  override async setState(entries: Parameters<SlidingCountBreaker['setState']>[0]): Promise<void> {
    for (const { key, value } of entries as unknown as { key: string; value: unknown }[]) {
      if (key === 'state') {
        const s = value as StoredBreaker['state'];
        this.record.state = s;
        if (s.state === 'opened') this.record.openedAt = s.timestamp;
        if (s.state === 'closed') {
          this.record.openedAt = null;
          this.record.failures = 0;
        }
      } else if (key === 'requests') {
        this.record.requests = Array.isArray(value) ? (value as { result: number }[]) : [];
      }
    }
    await this.store.save(this.record);
  }
}

export function createPollBreaker(opts: {
  failures: number;
  openS: number;
  store: BreakerStore;
  onTransition?: (event: BreakerChanged) => void;
}): PollBreaker {
  const openMs = opts.openS * 1000;
  const breaker = new SharedBreaker(opts.store, opts.failures, openMs);
  const circuit = new Circuit({ name: 'espn-poll', options: { modules: [breaker] } });
  let lastSince = -1;

  const snapshotOf = (r: StoredBreaker): BreakerChanged => {
    const state = toContract[r.state.state];
    const openedAt = state === 'closed' || r.openedAt === null ? null : new Date(r.openedAt).toISOString();
    return {
      state,
      failures: r.failures,
      openedAt,
      retryAt: openedAt && r.openedAt !== null ? new Date(r.openedAt + openMs).toISOString() : null,
      at: new Date(r.state.timestamp).toISOString(),
    };
  };

  breaker.on('state-changed', () => opts.onTransition?.(snapshotOf(breaker.record)));

  /**
   * Brings this replica's breaker in line with the shared record: another replica may
   * have opened it (then nobody here has a timer to half-open it) or half-opened it
   * (then this replica's half-open counter is stale).
   */
  const sync = async (loaded?: LoadedBreaker) => {
    const r = (loaded ? loaded.record : await opts.store.load()) ?? breaker.record;
    breaker.record = r;
    if (r.state.timestamp !== lastSince) {
      lastSince = r.state.timestamp;
      breaker.state = r.state.state as MollitiaState;
      breaker.stateTimestamp = r.state.timestamp;
      breaker.onHalfOpened(); // resets mollitia's per-state counters
    }
    if (r.state.state === 'opened' && Date.now() - r.state.timestamp >= openMs) {
      await breaker.halfOpen();
      lastSince = breaker.record.state.timestamp;
    }
  };

  return {
    async run(poll, loaded) {
      await sync(loaded);
      // mollitia's execute reads the state first: the record synced just now is it
      breaker.fresh = true;
      // Count inside the circuit, before mollitia decides: its transition event then
      // carries the right count, and its own save persists it.
      const counted = async () => {
        try {
          const result = await poll();
          breaker.record.failures = 0;
          return result;
        } catch (err) {
          breaker.record.failures += 1;
          throw err;
        }
      };
      try {
        return await circuit.fn(counted).execute<Awaited<ReturnType<typeof poll>>>();
      } catch (err) {
        const name = (err as Error)?.name;
        const message = (err as Error)?.message;
        // instanceof on mollitia's errors is unreliable: look at what it says
        if (message === 'Circuit is opened' || message === 'Max allowed requests reached' || name === 'BreakerError') {
          throw new BreakerOpenError(snapshotOf(breaker.record).retryAt);
        }
        throw err;
      } finally {
        lastSince = breaker.record.state.timestamp;
      }
    },
    async load() {
      const record = await opts.store.load();
      return { record, snapshot: snapshotOf(record ?? breaker.record) };
    },
    async snapshot() {
      return snapshotOf((await opts.store.load()) ?? breaker.record);
    },
    dispose() {
      circuit.dispose();
      breaker.dispose();
    },
  };
}
