import { DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import { ContractError, decode, GameChanged, streamSpecs } from '@scores/contracts';
import { followStream, type Follower, type ServiceContext } from '@scores/service-kit';
import type { ApiMetrics } from '../metrics.js';
import type { GameSnapshot } from './snapshot.js';

export type Feed = Follower;

type Ctx = Pick<ServiceContext, 'js' | 'jsm' | 'log' | 'ns'>;

/** An ordered read of a stream on this replica alone (see followStream). */
export function readStreamForever(
  ctx: Ctx,
  opts: { stream: string; deliver: DeliverPolicy; onMessage: (msg: JsMsg) => void; name: string },
): Promise<Feed> {
  return followStream(ctx, opts);
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
