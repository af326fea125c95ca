import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { encode, ServiceHeartbeat, subjects } from '@scores/contracts';
import type { Registry } from 'prom-client';
import type { CommonConfig } from './common-config.js';
import { createRegistry, Health, startHealthServer, type HealthServer } from './health.js';
import { ensureStreams } from './jetstream.js';
import { createLogger, type Logger } from './logger.js';
import { connectNats } from './nats.js';
import { handleSignals, type ShutdownStep } from './shutdown.js';

export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/** What every service gets from its process; built once, shared when services share a process. */
export interface ServiceContext {
  ns: string;
  log: Logger;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  registry: Registry;
  health: Health;
  instance: string;
  /** replicas of the streams and KV buckets this deployment creates (JETSTREAM_REPLICAS) */
  jetstreamReplicas?: number;
}

export interface RunningService {
  /** stop taking work and finish (or nak) what is in flight; NATS is still connected */
  stop(): Promise<void>;
  /** close pools and clients, after NATS has drained */
  close?(): Promise<void>;
  /** readiness check names this service depends on (for its heartbeat) */
  checks?: string[];
}

export interface ServiceDefinition {
  name: string;
  start(ctx: ServiceContext): Promise<RunningService>;
}

export const HEARTBEAT_INTERVAL_S = 10;

/**
 * Publishes this instance's health on `<ns>.health.<service>` every few seconds, and
 * answers `<ns>.admin.health` requests with it at once (the CLI's status).
 */
export function startHeartbeat(ctx: ServiceContext, service: string, checks: () => string[]): { stop(): void } {
  const startedAt = new Date().toISOString();
  const current = async (): Promise<ServiceHeartbeat> => {
    const r = await ctx.health.run(checks());
    const hb: ServiceHeartbeat = {
      service,
      instance: ctx.instance,
      version: VERSION,
      startedAt,
      at: new Date().toISOString(),
      ready: r.ready,
      checks: Object.fromEntries(Object.entries(r.checks).map(([k, v]) => [k, v.ok])),
      intervalS: HEARTBEAT_INTERVAL_S,
    };
    return hb;
  };
  const beat = async () => {
    const hb = await current();
    if (!ctx.nc.isClosed() && !ctx.nc.isDraining()) ctx.nc.publish(subjects.health(ctx.ns, service), encode(ServiceHeartbeat, hb));
  };
  const run = () => beat().catch((err: unknown) => ctx.log.warn({ err, service }, 'heartbeat failed'));
  void run();
  const timer = setInterval(run, HEARTBEAT_INTERVAL_S * 1000);
  timer.unref();
  const sub = ctx.nc.subscribe(subjects.adminHealth(ctx.ns), {
    callback: (_err, msg) => {
      current()
        .then((hb) => msg.respond(encode(ServiceHeartbeat, hb)))
        .catch((err: unknown) => ctx.log.warn({ err, service }, 'health request not answered'));
    },
  });
  return {
    stop: () => {
      clearInterval(timer);
      sub.unsubscribe();
    },
  };
}

/**
 * The whole life of a process holding one or more services: logger, NATS (unlimited
 * reconnects), streams, health server, heartbeats, then shutdown in order on a signal.
 */
export async function runServices(opts: {
  process: string;
  common: CommonConfig;
  services: ServiceDefinition[];
  /** an HTTP server of the process's own (the api) replaces the health server when false */
  healthServer?: boolean;
}): Promise<{ ctx: ServiceContext; shutdown: (reason: string) => Promise<void>; health?: HealthServer }> {
  const { common } = opts;
  const instance = `${hostname()}-${randomUUID().slice(0, 8)}`;
  const log = createLogger({ service: opts.process, level: common.logLevel, base: { ns: common.namespace, instance } });
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));

  const running: { name: string; svc: RunningService }[] = [];
  const heartbeats: { stop(): void }[] = [];
  let healthServer: HealthServer | undefined;
  let nc: NatsConnection | undefined;

  const { shutdown } = handleSignals({
    graceMs: common.shutdownGraceMs,
    log,
    steps: (): ShutdownStep[] => [
      { name: 'heartbeats', run: () => heartbeats.forEach((h) => h.stop()) },
      {
        // every service stops taking work at once; each finishes or hands back what is in flight
        name: 'stop services',
        run: async () => {
          const results = await Promise.allSettled(running.map(({ svc }) => svc.stop()));
          results.forEach((r, i) => {
            if (r.status === 'rejected') log.error({ err: r.reason, component: running[i]?.name }, 'service did not stop cleanly');
          });
        },
      },
      { name: 'drain nats', run: async () => { if (nc && !nc.isClosed()) await nc.drain(); } },
      ...running.map(({ name, svc }) => ({ name: `close ${name}`, run: () => svc.close?.() })),
      { name: 'health server', run: () => healthServer?.close() },
    ],
  });

  try {
    nc = await connectNats(common.nats, log, `${opts.process}@${instance}`);
    const jsm = await jetstreamManager(nc);
    await ensureStreams(jsm, common.namespace, common.jetstreamReplicas);
    const ctx: ServiceContext = {
      ns: common.namespace,
      log,
      nc,
      js: jetstream(nc),
      jsm,
      registry: createRegistry(),
      health: new Health(),
      instance,
      jetstreamReplicas: common.jetstreamReplicas,
    };
    const conn = nc;
    ctx.health.add('nats', () => {
      if (conn.isClosed()) throw new Error('closed');
      return conn.flush();
    });
    for (const def of opts.services) {
      const svc = await def.start({ ...ctx, log: log.child({ component: def.name }) });
      running.push({ name: def.name, svc });
      heartbeats.push(startHeartbeat(ctx, def.name, () => ['nats', ...(svc.checks ?? [])]));
      log.info({ component: def.name }, 'service started');
    }
    if (opts.healthServer !== false) {
      healthServer = await startHealthServer({ port: common.healthPort, health: ctx.health, registry: ctx.registry, log });
    }
    return { ctx, shutdown, ...(healthServer ? { health: healthServer } : {}) };
  } catch (err) {
    log.fatal({ err }, 'start-up failed');
    await shutdown('start-up failed');
    throw err;
  }
}
