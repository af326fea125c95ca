import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CleanupTick, decode, encode, PollCompleted, PollTick, streamSpecs, subjects } from '@scores/contracts';
import { freshNamespace, readStream, testContext, waitFor } from '@scores/testkit';
import { startScheduler } from '../src/scheduler.js';

type Ctx = Awaited<ReturnType<typeof testContext>>;

async function ticksIn(ctx: Ctx, subject: string): Promise<{ tick: PollTick; msgId: string | undefined }[]> {
  const msgs = await readStream(ctx, streamSpecs(ctx.ns).ticks.name, subject);
  return msgs.map((m) => ({ tick: decode(PollTick, m.data), msgId: m.headers?.get('Nats-Msg-Id') }));
}

describe('scheduler on real NATS', () => {
  const ns = freshNamespace('sched');
  let a: Ctx;
  let b: Ctx;
  beforeAll(async () => {
    a = await testContext(ns, { name: 'sched-a' });
    b = await testContext(ns, { name: 'sched-b', keep: true });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('two schedulers produce exactly one tick per slot', async () => {
    const intervals = { liveS: 1, idleS: 1, offseasonS: 1 };
    const s1 = await startScheduler(a, { intervals, cleanupS: 1 });
    const s2 = await startScheduler(b, { intervals, cleanupS: 1 });
    await waitFor(async () => (await ticksIn(a, subjects.tickPoll(ns))).length >= 4, { timeoutMs: 15_000 });
    await s1.stop();
    await s2.stop();

    const polls = await ticksIn(a, subjects.tickPoll(ns));
    const slots = polls.map((p) => p.tick.slot);
    expect(new Set(slots).size).toBe(slots.length);
    for (const p of polls) expect(p.msgId).toBe(`poll:${p.tick.slot}`);
    // both replicas published every slot; JetStream kept one
    const metrics = (await a.registry.getSingleMetricAsString('scores_ticks_published_total')) +
      (await b.registry.getSingleMetricAsString('scores_ticks_published_total'));
    expect(metrics).toMatch(/kind="poll",duplicate="true"/);

    const cleanups = (await readStream(a, streamSpecs(ns).ticks.name, subjects.tickCleanup(ns))).map(
      (m) => decode(CleanupTick, m.data).slot,
    );
    expect(cleanups.length).toBeGreaterThan(0);
    expect(new Set(cleanups).size).toBe(cleanups.length);
  });

  it('adjusts the interval from poll.completed', async () => {
    const ns2 = freshNamespace('sched2');
    const ctx = await testContext(ns2);
    try {
      // offseason: an hour between ticks; then a poll says games are live -> 1 s ticks
      const intervals = { liveS: 1, idleS: 1800, offseasonS: 3600 };
      const completed: PollCompleted = {
        at: new Date().toISOString(),
        leagues: ['football/nfl'],
        gamesSeen: 0,
        changed: 0,
        liveGameCount: 0,
        hasLiveGames: false,
        nextKickoff: null,
        durationMs: 5,
      };
      await ctx.js.publish(subjects.pollCompleted(ns2), encode(PollCompleted, completed));
      const s = await startScheduler(ctx, { intervals, cleanupS: 3600 });
      await new Promise((r) => setTimeout(r, 1500));
      expect(await ticksIn(ctx, subjects.tickPoll(ns2))).toHaveLength(0);

      await ctx.js.publish(
        subjects.pollCompleted(ns2),
        encode(PollCompleted, { ...completed, at: new Date().toISOString(), hasLiveGames: true, liveGameCount: 3 }),
      );
      const ticks = await waitFor(async () => {
        const t = await ticksIn(ctx, subjects.tickPoll(ns2));
        return t.length >= 2 ? t : undefined;
      });
      expect(ticks[0]!.tick.reason).toBe('live');
      expect(ticks[0]!.tick.intervalS).toBe(1);
      await s.stop();
    } finally {
      await ctx.close();
    }
  });
});
