/**
 * The cache-writer: keeps the Redis keys of SPEC.md "Redis" from game.changed,
 * poll.completed and breaker.changed, and removes the keys of long-finished games on
 * cleanup ticks.
 *
 * Two paths feed it. The shared durables (one per purpose; nats-server 2.9 has no
 * multi-filter consumers) hand each event to one replica, which writes it and acks only
 * once Redis answered; Redis down means nak and retry, nothing lost. Mirrors (ordered
 * consumers, per replica) keep every replica's memory complete, so a timer on each can
 * re-write every current key: game keys live 120 s but games change far less often, and
 * a flushed or restarted Redis gets everything back within one period. Every write is a
 * compare-and-set, so none of this ever puts an older value over a newer one.
 */
import type { JsMsg } from '@nats-io/jetstream';
import {
  BreakerChanged,
  CleanupTick,
  consumerNames,
  ContractError,
  decode,
  GameChanged,
  gameIdOfSubject,
  PollCompleted,
  streamSpecs,
  subjects,
} from '@scores/contracts';
import {
  ensureDurable,
  ensureStreamDurable,
  runDurableConsumer,
  type RunningConsumer,
  type RunningService,
  type ServiceContext,
  type ServiceDefinition,
} from '@scores/service-kit';
import type { CacheWriterConfig } from './config.js';
import { cacheMetrics } from './metrics.js';
import { startMirror, type Mirror } from './mirror.js';
import { closeRedis, createRedis, whenReady } from './redis/client.js';
import { redisKeys, type GameValue } from './redis/keys.js';
import { CacheStore } from './redis/store.js';
import { CacheState, isCurrent } from './state.js';

export const SERVICE_NAME = 'cache-writer';

export interface CacheWriterDeps {
  /** the clock that decides how long a game has been final */
  now?: () => number;
  /** how long start-up waits for the mirrors to read the streams (default 30 s) */
  seedTimeoutMs?: number;
}

/** The durables, shared by every replica; nats-server 2.9 needs one per filter. */
export function cacheWriterDurables(ns: string) {
  const streams = streamSpecs(ns);
  const names = consumerNames(ns);
  return {
    games: { stream: streams.games.name, durable: names.cacheWriterGames, filterSubject: subjects.gameChangedFilter(ns) },
    polls: { stream: streams.polls.name, durable: names.cacheWriterPolls, filterSubject: subjects.pollCompleted(ns) },
    breaker: {
      stream: streams.polls.name,
      durable: `${names.cacheWriterPolls}-breaker`,
      filterSubject: subjects.breakerChanged(ns),
    },
    cleanup: { stream: streams.ticks.name, durable: names.cacheWriterCleanup, filterSubject: subjects.tickCleanup(ns) },
  } as const;
}

/**
 * A game.changed whose gameId is not its game's id, or not its subject's, breaks the
 * contract: applied, it would file one game's state under another's id (and block that
 * game's real revisions). Refused, as the grader and the api refuse it.
 */
export function checkGameEvent(ev: GameChanged, subject: string): GameChanged {
  const fromSubject = gameIdOfSubject(subject);
  if (ev.gameId !== ev.game.id || fromSubject !== ev.gameId) {
    throw new ContractError('GameChanged', [`gameId ${ev.gameId} differs from its game's id ${ev.game.id} or its subject's ${String(fromSubject)}`]);
  }
  return ev;
}

export function createCacheWriterService(cfg: CacheWriterConfig, deps: CacheWriterDeps = {}): ServiceDefinition {
  return { name: SERVICE_NAME, start: (ctx) => startCacheWriter(ctx, cfg, deps) };
}

async function startCacheWriter(ctx: ServiceContext, cfg: CacheWriterConfig, deps: CacheWriterDeps): Promise<RunningService> {
  const { ns, log } = ctx;
  const now = deps.now ?? Date.now;
  const metrics = cacheMetrics(ctx.registry);
  const redis = createRedis(cfg.redisUrl, log, `${ns}:${SERVICE_NAME}:${ctx.instance}`);
  const store = new CacheStore(redis, redisKeys(ns), metrics);
  const state = new CacheState(now);
  const trackedSource = () => state.size;
  metrics.trackedSources.add(trackedSource);
  ctx.health.add('redis', () => store.ping());

  const mirrors: Mirror[] = [];
  const consumers: RunningConsumer[] = [];
  let timer: NodeJS.Timeout | undefined;
  let refreshing: Promise<void> | undefined;
  let refreshFailing = false;

  /** Re-writes every current key from memory; one at a time, a call during one joins it. */
  const refresh = (reason: string): Promise<void> => {
    refreshing ??= (async () => {
      const games = state.current(now()).map((t) => t.value);
      const { poll, breaker } = state;
      if (games.length === 0 && !poll && !breaker) return;
      try {
        const outcome = await store.writeAll(games, poll, breaker);
        metrics.refreshes.inc({ outcome: 'ok' });
        if (refreshFailing) log.info({ reason, games: games.length }, 'cache refresh recovered');
        refreshFailing = false;
        log.debug({ reason, games: games.length, ...outcome }, 'cache refreshed');
      } catch (err) {
        metrics.refreshes.inc({ outcome: 'failed' });
        if (!refreshFailing) log.warn({ err, reason, games: games.length }, 'cache refresh failed; retrying next period');
        refreshFailing = true;
      }
    })().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  };

  const storedAtMs = (msg: JsMsg) => msg.time.getTime();

  /**
   * Takes a game.changed into memory; the value to write for its game (the newest known
   * revision: the event's, or a newer one the mirror already saw), or undefined when the
   * game is no longer cached (cleaned up, or final for more than a day).
   */
  const cacheable = (ev: GameChanged): GameValue | undefined => {
    const latest = state.applyGame(ev);
    const fields = { gameId: ev.gameId, revision: ev.revision };
    if (!latest) return void log.debug(fields, 'game already cleaned up; not cached');
    if (!isCurrent(latest, now())) return void log.debug(fields, 'game final for more than a day; not cached');
    return latest.value;
  };

  const stopAll = async () => {
    clearInterval(timer);
    await Promise.all(consumers.map((c) => c.stop()));
    await Promise.all(mirrors.map((m) => m.stop()));
    await refreshing;
    metrics.trackedSources.delete(trackedSource);
  };

  try {
    if (!(await whenReady(redis, 3000))) log.warn('redis not ready at start; events wait until it is');

    const durables = cacheWriterDurables(ns);
    // the whole games stream: no filter, which nats-server 2.9 would rescan the stream for
    await ensureStreamDurable(ctx.jsm, { ...durables.games, ackWaitMs: 30_000, description: 'cache-writer: game keys' });
    await ensureDurable(ctx.jsm, { ...durables.polls, ackWaitMs: 30_000, description: 'cache-writer: live_state, last_poll' });
    // one transition in flight across replicas: they are written in the order they happened
    await ensureDurable(ctx.jsm, { ...durables.breaker, ackWaitMs: 30_000, maxAckPending: 1, description: 'cache-writer: circuit_breaker' });
    // an old tick asks for nothing a new one would not: start from new ones
    await ensureDurable(ctx.jsm, { ...durables.cleanup, ackWaitMs: 30_000, deliver: 'new', description: 'cache-writer: cleanup' });

    const streams = streamSpecs(ns);
    mirrors.push(
      await startMirror(ctx, {
        stream: streams.games.name,
        filter: subjects.gameChangedFilter(ns),
        onMessage: (msg) => void state.applyGame(checkGameEvent(decode(GameChanged, msg.data), msg.subject)),
      }),
      await startMirror(ctx, {
        stream: streams.polls.name,
        onMessage: (msg) => {
          if (msg.subject === subjects.pollCompleted(ns)) state.applyPoll(decode(PollCompleted, msg.data));
          else if (msg.subject === subjects.breakerChanged(ns)) state.applyBreaker(decode(BreakerChanged, msg.data), storedAtMs(msg));
        },
      }),
    );
    const seedTimeoutMs = deps.seedTimeoutMs ?? 30_000;
    let seedTimer: NodeJS.Timeout | undefined;
    const seeded = await Promise.race([
      Promise.all(mirrors.map((m) => m.seeded)).then(() => true),
      new Promise<false>((resolve) => (seedTimer = setTimeout(() => resolve(false), seedTimeoutMs))),
    ]);
    clearTimeout(seedTimer);
    if (seeded) log.info({ games: state.size }, 'cache state seeded from the streams');
    else log.warn({ games: state.size, seedTimeoutMs }, 'streams not fully read at start; continuing');

    await refresh('start');
    timer = setInterval(() => void refresh('timer'), cfg.refreshS * 1000);

    consumers.push(
      await runDurableConsumer(ctx, {
        ...durables.games,
        schema: GameChanged,
        logFields: (ev, msg) => ({
          gameId: (ev as GameChanged | undefined)?.gameId ?? gameIdOfSubject(msg.subject),
          revision: (ev as GameChanged | undefined)?.revision,
        }),
        // A batch is one pipeline of compare-and-set scripts, so the order of its events
        // does not matter; one event on its own (a batch that failed for good is retried
        // event by event, to terminate the one that breaks the contract) is the same write.
        handleBatch: async (items) => {
          for (const { event, msg } of items) checkGameEvent(event, msg.subject);
          const newest = new Map<string, GameValue>();
          for (const { event } of items) {
            const latest = cacheable(event);
            if (latest) newest.set(latest.id, latest);
          }
          if (newest.size === 0) return;
          const outcome = await store.writeGames([...newest.values()]);
          log.debug({ events: items.length, games: newest.size, ...outcome }, 'games cached');
        },
        handle: async (ev, msg) => {
          const latest = cacheable(checkGameEvent(ev, msg.subject));
          if (!latest) return;
          const result = await store.writeGame(latest);
          log.debug({ gameId: ev.gameId, revision: ev.revision, stored: latest.revision, result }, 'game cached');
        },
      }),
      await runDurableConsumer(ctx, {
        ...durables.polls,
        schema: PollCompleted,
        logFields: (ev) => ({ at: (ev as PollCompleted | undefined)?.at }),
        handle: async (ev, msg) => {
          const result = await store.writePoll(state.applyPoll(ev));
          // An unchanged poll writes live_state and last_poll, nothing else: game keys are
          // kept alive by the refresh timer, not by polls.
          log.debug({ at: ev.at, subject: msg.subject, result }, 'poll state cached');
        },
      }),
      await runDurableConsumer(ctx, {
        ...durables.breaker,
        schema: BreakerChanged,
        logFields: (ev) => ({ state: (ev as BreakerChanged | undefined)?.state }),
        handle: async (ev, msg) => {
          const result = await store.writeBreaker(state.applyBreaker(ev, storedAtMs(msg)));
          log.debug({ state: ev.state, subject: msg.subject, result }, 'breaker state cached');
        },
      }),
      await runDurableConsumer(ctx, {
        ...durables.cleanup,
        schema: CleanupTick,
        logFields: (ev) => ({ slot: (ev as CleanupTick | undefined)?.slot }),
        handle: async (tick) => {
          const expired = state.expired(now());
          let removed = 0;
          for (const { value } of expired) {
            if (await store.deleteGame(value.id, value.revision)) removed++;
            state.drop(value.id, value.revision);
          }
          log.info({ slot: tick.slot, expired: expired.length, removed, tracked: state.size }, 'cache cleanup done');
        },
      }),
    );
  } catch (err) {
    await stopAll().catch(() => undefined);
    await closeRedis(redis);
    throw err;
  }

  return {
    checks: ['redis'],
    stop: stopAll,
    close: () => closeRedis(redis),
  };
}
