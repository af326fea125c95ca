/**
 * The writes of the cache-writer, each a compare-and-set script: an older revision,
 * poll or breaker transition never replaces a newer one, whichever replica writes.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import { ServiceError } from '@scores/service-kit';
import type { CacheMetrics } from '../metrics.js';
import type { BreakerSnapshot, PollSnapshot } from '../state.js';
import { REDIS_TTL_S, type GameValue, type RedisKeys } from './keys.js';
import { WRITE_RESULT, writeResultOf, type WriteResult } from './scripts.js';

/** Redis refused or did not answer: retrying later can help. */
export class RedisWriteError extends ServiceError {
  constructor(op: string, cause: unknown) {
    // the cause's message is appended by pino's error serializer
    super('REDIS_WRITE_FAILED', `redis ${op} failed`, {
      retryable: true,
      cause,
    });
    this.name = 'RedisWriteError';
  }
}

type OrderedArgs = [valueKey: string, orderKey: string, orderMs: number, value: string, valueTtlS: number, orderTtlS: number];

export interface RefreshOutcome {
  written: number;
  refreshed: number;
  stale: number;
  failed: number;
}

export class CacheStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly metrics: CacheMetrics,
  ) {}

  async writeGame(value: GameValue): Promise<WriteResult> {
    const result = await this.run('game', () =>
      this.redis.cwSetGame(this.keys.game(value.id), value.revision, JSON.stringify(value), REDIS_TTL_S.game),
    );
    this.metrics.writes.inc({ key: 'game', result });
    return result;
  }

  /**
   * Several game keys in one round trip (a pipeline of the same compare-and-set), for a
   * batch of events: the scripts order them, whatever order they come in. Any write that
   * fails fails the call (retryable): the batch is retried whole, and the writes that
   * went through compare equal the second time.
   */
  async writeGames(values: GameValue[]): Promise<RefreshOutcome> {
    const pipeline = this.redis.pipeline();
    for (const g of values) pipeline.cwSetGame(this.keys.game(g.id), g.revision, JSON.stringify(g), REDIS_TTL_S.game);
    return this.exec('game', pipeline, () => 'game');
  }

  /** Deletes a game key unless a newer revision is stored; true when it was deleted. */
  async deleteGame(gameId: string, revision: number): Promise<boolean> {
    let deleted: number;
    try {
      deleted = await this.redis.cwDelGame(this.keys.game(gameId), revision);
    } catch (err) {
      this.metrics.errors.inc({ op: 'cleanup' });
      throw new RedisWriteError('cleanup', err);
    }
    if (deleted === 1) this.metrics.writes.inc({ key: 'game', result: 'deleted' });
    return deleted === 1;
  }

  /** live_state and last_poll together, ordered by the poll's `at` (last_poll holds it). */
  async writePoll(p: PollSnapshot): Promise<WriteResult> {
    const args = this.pollArgs(p);
    // a poll older than last_poll's TTL (a backlog replayed late): its keys would have lapsed
    const result = args ? await this.run('poll', () => this.redis.cwSetOrdered(...args)) : 'stale';
    this.countPoll(result);
    return result;
  }

  async writeBreaker(b: BreakerSnapshot): Promise<WriteResult> {
    // Breaker transitions arrive in stream order (their durable has one message in
    // flight), so the newest always writes last: a plain SET.
    const result = await this.run('breaker', async () => {
      await this.redis.set(this.keys.circuitBreaker, JSON.stringify(b.value), 'EX', REDIS_TTL_S.circuitBreaker);
      return WRITE_RESULT.written;
    });
    this.metrics.writes.inc({ key: 'circuit_breaker', result });
    return result;
  }

  /** Every known value in one round trip; each compared as a single write would be. */
  async writeAll(games: GameValue[], poll: PollSnapshot | undefined, breaker: BreakerSnapshot | undefined): Promise<RefreshOutcome> {
    const pipeline = this.redis.pipeline();
    for (const g of games) pipeline.cwSetGame(this.keys.game(g.id), g.revision, JSON.stringify(g), REDIS_TTL_S.game);
    const pollArgs = poll && this.pollArgs(poll);
    if (pollArgs) pipeline.cwSetOrdered(...pollArgs);
    if (breaker) pipeline.cwSetOrRenew(this.keys.circuitBreaker, JSON.stringify(breaker.value), REDIS_TTL_S.circuitBreaker);
    return this.exec('refresh', pipeline, (i) => (i < games.length ? 'game' : pollArgs && i === games.length ? 'poll' : 'circuit_breaker'));
  }

  /** Runs a pipeline of scripts and counts each reply under its key; throws when any failed. */
  private async exec(op: string, pipeline: ChainableCommander, keyOf: (i: number) => 'game' | 'poll' | 'circuit_breaker'): Promise<RefreshOutcome> {
    let replies: [Error | null, unknown][] | null;
    try {
      replies = await pipeline.exec();
    } catch (err) {
      this.metrics.errors.inc({ op });
      throw new RedisWriteError(op, err);
    }
    const outcome: RefreshOutcome = { written: 0, refreshed: 0, stale: 0, failed: 0 };
    (replies ?? []).forEach(([err, reply], i) => {
      const key = keyOf(i);
      if (err) {
        outcome.failed++;
        this.metrics.errors.inc({ op });
        return;
      }
      const result = writeResultOf(reply);
      outcome[result]++;
      if (key === 'poll') this.countPoll(result);
      else this.metrics.writes.inc({ key, result });
    });
    if (outcome.failed > 0) throw new RedisWriteError(op, new Error(`${outcome.failed} of ${replies?.length ?? 0} writes failed`));
    return outcome;
  }

  ping(): Promise<string> {
    return this.redis.ping();
  }

  /**
   * live_state and last_poll as the poll left them, each with the life it has left since
   * the poll (`at`): a refresh, or an event consumed late, restores a flushed key but never
   * keeps a stopped poller's keys alive past SPEC's TTLs (180 s, 300 s after the poll).
   * Undefined once both have lapsed; a value TTL of 0 leaves live_state alone.
   */
  private pollArgs(p: PollSnapshot, nowMs = Date.now()): OrderedArgs | undefined {
    const ageS = Math.max(0, Math.floor((nowMs - p.atMs) / 1000));
    const lastPollTtl = REDIS_TTL_S.lastPoll - ageS;
    if (lastPollTtl <= 0) return undefined;
    return [
      this.keys.liveState,
      this.keys.lastPoll,
      p.atMs,
      JSON.stringify(p.liveState),
      Math.max(0, REDIS_TTL_S.liveState - ageS),
      lastPollTtl,
    ];
  }

  private countPoll(result: WriteResult) {
    this.metrics.writes.inc({ key: 'live_state', result });
    this.metrics.writes.inc({ key: 'last_poll', result });
  }

  private async run(op: string, write: () => Promise<unknown>): Promise<WriteResult> {
    let reply: unknown;
    try {
      reply = await write();
    } catch (err) {
      this.metrics.errors.inc({ op });
      throw new RedisWriteError(op, err);
    }
    return writeResultOf(reply);
  }
}
