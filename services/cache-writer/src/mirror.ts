import { DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import type { ServiceContext } from '@scores/service-kit';

export interface Mirror {
  /** resolves once the last message of every subject present at start has been seen */
  seeded: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Reads a stream on this replica alone (an ordered consumer, nothing acked): the last
 * message of each subject, then every new one. The shared durables decide who writes;
 * this keeps every replica's memory complete so any of them can re-write every key.
 */
export async function startMirror(
  ctx: Pick<ServiceContext, 'js' | 'jsm' | 'log'>,
  opts: { stream: string; filter?: string; onMessage: (msg: JsMsg) => void },
): Promise<Mirror> {
  const log = ctx.log.child({ mirror: opts.stream });
  const info = await ctx.jsm.streams.info(opts.stream);
  const consumer = await ctx.js.consumers.get(opts.stream, {
    deliver_policy: DeliverPolicy.LastPerSubject,
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
        // the durable consumer refuses (and logs, and counts) the same message
        log.debug({ err, subject: msg.subject, seq: msg.seq }, 'mirror skipped a message');
      }
      if (msg.info.pending === 0) markSeeded();
    }
  })().catch((err: unknown) => log.error({ err }, 'mirror loop failed'));

  return {
    seeded,
    async stop() {
      await messages.close().catch(() => undefined);
      await done;
    },
  };
}
