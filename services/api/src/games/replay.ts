import { DeliverPolicy } from '@nats-io/jetstream';
import { decode, GameChanged, streamSpecs, type GameWithRevision } from '@scores/contracts';
import type { ServiceContext } from '@scores/service-kit';

/** Reads past game changes by stream sequence, for SSE clients resuming with Last-Event-ID. */
export interface ReplaySource {
  /** the sequences the stream holds now (first > last when it is empty) */
  bounds(): Promise<{ first: number; last: number }>;
  /** every valid change with `from <= seq <= to`, in order */
  read(from: number, to: number, onGame: (game: GameWithRevision, seq: number) => void): Promise<void>;
}

/** Replays out of the games stream with a short-lived ordered consumer of its own. */
export function jetStreamReplay(ctx: Pick<ServiceContext, 'js' | 'jsm' | 'ns'>, idleTimeoutMs = 5000): ReplaySource {
  const stream = streamSpecs(ctx.ns).games.name;
  return {
    async bounds() {
      const { state } = await ctx.jsm.streams.info(stream);
      return { first: state.first_seq, last: state.last_seq };
    },
    async read(from, to, onGame) {
      if (from > to) return;
      const consumer = await ctx.js.consumers.get(stream, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from });
      const messages = await consumer.consume({ max_messages: 256 });
      // messages purged between bounds() and here would leave nothing to deliver: give up, do not hang
      let idle: NodeJS.Timeout | undefined;
      let reached = from - 1;
      const arm = () => {
        clearTimeout(idle);
        idle = setTimeout(() => void messages.close().catch(() => undefined), idleTimeoutMs);
      };
      arm();
      try {
        for await (const msg of messages) {
          arm();
          reached = msg.seq;
          if (msg.seq > to) break;
          let ev: GameChanged | undefined;
          try {
            ev = decode(GameChanged, msg.data);
          } catch {
            // counted by the live feed when it read the same message
          }
          if (ev && ev.gameId === ev.game.id) onGame({ ...ev.game, revision: ev.revision }, msg.seq);
          if (msg.seq >= to || msg.info.pending === 0) break;
        }
      } finally {
        clearTimeout(idle);
        await messages.close().catch(() => undefined);
      }
      if (reached < from) throw new Error(`replay from ${from} to ${to} received nothing within ${idleTimeoutMs} ms`);
    },
  };
}
