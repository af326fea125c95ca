import {
  CleanupTick,
  decode,
  encode,
  msgIds,
  PollCompleted,
  PollTick,
  streamSpecs,
  subjects,
  type PollCompleted as PollCompletedT,
} from '@scores/contracts';
import { counter, gauge, type RunningService, type ServiceContext, type ServiceDefinition } from '@scores/service-kit';
import type { SchedulerConfig } from './config.js';
import { decide, nextAligned, type WorldState } from './policy.js';

/** How often the decision is revisited even without news (a kickoff may come due). */
export const REEVALUATE_MS = 30_000;

export interface SchedulerDeps {
  now?: () => number;
}

export function createSchedulerService(config: Omit<SchedulerConfig, 'common'>, deps: SchedulerDeps = {}): ServiceDefinition {
  return { name: 'scheduler', start: (ctx) => startScheduler(ctx, config, deps) };
}

/**
 * Ticks `tick.poll` on the slot the policy picks and `tick.cleanup` every 15 minutes.
 * Every tick carries Nats-Msg-Id `poll:<slot>` / `cleanup:<slot>`, so any number of
 * replicas produce one tick per slot (JetStream dedup).
 */
export async function startScheduler(
  ctx: ServiceContext,
  config: Omit<SchedulerConfig, 'common'>,
  deps: SchedulerDeps = {},
): Promise<RunningService> {
  const now = deps.now ?? Date.now;
  const { log, js, ns } = ctx;
  const ticks = counter(ctx.registry, {
    name: 'scores_ticks_published_total',
    help: 'Ticks published by this scheduler (duplicates from other replicas are dropped by JetStream)',
    labelNames: ['kind', 'duplicate'],
  });
  const intervalGauge = gauge(ctx.registry, { name: 'scores_poll_interval_seconds', help: 'Current poll interval' });

  let world: WorldState | undefined;
  let worldAt = 0;
  let stopped = false;
  let pollTimer: NodeJS.Timeout | undefined;
  let cleanupTimer: NodeJS.Timeout | undefined;
  let scheduledFor = 0;
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>) => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    return p;
  };

  const adopt = (p: PollCompletedT) => {
    const at = Date.parse(p.at);
    if (at < worldAt) return false;
    worldAt = at;
    world = { hasLiveGames: p.hasLiveGames, nextKickoff: p.nextKickoff };
    return true;
  };

  // The last poll.completed before we started, so a restart does not forget the state.
  try {
    const last = await ctx.jsm.streams.getMessage(streamSpecs(ns).polls.name, { last_by_subj: subjects.pollCompleted(ns) });
    if (last) adopt(decode(PollCompleted, last.data));
  } catch (err) {
    log.warn({ err }, 'could not read the last poll.completed; starting from unknown');
  }

  const publishTick = async (slotMs: number, intervalS: number, reason: PollTick['reason']) => {
    const slot = new Date(slotMs).toISOString();
    for (let attempt = 1; ; attempt++) {
      try {
        const ack = await js.publish(subjects.tickPoll(ns), encode(PollTick, { slot, intervalS, reason }), {
          msgID: msgIds.pollTick(slot),
        });
        ticks.inc({ kind: 'poll', duplicate: String(ack.duplicate) });
        log.debug({ slot, intervalS, reason, duplicate: ack.duplicate }, 'poll tick');
        return;
      } catch (err) {
        if (attempt >= 3 || stopped) {
          log.error({ err, slot }, 'poll tick not published');
          return;
        }
        await new Promise((r) => setTimeout(r, 500 * attempt));
      }
    }
  };

  const schedulePoll = () => {
    if (stopped) return;
    const t = now();
    const d = decide(world, t, config.intervals);
    intervalGauge.set(d.intervalS);
    if (d.nextSlotMs === scheduledFor) return;
    clearTimeout(pollTimer);
    scheduledFor = d.nextSlotMs;
    pollTimer = setTimeout(() => {
      const slotMs = scheduledFor;
      scheduledFor = 0;
      const current = decide(world, slotMs - 1, config.intervals);
      void track(publishTick(slotMs, current.intervalS, current.reason)).finally(schedulePoll);
    }, Math.max(0, d.nextSlotMs - t));
  };

  const scheduleCleanup = () => {
    if (stopped) return;
    const step = config.cleanupS * 1000;
    const t = now();
    const slotMs = nextAligned(t, step);
    cleanupTimer = setTimeout(() => {
      const slot = new Date(slotMs).toISOString();
      void track(
        js
          .publish(subjects.tickCleanup(ns), encode(CleanupTick, { slot }), { msgID: msgIds.cleanupTick(slot) })
          .then((ack) => ticks.inc({ kind: 'cleanup', duplicate: String(ack.duplicate) }))
          .catch((err: unknown) => log.error({ err, slot }, 'cleanup tick not published')),
      ).finally(scheduleCleanup);
    }, slotMs - t);
  };

  // Every replica hears every poll.completed (core subscription on the stream's subject).
  const sub = ctx.nc.subscribe(subjects.pollCompleted(ns), {
    callback: (err, msg) => {
      if (err) return;
      try {
        if (adopt(decode(PollCompleted, msg.data))) schedulePoll();
      } catch (e) {
        log.warn({ err: e, subject: msg.subject }, 'poll.completed refused');
      }
    },
  });

  schedulePoll();
  scheduleCleanup();
  const reevaluate = setInterval(schedulePoll, REEVALUATE_MS);
  log.info({ intervals: config.intervals, world }, 'scheduler started');

  return {
    async stop() {
      stopped = true;
      clearTimeout(pollTimer);
      clearTimeout(cleanupTimer);
      clearInterval(reevaluate);
      sub.unsubscribe();
      await Promise.allSettled(inFlight);
    },
  };
}
