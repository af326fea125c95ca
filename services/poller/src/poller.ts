import { Kvm, type KV } from '@nats-io/kv';
import type { Msg } from '@nats-io/transport-node';
import {
  BreakerChanged,
  bucketNames,
  check,
  consumerNames,
  ContractError,
  decode,
  encode,
  msgIds,
  PollCompleted,
  PollNowReply,
  PollNowRequest,
  PollTick,
  streamSpecs,
  subjects,
  SyncProgress,
  SyncReply,
  SyncRequest,
  type Game,
} from '@scores/contracts';
import {
  counter,
  daysBetween,
  gauge,
  histogram,
  ensureDurable,
  isDay,
  runDurableConsumer,
  type RunningService,
  type ServiceContext,
  type ServiceDefinition,
} from '@scores/service-kit';
import { BreakerOpenError, createPollBreaker, type BreakerStore, type PollBreaker, type StoredBreaker } from './breaker.js';
import type { LeagueRef, PollerConfig } from './config.js';
import { createEspnClient, EspnRequestError, type EspnClient } from './espn/client.js';
import { findingsOf, NO_FINDINGS, pollFindings, type ResponseFindings } from './espn/findings.js';
import { parseScoreboard, type ParsedScoreboard } from './espn/parse.js';
import { leagueKey, mapLimit, planPoll, summarise, type PlannedRequest } from './games/plan.js';
import { publishIfChanged } from './games/publish.js';
import { isWrongLastSequence, RevisionStore } from './games/revisions.js';

const KEYS = { lastPoll: 'last_poll', futurePoll: 'future_poll', breaker: 'breaker' } as const;
const PUBLISH_CONCURRENCY = 16;
/** How long a tick held by a dead poller blocks polling (was 120 s: two minutes without polls). */
const TICK_ACK_WAIT_MS = 15_000;
const MAX_SYNC_DAYS = 400;

export type PollTrigger = 'tick' | 'poll-now' | 'sync';

/** A poll that ran but in which at least one request to ESPN failed: a failure for the breaker. */
class PollFailedError extends Error {
  override readonly name = 'PollFailedError';
  constructor(readonly summary: PollCompleted) {
    super(`${summary.failedRequests} of ${summary.requests} ESPN requests failed`);
  }
}

export interface PollerDeps {
  now?: () => number;
  /** replaces the ESPN client (tests) */
  client?: EspnClient;
}

export function createPollerService(config: Omit<PollerConfig, 'common'>, deps: PollerDeps = {}): ServiceDefinition {
  return { name: 'poller', start: (ctx) => startPoller(ctx, config, deps) };
}

function kvBreakerStore(kv: KV): BreakerStore {
  return {
    async load() {
      const e = await kv.get(KEYS.breaker);
      return e && e.operation === 'PUT' ? e.json<StoredBreaker>() : undefined;
    },
    async save(value) {
      await kv.put(KEYS.breaker, JSON.stringify(value));
    },
  };
}

export async function startPoller(
  ctx: ServiceContext,
  config: Omit<PollerConfig, 'common'>,
  deps: PollerDeps = {},
): Promise<RunningService & { pollNow(req?: PollNowRequest): Promise<PollNowReply> }> {
  const { ns, js, log } = ctx;
  const now = deps.now ?? Date.now;
  const metrics = {
    polls: counter(ctx.registry, { name: 'scores_polls_total', help: 'Polls by trigger and outcome (ok, failed, skipped)', labelNames: ['trigger', 'outcome'] }),
    pollSeconds: histogram(ctx.registry, { name: 'scores_poll_seconds', help: 'Duration of a poll', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60] }),
    published: counter(ctx.registry, { name: 'scores_events_published_total', help: 'Events published by the poller', labelNames: ['type'] }),
    malformed: counter(ctx.registry, { name: 'scores_espn_malformed_events_total', help: 'ESPN events skipped as malformed', labelNames: ['league'] }),
    suspicious: counter(ctx.registry, { name: 'scores_espn_suspicious_total', help: 'Suspicious ESPN answers (exactly 25 events, finals without scores)', labelNames: ['league', 'reason'] }),
    lastPoll: gauge(ctx.registry, { name: 'scores_last_poll_timestamp_seconds', help: 'When the last poll attempt started' }),
    lastSuccess: gauge(ctx.registry, { name: 'scores_last_successful_poll_timestamp_seconds', help: 'When the last successful poll started' }),
    breakerState: gauge(ctx.registry, { name: 'scores_breaker_state', help: 'ESPN breaker: 0 closed, 1 half-open, 2 open' }),
    tracked: gauge(ctx.registry, { name: 'scores_games_tracked', help: 'Games whose last revision this poller holds' }),
  };

  const kvm = new Kvm(ctx.nc);
  const buckets = bucketNames(ns);
  const replicas = ctx.jetstreamReplicas ?? 1;
  const pollerKv = await kvm.create(buckets.poller, { history: 1, replicas, description: 'poller coordination: last poll, breaker' });
  const store = await RevisionStore.open(ctx.nc, buckets.revisions, log, replicas);
  const client = deps.client ?? createEspnClient(config.espn, { log, registry: ctx.registry });

  const publishBreaker = (event: BreakerChanged) => {
    metrics.breakerState.set(event.state === 'closed' ? 0 : event.state === 'half-open' ? 1 : 2);
    log.warn({ breaker: event }, 'breaker changed');
    js.publish(subjects.breakerChanged(ns), encode(BreakerChanged, event), {
      msgID: msgIds.breakerChanged(event.state, event.at ?? new Date(now()).toISOString()),
    })
      .then(() => metrics.published.inc({ type: 'breaker.changed' }))
      .catch((err: unknown) => log.error({ err, breaker: event }, 'breaker.changed not published'));
  };
  const breaker: PollBreaker = createPollBreaker({
    failures: config.breaker.failures,
    openS: config.breaker.openS,
    store: kvBreakerStore(pollerKv),
    onTransition: publishBreaker,
  });

  let stopping = false;
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => undefined);
    return p;
  };

  /** Last-poll protection shared by replicas: compare-and-set on the KV entry. */
  const acquire = async (at: number, force: boolean): Promise<string | undefined> => {
    const e = await pollerKv.get(KEYS.lastPoll);
    const last = e && e.operation === 'PUT' ? e.json<{ at: number }>().at : undefined;
    if (!force && last !== undefined && at - last < config.minGapS * 1000) return 'recent-poll';
    try {
      const value = JSON.stringify({ at });
      if (e) await pollerKv.update(KEYS.lastPoll, value, e.revision);
      else await pollerKv.create(KEYS.lastPoll, value);
      return undefined;
    } catch (err) {
      if (isWrongLastSequence(err)) return 'busy';
      throw err;
    }
  };

  // The future days' last poll only moves forward: while the last one this replica knows
  // of is recent enough, the shared one is too, and the KV need not be read.
  let futureKnownAt = 0;
  const futureDue = async (at: number): Promise<boolean> => {
    if (at - futureKnownAt < config.idleS * 1000) return false;
    const e = await pollerKv.get(KEYS.futurePoll);
    const last = e && e.operation === 'PUT' ? e.json<{ at: number }>().at : 0;
    futureKnownAt = Math.max(futureKnownAt, last);
    return at - last >= config.idleS * 1000;
  };

  interface FetchResult {
    req: PlannedRequest;
    games: Game[];
    findings: ResponseFindings;
    error?: string;
  }

  // An answer identical to the last one to the same URL parses to the same games: most
  // polls of a quiet day cost no parsing at all. It is still an answer received, so it
  // is reported (counted) like the first one; see report().
  const parsedByUrl = new Map<string, ParsedScoreboard>();

  /**
   * Counts every response received, repeats included (an exactly-25 answer is also one
   * warn line each time); the line per malformed or held-back event is logged once per
   * distinct answer, since a repeat would log the very same lines every poll.
   */
  const report = (req: PlannedRequest, url: string, parsed: ParsedScoreboard, repeat: boolean): ResponseFindings => {
    const league = leagueKey(req.league);
    const findings = findingsOf(parsed);
    if (findings.capped) {
      metrics.suspicious.inc({ league, reason: 'exactly-25' });
      log.warn({ league, day: req.day, url, events: parsed.eventCount, repeat }, 'ESPN answered exactly 25 events: possibly truncated');
    }
    if (findings.malformed > 0) metrics.malformed.inc({ league }, findings.malformed);
    if (findings.finalsWithoutScores > 0) {
      metrics.suspicious.inc({ league, reason: 'final-without-scores' }, findings.finalsWithoutScores);
    }
    if (!repeat) {
      for (const m of parsed.malformed) {
        log.warn({ league, day: req.day, gameId: m.eventId, reason: m.reason }, 'malformed ESPN event skipped');
      }
      for (const s of parsed.suspicious) {
        log.warn({ league, day: req.day, gameId: s.eventId, reason: s.reason }, 'suspicious ESPN event held back');
      }
    }
    return findings;
  };

  /** Fetches and parses one league-day; never throws. */
  const fetchOne = async (req: PlannedRequest): Promise<FetchResult> => {
    const league = leagueKey(req.league);
    try {
      const res = await client.fetchDay(req.league, req.day);
      const cached = res.unchanged ? parsedByUrl.get(res.url) : undefined;
      // The client now holds this answer as the URL's last one. A parse of an earlier
      // answer must not stand for it: were this one unusable, its repeats would come back
      // "unchanged" and pass as the earlier good games, and the breaker would never open.
      if (!cached) parsedByUrl.delete(res.url);
      const parsed = cached ?? parseScoreboard(res.body, req.league);
      parsedByUrl.delete(res.url);
      parsedByUrl.set(res.url, parsed);
      if (parsedByUrl.size > 64) parsedByUrl.delete(parsedByUrl.keys().next().value!);
      return { req, games: parsed.games, findings: report(req, res.url, parsed, cached !== undefined) };
    } catch (err) {
      const fields = err instanceof EspnRequestError ? { code: err.code, status: err.extra.status } : {};
      log.warn({ err, league, day: req.day, ...fields }, 'ESPN request failed');
      return { req, games: [], findings: NO_FINDINGS, error: err instanceof Error ? err.message : String(err) };
    }
  };

  // The games of an answer (one parse, see parsedByUrl) and the revision records they left
  // once every one of them was published or found unchanged. The same games again with the
  // same records cannot have changed: a repeated answer then costs no comparison at all.
  const settled = new WeakMap<Game[], string>();
  const recordsOf = (games: Game[]): string => games.map((g) => store.get(g.id)?.record.seq ?? 0).join(',');

  /** Publishes every changed game; returns how many were published. */
  const publishAll = async (games: Game[]): Promise<number> => {
    if (settled.get(games) === recordsOf(games)) return 0;
    let failed = false;
    const unique = [...new Map(games.map((g) => [g.id, g])).values()];
    const outcomes = await mapLimit(unique, PUBLISH_CONCURRENCY, async (game) => {
      try {
        const r = await publishIfChanged({ ns, js, jsm: ctx.jsm, store, now }, game);
        if (r.published) {
          metrics.published.inc({ type: 'game.changed' });
          log.info({ gameId: game.id, revision: r.event.revision, changed: r.event.changed, seq: r.seq }, 'game changed');
        }
        return r.published;
      } catch (err) {
        failed = true;
        log.error({ err, gameId: game.id }, 'game.changed not published');
        return false;
      }
    });
    metrics.tracked.set(store.size);
    if (failed) settled.delete(games);
    else settled.set(games, recordsOf(games));
    return outcomes.filter(Boolean).length;
  };

  const runPoll = async (at: number, trigger: PollTrigger): Promise<PollCompleted> => {
    const includeFuture = await futureDue(at);
    const records = [...store.values()].map((s) => s.record);
    const plan = planPoll({ now: at, leagues: config.espn.leagues, records, includeFuture });
    // Each league-day is published as soon as it is parsed: today's changes never wait
    // for the next seven days' answers (or a slow one) to come back.
    const results = await mapLimit(plan, config.espn.concurrency, async (req) => {
      const r = await fetchOne(req);
      return { ...r, changed: await publishAll(r.games) };
    });
    const failed = results.filter((r) => r.error !== undefined);
    const games = results.flatMap((r) => r.games);
    const changed = results.reduce((n, r) => n + r.changed, 0);
    if (includeFuture && !results.some((r) => r.req.future && r.error)) {
      await pollerKv.put(KEYS.futurePoll, JSON.stringify({ at }));
      futureKnownAt = Math.max(futureKnownAt, at);
    }
    const summary = summarise({ now: at, leagues: config.espn.leagues, records: [...store.values()].map((s) => s.record) });
    const completed: PollCompleted = {
      at: new Date(at).toISOString(),
      leagues: config.espn.leagues.map(leagueKey),
      gamesSeen: new Set(games.map((g) => g.id)).size,
      changed,
      liveGameCount: summary.liveGameCount,
      hasLiveGames: summary.liveGameCount > 0,
      nextKickoff: summary.nextKickoff,
      durationMs: Math.round(now() - at),
      ok: failed.length === 0,
      requests: plan.length,
      failedRequests: failed.length,
      ...pollFindings(results.map((r) => r.findings)),
      trigger,
    };
    try {
      await js.publish(subjects.pollCompleted(ns), encode(PollCompleted, completed));
      metrics.published.inc({ type: 'poll.completed' });
    } catch (err) {
      log.error({ err }, 'poll.completed not published');
    }
    if (failed.length) throw new PollFailedError(completed);
    return completed;
  };

  /** One poll, as a tick or poll-now asks: protection, breaker, requests, events. */
  const poll = async (trigger: PollTrigger, force = false): Promise<PollNowReply> => {
    const at = now();
    const loaded = await breaker.load();
    const b = loaded.snapshot;
    metrics.breakerState.set(b.state === 'closed' ? 0 : b.state === 'half-open' ? 1 : 2);
    if (b.state === 'open' && b.retryAt && Date.parse(b.retryAt) > at) {
      metrics.polls.inc({ trigger, outcome: 'skipped' });
      log.info({ trigger, retryAt: b.retryAt }, 'poll skipped: breaker open');
      return { ok: true, polled: false, skipped: 'breaker-open' };
    }
    const refused = await acquire(at, force);
    if (refused) {
      metrics.polls.inc({ trigger, outcome: 'skipped' });
      log.debug({ trigger, reason: refused }, 'poll skipped');
      return { ok: true, polled: false, skipped: refused };
    }
    metrics.lastPoll.set(at / 1000);
    const end = metrics.pollSeconds.startTimer();
    try {
      const done = await breaker.run(() => runPoll(at, trigger), loaded);
      metrics.polls.inc({ trigger, outcome: 'ok' });
      metrics.lastSuccess.set(at / 1000);
      log.info({ trigger, gamesSeen: done.gamesSeen, changed: done.changed, live: done.liveGameCount, durationMs: done.durationMs }, 'poll completed');
      return { ok: true, polled: true, gamesSeen: done.gamesSeen, changed: done.changed, durationMs: done.durationMs };
    } catch (err) {
      if (err instanceof BreakerOpenError) {
        metrics.polls.inc({ trigger, outcome: 'skipped' });
        return { ok: true, polled: false, skipped: 'breaker-open' };
      }
      metrics.polls.inc({ trigger, outcome: 'failed' });
      if (err instanceof PollFailedError) {
        const s = err.summary;
        log.warn({ trigger, failedRequests: s.failedRequests, requests: s.requests, changed: s.changed }, 'poll failed');
        return { ok: false, polled: true, gamesSeen: s.gamesSeen, changed: s.changed, durationMs: s.durationMs, error: err.message };
      }
      log.error({ err, trigger }, 'poll failed');
      return { ok: false, polled: true, error: err instanceof Error ? err.message : String(err) };
    } finally {
      end();
    }
  };

  /** Every game of a date range, day by day; publishes what it has not seen (or what changed). */
  const sync = async (req: SyncRequest): Promise<SyncReply> => {
    const t0 = now();
    if (!isDay(req.from) || !isDay(req.to) || req.from > req.to) {
      return { ok: false, days: 0, requests: 0, gamesSeen: 0, published: 0, failed: [], durationMs: 0, error: 'from and to must be dates (YYYY-MM-DD) with from <= to' };
    }
    const days = daysBetween(req.from, req.to);
    if (days.length > MAX_SYNC_DAYS) {
      return { ok: false, days: 0, requests: 0, gamesSeen: 0, published: 0, failed: [], durationMs: 0, error: `at most ${MAX_SYNC_DAYS} days at once` };
    }
    const leagues: LeagueRef[] = req.leagues
      ? req.leagues.map((p) => ({ sport: p.split('/')[0]!, league: p.split('/')[1]! }))
      : config.espn.leagues;
    const plan = leagues.flatMap((league) => days.map((day) => ({ league, day, future: false })));
    let done = 0;
    let gamesSeen = 0;
    let published = 0;
    const failed: SyncReply['failed'] = [];
    await mapLimit(plan, config.espn.concurrency, async (r) => {
      if (stopping) return;
      const res = await fetchOne(r);
      const n = await publishAll(res.games);
      done++;
      gamesSeen += res.games.length;
      published += n;
      if (res.error) failed.push({ league: leagueKey(r.league), day: r.day, error: res.error });
      if (req.progressSubject) {
        const p: SyncProgress = { done, total: plan.length, league: leagueKey(r.league), day: r.day, gamesSeen, published, ...(res.error ? { error: res.error } : {}) };
        ctx.nc.publish(req.progressSubject, encode(SyncProgress, p));
      }
    });
    log.info({ from: req.from, to: req.to, requests: plan.length, gamesSeen, published, failed: failed.length }, 'sync done');
    return { ok: failed.length === 0, days: days.length, requests: plan.length, gamesSeen, published, failed, durationMs: now() - t0 };
  };

  // Ticks: one durable shared by every replica, one tick in flight across all of them.
  // The tick a poller holds blocks every other tick, so a poller that dies inside a poll
  // must lose it quickly: a short ack wait, renewed while the poll runs.
  const stream = streamSpecs(ns).ticks.name;
  const durable = consumerNames(ns).pollerTicks;
  await ensureDurable(ctx.jsm, {
    stream,
    durable,
    filterSubject: subjects.tickPoll(ns),
    ackWaitMs: TICK_ACK_WAIT_MS,
    maxAckPending: 1,
    deliver: 'new',
    description: 'poll ticks, shared by poller replicas',
  });
  const ticks = await runDurableConsumer(ctx, {
    stream,
    durable,
    schema: PollTick,
    logFields: (t) => ({ slot: (t as PollTick | undefined)?.slot }),
    handle: async (tick, msg) => {
      const age = now() - Date.parse(tick.slot);
      if (age > Math.max(2 * tick.intervalS * 1000, 120_000)) {
        log.info({ slot: tick.slot, ageMs: age }, 'stale tick skipped');
        return;
      }
      const keepAlive = setInterval(() => msg.working(), TICK_ACK_WAIT_MS / 3);
      try {
        await track(poll('tick'));
      } finally {
        clearInterval(keepAlive);
      }
    },
  });

  // Admin request/reply: one replica answers each request (queue group).
  const respond = (msg: Msg, body: unknown) => {
    if (msg.reply) msg.respond(JSON.stringify(body));
  };
  const adminError = (msg: Msg, err: unknown) => {
    const e = err as Error;
    const code = err instanceof ContractError ? 'BAD_REQUEST' : 'FAILED';
    log.warn({ err, subject: msg.subject }, 'admin request refused');
    respond(msg, { ok: false, code, error: e?.message ?? String(err) });
  };
  const parseBody = <T>(msg: Msg, schema: Parameters<typeof check>[0]): T => {
    const text = msg.data.length ? new TextDecoder().decode(msg.data) : '{}';
    return decode(schema, text) as T;
  };
  const pollNowSub = ctx.nc.subscribe(subjects.adminPollNow(ns), {
    queue: 'poller',
    callback: (_err, msg) => {
      if (stopping) return adminError(msg, new Error('shutting down'));
      let req: PollNowRequest;
      try {
        req = parseBody<PollNowRequest>(msg, PollNowRequest);
      } catch (err) {
        return adminError(msg, err);
      }
      void track(poll('poll-now', req.force ?? false))
        .then((r) => respond(msg, r))
        .catch((err: unknown) => adminError(msg, err));
    },
  });
  const syncSub = ctx.nc.subscribe(subjects.adminSync(ns), {
    queue: 'poller',
    callback: (_err, msg) => {
      if (stopping) return adminError(msg, new Error('shutting down'));
      let req: SyncRequest;
      try {
        req = parseBody<SyncRequest>(msg, SyncRequest);
      } catch (err) {
        return adminError(msg, err);
      }
      void track(sync(req))
        .then((r) => respond(msg, r))
        .catch((err: unknown) => adminError(msg, err));
    },
  });

  log.info({ leagues: config.espn.leagues.map(leagueKey), games: store.size }, 'poller started');
  return {
    pollNow: (req = {}) => track(poll('poll-now', req.force ?? false)),
    async stop() {
      stopping = true;
      pollNowSub.unsubscribe();
      syncSub.unsubscribe();
      await ticks.stop();
      await Promise.allSettled(inFlight);
      store.close();
      breaker.dispose();
      client.dispose();
    },
  };
}
