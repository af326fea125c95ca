import { DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import type { ServiceContext } from './service.js';

export interface Follower {
  /** resolves once every message present at start has been read */
  seeded: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Reads a stream on this replica alone with an ordered consumer (nothing acked; never a
 * shared durable): from `deliver` (e.g. the last message of each subject), then every
 * new message, in order, resuming by itself after a reconnection. For in-memory views
 * every replica must hold whole (the api's snapshot, the cache-writer's refresh).
 */
export async function followStream(
  ctx: Pick<ServiceContext, 'js' | 'jsm' | 'log'>,
  opts: {
    stream: string;
    name: string;
    deliver: DeliverPolicy;
    filter?: string;
    onMessage: (msg: JsMsg) => void;
    /** how a message onMessage throws on is logged (the durable path may log it already) */
    skippedLevel?: 'warn' | 'debug';
  },
): Promise<Follower> {
  const log = ctx.log.child({ follow: opts.name });
  const info = await ctx.jsm.streams.info(opts.stream);
  const consumer = await ctx.js.consumers.get(opts.stream, {
    deliver_policy: opts.deliver,
    ...(opts.filter ? { filter_subjects: opts.filter } : {}),
  });
  const messages = await consumer.consume();
  let markSeeded!: () => void;
  const seeded = new Promise<void>((resolve) => (markSeeded = resolve));
  if (info.state.messages === 0) markSeeded();

  const done = (async () => {
    for await (const msg of messages) {
      try {
        opts.onMessage(msg);
      } catch (err) {
        log[opts.skippedLevel ?? 'warn']({ err, subject: msg.subject, seq: msg.seq }, 'stream message skipped');
      }
      if (msg.info.pending === 0) markSeeded();
    }
  })().catch((err: unknown) => log.error({ err }, 'stream follower failed'));

  return {
    seeded,
    async stop() {
      await messages.close().catch(() => undefined);
      await done;
    },
  };
}
