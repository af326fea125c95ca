import { DeliverPolicy } from '@nats-io/jetstream';
import { BreakerChanged, decode, PollCompleted, streamSpecs, subjects } from '@scores/contracts';
import type { ServiceContext } from '@scores/service-kit';
import { readStreamForever, type Feed } from '../games/feed.js';
import type { ApiMetrics } from '../metrics.js';
import type { MetaState, RedisMeta } from './state.js';

/**
 * Folds the polls stream (poll.completed and breaker.changed; a day at most, 1000 of
 * each) into the meta state, then keeps reading it. Reading the whole retained stream
 * rather than the last message of each subject also finds the last *successful* poll,
 * the age of what is served while the breaker is open.
 */
export async function startMetaFeed(ctx: Pick<ServiceContext, 'js' | 'jsm' | 'log' | 'ns'>, meta: MetaState, metrics?: ApiMetrics): Promise<Feed> {
  const pollSubject = subjects.pollCompleted(ctx.ns);
  const breakerSubject = subjects.breakerChanged(ctx.ns);
  return readStreamForever(ctx, {
    stream: streamSpecs(ctx.ns).polls.name,
    name: 'polls',
    deliver: DeliverPolicy.All,
    onMessage: (msg) => {
      try {
        if (msg.subject === pollSubject) meta.onPoll(decode(PollCompleted, msg.data));
        else if (msg.subject === breakerSubject) meta.onBreaker(decode(BreakerChanged, msg.data), msg.info.timestampNanos / 1e6);
      } catch {
        metrics?.eventsSkipped.inc({ stream: 'polls' });
      }
    },
  });
}

/** The SPEC "Redis" values, when the stream had nothing (e.g. it was recreated); never fatal. */
export async function readRedisMeta(
  redis: { mget(...keys: string[]): Promise<(string | null)[]> },
  keys: { liveState: string; circuitBreaker: string; lastPoll: string },
): Promise<RedisMeta> {
  const [live, breaker, lastPoll] = await redis.mget(keys.liveState, keys.circuitBreaker, keys.lastPoll);
  const out: RedisMeta = {};
  const parse = (s: string | null | undefined): unknown => {
    if (!s) return undefined;
    try {
      return JSON.parse(s);
    } catch {
      return undefined;
    }
  };
  const l = parse(live) as RedisMeta['liveState'];
  if (l && typeof l.hasLiveGames === 'boolean' && typeof l.liveGameCount === 'number' && typeof l.lastCheck === 'string') out.liveState = l;
  const b = parse(breaker) as RedisMeta['breaker'];
  if (b && ['closed', 'open', 'half-open'].includes(b.state) && typeof b.failures === 'number') {
    out.breaker = { state: b.state, failures: b.failures, openedAt: b.openedAt ?? null, retryAt: b.retryAt ?? null };
  }
  const ms = lastPoll ? Number(lastPoll) : Number.NaN;
  if (Number.isFinite(ms)) out.lastPollMs = ms;
  return out;
}
