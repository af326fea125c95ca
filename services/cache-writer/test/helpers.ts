import { createServer } from 'node:net';
import type { Redis } from 'ioredis';
import {
  BreakerChanged,
  CleanupTick,
  encode,
  GameChanged,
  msgIds,
  PollCompleted,
  subjects,
} from '@scores/contracts';
import type { RunningService, ServiceContext } from '@scores/service-kit';
import { testEnv } from '@scores/testkit';
import { cacheWriterDurables, createCacheWriterService, loadConfig, type CacheWriterDeps, type GameValue } from '../src/index.js';

type Ctx = Pick<ServiceContext, 'ns' | 'js' | 'jsm'>;

/** Starts a cache-writer on a test context, as main.ts would, with a 1 s refresh. */
export async function startWriter(
  ctx: ServiceContext,
  env: Record<string, string> = {},
  deps: CacheWriterDeps = {},
): Promise<RunningService & { shutdown(): Promise<void> }> {
  const cfg = loadConfig({ REDIS_URL: testEnv.redisUrl, NAMESPACE: ctx.ns, CACHE_REFRESH_S: '1', ...env });
  const svc = await createCacheWriterService(cfg, deps).start({ ...ctx, log: ctx.log.child({ component: 'cache-writer' }) });
  return {
    ...svc,
    async shutdown() {
      await svc.stop();
      await svc.close?.();
    },
  };
}

export async function publishGame(ctx: Ctx, ev: GameChanged, msgID: string | null = msgIds.gameChanged(ev.gameId, ev.revision)) {
  return ctx.js.publish(subjects.gameChanged(ctx.ns, ev.game), encode(GameChanged, ev), msgID ? { msgID } : {});
}

export async function publishPoll(ctx: Ctx, ev: PollCompleted) {
  return ctx.js.publish(subjects.pollCompleted(ctx.ns), encode(PollCompleted, ev));
}

export async function publishBreaker(ctx: Ctx, ev: BreakerChanged) {
  return ctx.js.publish(subjects.breakerChanged(ctx.ns), encode(BreakerChanged, ev));
}

export async function publishCleanup(ctx: Ctx, slot = new Date()) {
  const tick: CleanupTick = { slot: slot.toISOString() };
  return ctx.js.publish(subjects.tickCleanup(ctx.ns), encode(CleanupTick, tick), { msgID: msgIds.cleanupTick(tick.slot) });
}

/** True once a durable has nothing left to deliver or to be acked. */
export async function durableDrained(ctx: Ctx, which: keyof ReturnType<typeof cacheWriterDurables>): Promise<boolean> {
  const d = cacheWriterDurables(ctx.ns)[which];
  const info = await ctx.jsm.consumers.info(d.stream, d.durable);
  return info.num_pending === 0 && info.num_ack_pending === 0;
}

export async function durableInfo(ctx: Ctx, which: keyof ReturnType<typeof cacheWriterDurables>) {
  const d = cacheWriterDurables(ctx.ns)[which];
  return ctx.jsm.consumers.info(d.stream, d.durable);
}

/** The value of one labelled counter in a registry's exposition (0 when absent). */
export async function counter(ctx: Pick<ServiceContext, 'registry'>, name: string, labels: Record<string, string>): Promise<number> {
  const metric = ctx.registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}

/** A local port nothing listens on (bound, then released). */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The stored value of a JSON key, or undefined when the key does not exist. */
export async function readJson<T = GameValue>(redis: Redis, key: string): Promise<T | undefined> {
  const v = await redis.get(key);
  return v === null ? undefined : (JSON.parse(v) as T);
}
