import type { JsMsg } from '@nats-io/jetstream';
import { ContractError, decode } from '@scores/contracts';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { TSchema, Static } from 'typebox';
import { isRetryable } from './errors.js';
import type { Logger } from './logger.js';
import type { ServiceContext } from './service.js';

export interface DurableConsumerOptions<S extends TSchema> {
  /** the stream and durable name (the durable is shared by every replica) */
  stream: string;
  durable: string;
  schema: S;
  /** apply the event; resolve only once the write is committed */
  handle: (event: Static<S>, msg: JsMsg) => Promise<void>;
  /** messages handled at once by this replica (default 1: in stream order) */
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
      help: 'Events consumed from JetStream, by durable consumer and outcome (ack, nak, term)',
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
      help: 'Time to apply one event, by durable consumer',
      labelNames: ['consumer'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
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

/**
 * Pulls from a durable consumer and applies each event: ack after the write commits,
 * nak with a growing delay on a transient failure, term (and count) a message that can
 * never apply. `stop()` stops pulling, naks what was fetched but not started, and waits
 * for what is in flight.
 */
export async function runDurableConsumer<S extends TSchema>(
  ctx: Pick<ServiceContext, 'js' | 'log' | 'registry'>,
  opts: DurableConsumerOptions<S>,
): Promise<RunningConsumer> {
  const log: Logger = ctx.log.child({ consumer: opts.durable });
  const metrics = consumerMetrics(ctx.registry);
  const concurrency = Math.max(1, opts.concurrency ?? 1);
  const retryDelay = opts.retryDelayMs ?? defaultRetryDelayMs;
  const consumer = await ctx.js.consumers.get(opts.stream, opts.durable);
  // Batches the size of a few rounds of work: everything fetched is either handled or
  // handed back (nak) before stop() returns, so a stopped replica strands nothing until
  // ack_wait.
  const batchSize = Math.min(128, Math.max(concurrency * 4, 32));
  const inFlight = new Set<Promise<void>>();
  let stopping = false;

  const handleOne = async (msg: JsMsg) => {
    const end = metrics.seconds.startTimer({ consumer: opts.durable });
    let event: unknown;
    try {
      const decoded = decode(opts.schema, msg.data);
      event = decoded;
      await opts.handle(decoded, msg);
      msg.ack();
      metrics.handled.inc({ consumer: opts.durable, outcome: 'ack' });
    } catch (err) {
      const fields = { ...opts.logFields?.(event, msg), subject: msg.subject, seq: msg.seq, attempt: msg.info.deliveryCount };
      if (err instanceof ContractError || !isRetryable(err)) {
        // can never apply: terminate (on nats-server 2.9, term() must have no reason)
        msg.term();
        metrics.handled.inc({ consumer: opts.durable, outcome: 'term' });
        log.error({ err, ...fields }, 'event refused');
      } else {
        const delay = retryDelay(msg.info.deliveryCount);
        msg.nak(delay);
        metrics.handled.inc({ consumer: opts.durable, outcome: 'nak' });
        log.warn({ err, ...fields, retryInMs: delay }, 'event failed; will retry');
      }
    } finally {
      end();
    }
  };

  const done = (async () => {
    let failures = 0;
    while (!stopping) {
      let batch;
      try {
        batch = await consumer.fetch({ max_messages: batchSize, expires: 1000 });
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
          metrics.pending.set({ consumer: opts.durable }, msg.info.pending);
          if (stopping) {
            msg.nak(); // handed back at once to another replica
            continue;
          }
          const p = handleOne(msg).finally(() => inFlight.delete(p));
          inFlight.add(p);
          if (inFlight.size >= concurrency) await Promise.race(inFlight);
        }
      } catch (err) {
        log.warn({ err }, 'batch ended early');
      }
      if (received === 0) metrics.pending.set({ consumer: opts.durable }, 0); // a fetch that waited in vain: nothing pending
    }
    await Promise.all(inFlight);
  })().catch((err: unknown) => log.error({ err }, 'consumer loop failed'));

  return {
    done,
    /** stops fetching; what is in flight finishes and is acked, the rest of the batch is nak'ed */
    async stop() {
      stopping = true;
      await done;
    },
  };
}
