import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CleanupTick, encode, streamSpecs, subjects } from '@scores/contracts';
import { freshNamespace, quietPeriod, testContext, waitFor } from '../../testkit/src/index.js'; // testkit depends on service-kit
import { ServiceError } from '../src/errors.js';
import { ensureDurable, ensureStreamDurable } from '../src/jetstream.js';
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

describe('a durable consumer in batch mode', () => {
  let ctx: Awaited<ReturnType<typeof testContext>>;
  const ns = freshNamespace('kitbatch');
  const stream = streamSpecs(ns).ticks.name;
  const subj = subjects.tickCleanup(ns);
  const slot = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
  const publish = async (from: number, to: number) => {
    for (let i = from; i < to; i++) await ctx.js.publish(subj, encode(CleanupTick, { slot: slot(i) }));
  };
  /** a durable of its own that sees only what is published from now on */
  const durable = async (name: string, ackWaitMs = 30_000) => {
    await ensureDurable(ctx.jsm, { stream, durable: name, filterSubject: subj, ackWaitMs, deliver: 'new' });
    return name;
  };
  const drained = (name: string) =>
    waitFor(async () => {
      const info = await ctx.jsm.consumers.info(stream, name);
      return info.num_pending === 0 && info.num_ack_pending === 0;
    });
  const outcomes = async (name: string) => {
    const { values } = await ctx.registry.getSingleMetric('scores_events_consumed_total')!.get();
    const of = (outcome: string) => values.find((v) => v.labels.consumer === name && v.labels.outcome === outcome)?.value ?? 0;
    return { ack: of('ack'), nak: of('nak'), term: of('term') };
  };

  beforeAll(async () => {
    ctx = await testContext(ns);
  });
  afterAll(() => ctx.close());

  it('applies what arrived meanwhile as one batch, in stream order, and acks every message', async () => {
    const name = await durable('b-order');
    await publish(0, 300);
    const batches: string[][] = [];
    const c = await runDurableConsumer(ctx, {
      stream,
      durable: name,
      schema: CleanupTick,
      maxBatch: 64,
      handle: () => Promise.reject(new Error('batch mode applies through handleBatch')),
      handleBatch: async (items) => {
        await new Promise((r) => setTimeout(r, 10)); // a write: what arrives meanwhile waits for the next batch
        batches.push(items.map((i) => i.event.slot));
      },
    });
    await waitFor(() => batches.flat().length === 300);
    await drained(name);
    await c.stop();
    expect(batches.flat()).toEqual(Array.from({ length: 300 }, (_, i) => slot(i)));
    expect(Math.max(...batches.map((b) => b.length))).toBe(64);
    expect(batches.length).toBeLessThan(300 / 8); // batched, not one by one
    expect(await outcomes(name)).toEqual({ ack: 300, nak: 0, term: 0 });
  });

  it('applies up to `concurrency` batches at once, each event once, and stop waits for them all', async () => {
    const name = await durable('b-concurrent');
    await publish(0, 400);
    const applied: string[] = [];
    let inFlight = 0;
    let most = 0;
    let stopped = false;
    let afterStop = 0;
    const c = await runDurableConsumer(ctx, {
      stream,
      durable: name,
      schema: CleanupTick,
      maxBatch: 25,
      concurrency: 3,
      handle: () => Promise.reject(new Error('batch mode applies through handleBatch')),
      handleBatch: async (items) => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 15));
        inFlight--;
        applied.push(...items.map((i) => i.event.slot));
        if (stopped) afterStop++;
      },
    });
    await waitFor(() => applied.length >= 200);
    const stopping = c.stop();
    stopped = true;
    await stopping;
    expect(inFlight).toBe(0); // stop resolved only once every batch in flight had committed
    expect(most).toBe(3);
    // the rest, handed back, applied by the next consumer
    const second = await runDurableConsumer(ctx, {
      stream,
      durable: name,
      schema: CleanupTick,
      concurrency: 3,
      handle: () => Promise.reject(new Error('batch mode applies through handleBatch')),
      handleBatch: async (items) => {
        applied.push(...items.map((i) => i.event.slot));
      },
    });
    await waitFor(() => new Set(applied).size === 400);
    await drained(name);
    await second.stop();
    expect(applied.length).toBe(400); // none applied twice
    expect(afterStop).toBeLessThanOrEqual(3);
  });

  it('applies a lone event at once, without waiting for a batch to fill', async () => {
    const name = await durable('b-lone');
    const batches: number[] = [];
    const c = await runDurableConsumer(ctx, {
      stream,
      durable: name,
      schema: CleanupTick,
      handle: async () => undefined,
      handleBatch: async (items) => {
        batches.push(items.length);
      },
    });
    await quietPeriod(300); // the consumer is idle, its pull waiting at the server
    const t0 = Date.now();
    await publish(0, 1);
    await waitFor(() => batches.length === 1, { intervalMs: 2 });
    // the pull waits up to 1 s for a batch that will never fill: applied well before that
    expect(Date.now() - t0).toBeLessThan(500);
    expect(batches).toEqual([1]);
    await c.stop();
  });

  it('terminates a poison event of a batch and still applies the others', async () => {
    const name = await durable('b-poison');
    const poison = slot(7);
    await publish(0, 7);
    await ctx.js.publish(subj, new TextEncoder().encode('{"slot": 7}')); // breaks the contract: never reaches a batch
    await publish(7, 20);
    const applied: string[] = [];
    let poisonAmong = 0;
    const c = await runDurableConsumer(ctx, {
      stream,
      durable: name,
      schema: CleanupTick,
      handle: async (t) => {
        if (t.slot === poison) throw new ServiceError('NEVER', 'can never apply', { retryable: false });
        applied.push(t.slot);
      },
      handleBatch: async (items) => {
        if (items.some((i) => i.event.slot === poison)) {
          poisonAmong = Math.max(poisonAmong, items.length);
          throw new ServiceError('NEVER', 'a bad event in the batch', { retryable: false });
        }
        applied.push(...items.map((i) => i.event.slot));
      },
    });
    await drained(name);
    await c.stop();
    expect(poisonAmong).toBeGreaterThan(1);
    expect(applied).toEqual(Array.from({ length: 20 }, (_, i) => slot(i)).filter((s) => s !== poison));
    expect(await outcomes(name)).toEqual({ ack: 19, nak: 0, term: 2 });
  });

  it('naks a batch that failed for a transient reason and applies it when it comes back', async () => {
    const name = await durable('b-transient');
    await publish(0, 50);
    let failures = 0;
    const applied = new Set<string>();
    const c = await runDurableConsumer(ctx, {
      stream,
      durable: name,
      schema: CleanupTick,
      retryDelayMs: () => 50,
      handle: async (t) => {
        applied.add(t.slot);
      },
      handleBatch: async (items) => {
        if (failures++ === 0) throw new Error('database down');
        for (const i of items) applied.add(i.event.slot);
      },
    });
    await waitFor(() => applied.size === 50);
    await drained(name);
    await c.stop();
    const { ack, nak, term } = await outcomes(name);
    expect(nak).toBeGreaterThan(0); // the whole first batch
    expect({ ack, term }).toEqual({ ack: 50, term: 0 });
  });

  it('applies one at a time a batch that keeps failing, so that one failing event holds back no other', async () => {
    const name = await durable('b-isolate');
    await publish(0, 10);
    const stuck = slot(3);
    const applied = new Set<string>();
    const c = await runDurableConsumer(ctx, {
      stream,
      durable: name,
      schema: CleanupTick,
      retryDelayMs: () => 20,
      isolateAfterAttempts: 2,
      handle: async (t) => {
        if (t.slot === stuck) throw new Error('fails every time, retryably');
        applied.add(t.slot);
      },
      handleBatch: async (items) => {
        if (items.some((i) => i.event.slot === stuck)) throw new Error('fails every time, retryably');
        for (const i of items) applied.add(i.event.slot);
      },
    });
    await waitFor(() => applied.size === 9);
    expect(applied.has(stuck)).toBe(false);
    await c.stop();
  });

  it('loses no event when stopped mid-stream and another consumer takes over', async () => {
    const name = await durable('b-stop');
    const total = 600;
    await publish(0, total);
    const applied = new Set<string>();
    let batches = 0;
    const first = await runDurableConsumer(ctx, {
      stream,
      durable: name,
      schema: CleanupTick,
      maxBatch: 32,
      handle: async () => undefined,
      handleBatch: async (items) => {
        await new Promise((r) => setTimeout(r, 5)); // a write in flight
        for (const i of items) applied.add(i.event.slot);
        batches++;
      },
    });
    await waitFor(() => batches >= 3);
    await first.stop(); // the batch being applied finishes and is acked; the fetched rest is handed back
    expect(applied.size).toBeLessThan(total);

    const second = await runDurableConsumer(ctx, {
      stream,
      durable: name,
      schema: CleanupTick,
      handle: async () => undefined,
      handleBatch: async (items) => {
        for (const i of items) applied.add(i.event.slot);
      },
    });
    // handed back with a nak, not left to ack_wait (30 s)
    await waitFor(() => applied.size === total, { timeoutMs: 15_000 });
    await drained(name);
    await second.stop();
  });
});

describe('ensureStreamDurable', () => {
  let ctx: Awaited<ReturnType<typeof testContext>>;
  const ns = freshNamespace('kitdurable');
  beforeAll(async () => {
    ctx = await testContext(ns);
  });
  afterAll(() => ctx.close());

  it("leaves out a filter that is its stream's only subject, and drops it from an existing durable", async () => {
    const games = streamSpecs(ns).games.name;
    const filterSubject = subjects.gameChangedFilter(ns);
    await ensureStreamDurable(ctx.jsm, { stream: games, durable: 'fresh', filterSubject, ackWaitMs: 20_000 });
    const fresh = (await ctx.jsm.consumers.info(games, 'fresh')).config;
    expect(fresh.filter_subject).toBeUndefined();
    expect(fresh).toMatchObject({ ack_wait: 20_000 * 1e6, max_ack_pending: 1000 });

    await ensureDurable(ctx.jsm, { stream: games, durable: 'old', filterSubject, ackWaitMs: 30_000 });
    expect((await ctx.jsm.consumers.info(games, 'old')).config.filter_subject).toBe(filterSubject);
    await ensureStreamDurable(ctx.jsm, { stream: games, durable: 'old', filterSubject, ackWaitMs: 30_000 });
    const old = (await ctx.jsm.consumers.info(games, 'old')).config;
    expect(old.filter_subject).toBeUndefined();
    expect(old.ack_wait).toBe(30_000 * 1e6);
  });

  it('keeps the filter of a durable that reads part of its stream', async () => {
    const ticks = streamSpecs(ns).ticks.name;
    await ensureStreamDurable(ctx.jsm, { stream: ticks, durable: 'part', filterSubject: subjects.tickCleanup(ns), ackWaitMs: 20_000 });
    expect((await ctx.jsm.consumers.info(ticks, 'part')).config.filter_subject).toBe(subjects.tickCleanup(ns));
  });
});
