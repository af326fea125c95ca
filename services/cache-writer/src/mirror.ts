import { DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import { followStream, type Follower, type ServiceContext } from '@scores/service-kit';

export type Mirror = Follower;

/**
 * The last message of each subject of a stream, then every new one, on this replica
 * alone. The shared durables decide who writes; this keeps every replica's memory
 * complete so any of them can re-write every key.
 */
export function startMirror(
  ctx: Pick<ServiceContext, 'js' | 'jsm' | 'log'>,
  opts: { stream: string; filter?: string; onMessage: (msg: JsMsg) => void },
): Promise<Mirror> {
  return followStream(ctx, {
    ...opts,
    name: opts.stream,
    deliver: DeliverPolicy.LastPerSubject,
    // the durable consumer refuses (and logs, and counts) the same message
    skippedLevel: 'debug',
  });
}
