import type { JsMsg } from '@nats-io/jetstream';
import { ContractError, decode } from '@scores/contracts';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { TSchema, Static } from 'typebox';
import { isRetryable } from './errors.js';
import type { Logger } from './logger.js';
import type { ServiceContext } from './service.js';

/** One message of a batch and its event, decoded and valid per the schema. */
export interface BatchItem<E> {
  event: E;
  msg: JsMsg;
}

export interface DurableConsumerOptions<S extends TSchema> {
  /** the stream and durable name (the durable is shared by every replica) */
  stream: string;
  durable: string;
  schema: S;
  /** apply the event; resolve only once the write is committed */
  handle: (event: Static<S>, msg: JsMsg) => Promise<void>;
  /**
   * Batch mode: apply every event that arrived while the previous batch was being
   * applied, at once, and resolve only once all of them are committed. Items come in
   * stream order; with `concurrency` > 1 that many batches are applied at once, and may
   * commit in any order. Batches are small when the stream is quiet (a lone event is
   * applied as soon as it arrives) and grow to `maxBatch` under load. A retryable
   * failure naks the whole batch; any other failure (or a batch that keeps failing)
   * applies its events again one at a time through `handle`, so a poison event is
   * terminated and the rest still apply.
   */
  handleBatch?: (items: BatchItem<Static<S>>[]) => Promise<void>;
  /**
   * the largest batch (default 256); (concurrency + 1) x maxBatch messages may be unacked
   * at once, to keep under the durable's max_ack_pending
   */
  maxBatch?: number;
  /**
   * A batch failing retryably once one of its messages has been delivered this many
   * times is applied one event at a time, to isolate an event that fails on its own
   * (default 3).
   */
  isolateAfterAttempts?: number;
  /** messages (in batch mode: batches) handled at once by this replica (default 1: in stream order) */
  concurrency?: number;
  /** delay before a transient failure is retried, by delivery attempt (ms) */
  retryDelayMs?: (attempt: number) => number;
  /** context for every log line about a message */
  logFields?: (event: unknown, msg: JsMsg) => Record<string, unknown>;
}

export interface RunningConsumer {
  stop(): Promise<void>;
  /** resolves once the loop has ended */
  done: Promise<void>;
}

const metricsByRegistry = new WeakMap<Registry, ReturnType<typeof createMetrics>>();
function createMetrics(registry: Registry) {
  return {
    handled: new Counter({
      name: 'scores_events_consumed_total',
      help: 'Events consumed from JetStream, by durable consumer and outcome (ack, nak, term); one per message, in batch mode too',
      labelNames: ['consumer', 'outcome'],
      registers: [registry],
    }),
    pending: new Gauge({
      name: 'scores_consumer_pending',
      help: 'Messages of the durable consumer not yet delivered (JetStream consumer lag), as last seen by this replica',
      labelNames: ['consumer'],
      registers: [registry],
    }),
    seconds: new Histogram({
      name: 'scores_event_handle_seconds',
      help: 'Time to apply one event, by durable consumer; for a consumer in batch mode, time to apply one batch (its sizes in scores_event_batch_size)',
      labelNames: ['consumer'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'scores_event_batch_size',
      help: 'Events per batch applied by a durable consumer in batch mode',
      labelNames: ['consumer'],
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
      registers: [registry],
    }),
  };
}
export function consumerMetrics(registry: Registry) {
  let m = metricsByRegistry.get(registry);
  if (!m) {
    m = createMetrics(registry);
    metricsByRegistry.set(registry, m);
  }
  return m;
}

export const defaultRetryDelayMs = (attempt: number) => Math.min(30_000, 250 * 2 ** Math.max(0, attempt - 1));

/** A wake-up between the fetch loop and the batch loop (single-threaded: no lost wake-ups). */
class Signal {
  private promise!: Promise<void>;
  private resolve!: () => void;
  constructor() {
    this.reset();
  }
  private reset() {
    this.promise = new Promise((r) => (this.resolve = r));
  }
  notify() {
    this.resolve();
    this.reset();
  }
  wait(): Promise<void> {
    return this.promise;
  }
}

/**
 * Pulls from a durable consumer and applies each event: ack after the write commits,
 * nak with a growing delay on a transient failure, term (and count) a message that can
 * never apply. With `handleBatch`, applies the events in batches (see there). `stop()`
 * stops pulling, naks what was fetched but not started, and waits for what is in flight.
 */
export async function runDurableConsumer<S extends TSchema>(
  ctx: Pick<ServiceContext, 'js' | 'log' | 'registry'>,
  opts: DurableConsumerOptions<S>,
): Promise<RunningConsumer> {
  const log: Logger = ctx.log.child({ consumer: opts.durable });
  const metrics = consumerMetrics(ctx.registry);
  const labels = { consumer: opts.durable };
  const retryDelay = opts.retryDelayMs ?? defaultRetryDelayMs;
  const consumer = await ctx.js.consumers.get(opts.stream, opts.durable);
  let stopping = false;
  /** wakes loops waiting for room or for work when stop() is called */
  const onStop = new Signal();

  const refuse = (msg: JsMsg, event: unknown, err: unknown) => {
    // can never apply: terminate (on nats-server 2.9, term() must have no reason)
    msg.term();
    metrics.handled.inc({ ...labels, outcome: 'term' });
    log.error({ err, ...fields(msg, event) }, 'event refused');
  };
  const fields = (msg: JsMsg, event: unknown) => ({
    ...opts.logFields?.(event, msg),
    subject: msg.subject,
    seq: msg.seq,
    attempt: msg.info.deliveryCount,
  });

  /** decode (unless given), handle, then ack, nak or term: never throws */
  const settleOne = async (msg: JsMsg, decoded?: { event: Static<S> }) => {
    let event: unknown = decoded?.event;
    try {
      const e = decoded ? decoded.event : decode(opts.schema, msg.data);
      event = e;
      await opts.handle(e, msg);
      msg.ack();
      metrics.handled.inc({ ...labels, outcome: 'ack' });
    } catch (err) {
      if (err instanceof ContractError || !isRetryable(err)) {
        refuse(msg, event, err);
      } else {
        const delay = retryDelay(msg.info.deliveryCount);
        msg.nak(delay);
        metrics.handled.inc({ ...labels, outcome: 'nak' });
        log.warn({ err, ...fields(msg, event), retryInMs: delay }, 'event failed; will retry');
      }
    }
  };

  /** runs fetch after fetch until stopped; `room` says how many messages to ask for (0: wait) */
  const fetchLoop = async (room: () => number, onMessage: (msg: JsMsg) => Promise<void> | void, roomFreed?: Signal) => {
    let failures = 0;
    while (!stopping) {
      const max = room();
      if (max <= 0) {
        await Promise.race([roomFreed!.wait(), onStop.wait()]);
        continue;
      }
      let batch;
      try {
        batch = await consumer.fetch({ max_messages: max, expires: 1000 });
        failures = 0;
      } catch (err) {
        failures++;
        if (failures === 1 || failures % 30 === 0) log.warn({ err, failures }, 'fetch failed; retrying');
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * failures)));
        continue;
      }
      let received = 0;
      try {
        for await (const msg of batch) {
          received++;
          metrics.pending.set(labels, msg.info.pending);
          if (stopping) {
            msg.nak(); // handed back at once to another replica
            continue;
          }
          await onMessage(msg);
        }
      } catch (err) {
        log.warn({ err }, 'batch ended early');
      }
      if (received === 0) metrics.pending.set(labels, 0); // a fetch that waited in vain: nothing pending
    }
  };

  let done: Promise<void>;
  const handleBatch = opts.handleBatch;
  if (!handleBatch) {
    const concurrency = Math.max(1, opts.concurrency ?? 1);
    // Batches the size of a few rounds of work: everything fetched is either handled or
    // handed back (nak) before stop() returns, so a stopped replica strands nothing until
    // ack_wait.
    const batchSize = Math.min(128, Math.max(concurrency * 4, 32));
    const inFlight = new Set<Promise<void>>();
    done = (async () => {
      await fetchLoop(
        () => batchSize,
        async (msg) => {
          const end = metrics.seconds.startTimer(labels);
          const p = settleOne(msg)
            .finally(end)
            .finally(() => inFlight.delete(p));
          inFlight.add(p);
          if (inFlight.size >= concurrency) await Promise.race(inFlight);
        },
      );
      await Promise.all(inFlight);
    })();
  } else {
    const maxBatch = Math.max(1, opts.maxBatch ?? 256);
    const isolateAfter = Math.max(1, opts.isolateAfterAttempts ?? 3);
    const queue: BatchItem<Static<S>>[] = [];
    const arrived = new Signal();
    const taken = new Signal();
    let fetching = true;

    const applyBatch = async (items: BatchItem<Static<S>>[]) => {
      const end = metrics.seconds.startTimer(labels);
      metrics.batchSize.observe(labels, items.length);
      try {
        await handleBatch(items);
      } catch (err) {
        const attempt = Math.max(...items.map((i) => i.msg.info.deliveryCount));
        const batchFields = { err, events: items.length, firstSeq: items[0]!.msg.seq, lastSeq: items.at(-1)!.msg.seq, attempt };
        if (!(err instanceof ContractError) && isRetryable(err) && attempt < isolateAfter) {
          const delay = retryDelay(attempt);
          for (const { msg } of items) msg.nak(delay);
          metrics.handled.inc({ ...labels, outcome: 'nak' }, items.length);
          log.warn({ ...batchFields, retryInMs: delay }, 'batch failed; will retry');
        } else {
          // one bad event must not hold back the others: each on its own, in stream order
          log.warn(batchFields, 'batch refused; applying its events one at a time');
          for (const { msg, event } of items) await settleOne(msg, { event });
        }
        return;
      } finally {
        end();
      }
      for (const { msg } of items) msg.ack();
      metrics.handled.inc({ ...labels, outcome: 'ack' }, items.length);
    };

    const fetcher = fetchLoop(
      // what the next batch can still take; the batches being applied are not counted, so
      // at most concurrency + 1 batches of messages are unacked at once
      () => maxBatch - queue.length,
      (msg) => {
        let event: Static<S>;
        try {
          event = decode(opts.schema, msg.data);
        } catch (err) {
          refuse(msg, undefined, err);
          return;
        }
        queue.push({ event, msg });
        arrived.notify();
      },
      taken,
    ).finally(() => {
      fetching = false;
      arrived.notify();
    });

    const batchesAtOnce = Math.max(1, opts.concurrency ?? 1);
    const inFlight = new Set<Promise<void>>();
    const settled = new Signal();
    const applier = (async () => {
      for (;;) {
        while (queue.length === 0 || (inFlight.size >= batchesAtOnce && !stopping)) {
          if (queue.length === 0 && !fetching) return;
          await Promise.race([arrived.wait(), onStop.wait(), settled.wait()]);
        }
        // one turn of the event loop: messages already read from the socket join this batch
        await new Promise((r) => setImmediate(r));
        if (stopping) {
          for (const { msg } of queue.splice(0)) msg.nak(); // fetched but not started: handed back
          continue;
        }
        const items = queue.splice(0, maxBatch);
        taken.notify();
        const p = applyBatch(items).finally(() => {
          inFlight.delete(p);
          settled.notify();
        });
        inFlight.add(p);
      }
    })().finally(() => Promise.all(inFlight));
    done = Promise.all([fetcher, applier]).then(() => undefined);
  }
  done = done.catch((err: unknown) => log.error({ err }, 'consumer loop failed'));

  return {
    done,
    /** stops fetching; what is in flight finishes and is acked, the rest is nak'ed */
    async stop() {
      stopping = true;
      onStop.notify();
      await done;
    },
  };
}
