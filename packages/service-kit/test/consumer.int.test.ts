import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CleanupTick, encode, streamSpecs, subjects } from '@scores/contracts';
import { freshNamespace, testContext, waitFor } from '../../testkit/src/index.js'; // testkit depends on service-kit
import { ServiceError } from '../src/errors.js';
import { ensureDurable } from '../src/jetstream.js';
import { runDurableConsumer } from '../src/consumer.js';

describe('durable consumer', () => {
  let ctx: Awaited<ReturnType<typeof testContext>>;
  const ns = freshNamespace('kit');
  const stream = streamSpecs(ns).ticks.name;

  beforeAll(async () => {
    ctx = await testContext(ns);
    await ensureDurable(ctx.jsm, { stream, durable: 'd1', filterSubject: subjects.tickCleanup(ns), ackWaitMs: 5000 });
  });
  afterAll(() => ctx.close());

  it('acks after the handler, naks a transient failure, terminates what can never apply', async () => {
    const seen: string[] = [];
    let failOnce = true;
    const c = await runDurableConsumer(ctx, {
      stream,
      durable: 'd1',
      schema: CleanupTick,
      retryDelayMs: () => 50,
      handle: async (tick) => {
        if (tick.slot.startsWith('2026-01-02') && failOnce) {
          failOnce = false;
          throw new Error('database down');
        }
        if (tick.slot.startsWith('2026-01-03')) throw new ServiceError('NEVER', 'can never apply', { retryable: false });
        seen.push(tick.slot);
      },
    });
    const subj = subjects.tickCleanup(ns);
    await ctx.js.publish(subj, encode(CleanupTick, { slot: '2026-01-01T00:00:00.000Z' }));
    await ctx.js.publish(subj, encode(CleanupTick, { slot: '2026-01-02T00:00:00.000Z' }));
    await ctx.js.publish(subj, new TextEncoder().encode('{"slot": 7}'));
    await ctx.js.publish(subj, encode(CleanupTick, { slot: '2026-01-03T00:00:00.000Z' }));
    await waitFor(() => seen.length === 2);
    expect(seen.sort()).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z']);
    await waitFor(async () => (await ctx.jsm.consumers.info(stream, 'd1')).num_ack_pending === 0);
    const info = await ctx.jsm.consumers.info(stream, 'd1');
    expect(info.num_pending).toBe(0);
    const metrics = await ctx.registry.getSingleMetricAsString('scores_events_consumed_total');
    expect(metrics).toMatch(/outcome="term"} 2/);
    expect(metrics).toMatch(/outcome="nak"} 1/);
    await c.stop();
  });
});

describe('graceful stop of a durable consumer', () => {
  let ctx: Awaited<ReturnType<typeof testContext>>;
  const ns = freshNamespace('kitstop');
  const stream = streamSpecs(ns).ticks.name;

  beforeAll(async () => {
    ctx = await testContext(ns);
    await ensureDurable(ctx.jsm, { stream, durable: 'd2', filterSubject: subjects.tickCleanup(ns), ackWaitMs: 30_000 });
  });
  afterAll(() => ctx.close());

  it('loses no event when a consumer is stopped mid-stream and another takes over', async () => {
    const total = 300;
    const subj = subjects.tickCleanup(ns);
    for (let i = 0; i < total; i++) {
      await ctx.js.publish(subj, encode(CleanupTick, { slot: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() }));
    }
    const applied = new Set<string>();
    let handledByFirst = 0;
    const first = await runDurableConsumer(ctx, {
      stream,
      durable: 'd2',
      schema: CleanupTick,
      concurrency: 4,
      handle: async (t) => {
        await new Promise((r) => setTimeout(r, 5)); // a write in flight
        applied.add(t.slot);
        handledByFirst++;
      },
    });
    await waitFor(() => handledByFirst >= 50);
    await first.stop(); // mid-stream: in-flight writes finish and are acked, the rest is handed back
    const stoppedAt = applied.size;
    expect(stoppedAt).toBeLessThan(total);

    const second = await runDurableConsumer(ctx, {
      stream,
      durable: 'd2',
      schema: CleanupTick,
      handle: async (t) => {
        applied.add(t.slot);
      },
    });
    // fetched-but-unstarted messages were nak'ed, so they come back at once, not after ack_wait
    await waitFor(() => applied.size === total, { timeoutMs: 15_000 });
    await waitFor(async () => {
      const info = await ctx.jsm.consumers.info(stream, 'd2');
      return info.num_pending === 0 && info.num_ack_pending === 0;
    });
    await second.stop();
  });
});
