import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createRegistry, ensureStreams, Health, type ServiceContext } from '@scores/service-kit';
import { pino } from 'pino';
import { testEnv } from './env.js';

export async function connectTestNats(name = 'test'): Promise<NatsConnection> {
  try {
    return await connect({ servers: testEnv.natsUrl.split(','), name, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  } catch (err) {
    throw new Error(`NATS is not reachable at ${testEnv.natsUrl} (set NATS_URL; JetStream must be on)`, { cause: err });
  }
}

/** Deletes every stream and KV bucket of a namespace. */
export async function dropNamespace(jsm: JetStreamManager, ns: string): Promise<void> {
  const names: string[] = [];
  for await (const name of jsm.streams.names()) if (name.startsWith(`${ns}_`) || name.startsWith(`KV_${ns}_`)) names.push(name);
  await Promise.all(names.map((n) => jsm.streams.delete(n).catch(() => false)));
}

export const testLogger = (bindings: Record<string, unknown> = {}) => pino({ level: testEnv.logLevel, base: bindings });

/**
 * A service context on real NATS in its own namespace, as main.ts would build it.
 * `close()` drains the connection and deletes the namespace's streams and buckets.
 */
export async function testContext(ns: string, opts: { name?: string; keep?: boolean } = {}): Promise<
  ServiceContext & { close(): Promise<void> }
> {
  const nc = await connectTestNats(opts.name ?? ns);
  const jsm = await jetstreamManager(nc);
  await ensureStreams(jsm, ns);
  const log = testLogger({ ns, name: opts.name });
  return {
    ns,
    nc,
    js: jetstream(nc),
    jsm,
    log,
    registry: createRegistry(),
    health: new Health(),
    instance: opts.name ?? 'test',
    async close() {
      if (!opts.keep) await dropNamespace(jsm, ns).catch(() => undefined);
      if (!nc.isClosed()) await nc.drain().catch(() => nc.close());
    },
  };
}
