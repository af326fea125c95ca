import { DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import { ContractError, decode, GameChanged, streamSpecs } from '@scores/contracts';
import type { ServiceContext } from '@scores/service-kit';
import type { ApiMetrics } from '../metrics.js';
import type { GameSnapshot } from './snapshot.js';

export interface Feed {
  /** resolves once every message present at start has been read */
  seeded: Promise<void>;
  stop(): Promise<void>;
}

type Ctx = Pick<ServiceContext, 'js' | 'jsm' | 'log' | 'ns'>;

/**
 * Reads a stream on this replica alone with an ordered consumer (nothing acked; never a
 * shared durable): from `deliver`, then every new message, in order, resuming by itself
 * after a reconnection.
 */
export async function readStreamForever(
  ctx: Ctx,
  opts: { stream: string; deliver: DeliverPolicy; onMessage: (msg: JsMsg) => void; name: string },
): Promise<Feed> {
  const log = ctx.log.child({ feed: opts.name });
  const info = await ctx.jsm.streams.info(opts.stream);
  const consumer = await ctx.js.consumers.get(opts.stream, { deliver_policy: opts.deliver });
  const messages = await consumer.consume();
  let markSeeded!: () => void;
  const seeded = new Promise<void>((resolve) => (markSeeded = resolve));
  if (info.state.messages === 0) markSeeded();

  const done = (async () => {
    for await (const msg of messages) {
      try {
        opts.onMessage(msg);
      } catch (err) {
        log.warn({ err, subject: msg.subject, seq: msg.seq }, 'stream message skipped');
      }
      if (msg.info.pending === 0) markSeeded();
    }
  })().catch((err: unknown) => log.error({ err }, 'stream reader failed'));

  return {
    seeded,
    async stop() {
      await messages.close().catch(() => undefined);
      await done;
    },
  };
}

/**
 * Keeps the snapshot current from the games stream: the last message of every game at
 * start (a game's subject holds all its revisions), then every change as it is stored.
 */
export async function startGameFeed(ctx: Ctx, snapshot: GameSnapshot, metrics?: ApiMetrics): Promise<Feed> {
  const stream = streamSpecs(ctx.ns).games.name;
  return readStreamForever(ctx, {
    stream,
    name: 'games',
    deliver: DeliverPolicy.LastPerSubject,
    onMessage: (msg) => {
      let ev: GameChanged;
      try {
        ev = decode(GameChanged, msg.data);
      } catch (err) {
        if (snapshot.position < msg.seq) snapshot.position = msg.seq;
        metrics?.eventsSkipped.inc({ stream: 'games' });
        if (err instanceof ContractError) return;
        throw err;
      }
      if (ev.gameId !== ev.game.id) {
        // the grader refuses the same event; serving it would show a game nobody stores
        if (snapshot.position < msg.seq) snapshot.position = msg.seq;
        metrics?.eventsSkipped.inc({ stream: 'games' });
        return;
      }
      snapshot.apply({ ...ev.game, revision: ev.revision }, msg.seq);
      metrics?.feedPosition.set(snapshot.position);
    },
  });
}
