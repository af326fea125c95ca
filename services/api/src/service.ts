import { decode, ServiceHeartbeat, subjects } from '@scores/contracts';
import { listGames, createSql } from '@scores/grader';
import { redisKeys } from '@scores/cache-writer';
import type { RunningService, ServiceContext, ServiceDefinition } from '@scores/service-kit';
import type { FastifyInstance } from 'fastify';
import type postgres from 'postgres';
import type { Redis } from 'ioredis';
import { buildApp } from './app.js';
import type { ApiConfig } from './config.js';
import { startGameFeed, type Feed } from './games/feed.js';
import { jetStreamReplay } from './games/replay.js';
import type { GameSnapshot } from './games/snapshot.js';
import { postgresLeagueStore } from './leagues/store.js';
import { readRedisMeta, startMetaFeed } from './meta/feed.js';
import { apiMetrics } from './metrics.js';
import { closeRedis, createApiRedis, whenReady } from './redis.js';
import { createRuntime } from './runtime.js';

export const SERVICE_NAME = 'api';

export interface ApiDeps {
  /** a pool to use instead of opening one (left open at close) */
  sql?: postgres.Sql;
  /** false: build everything but do not listen (tests that inject) */
  listen?: boolean;
  /** how long the first snapshot load may take before the api starts without it */
  seedTimeoutMs?: number;
  /** delay between attempts to load the snapshot from Postgres while it is unreachable */
  pgRetryMs?: number;
}

export interface RunningApi extends RunningService {
  app: FastifyInstance;
  /** the port it listens on (0 when not listening) */
  port: number;
}

/** Every game Postgres holds, a page at a time, into the snapshot (newer revisions win). */
export async function loadSnapshotFromPostgres(sql: postgres.Sql, snapshot: GameSnapshot): Promise<number> {
  let cursor: string | undefined;
  let n = 0;
  do {
    const page = await listGames(sql, { limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const game of page.games) snapshot.apply(game, 0);
    n += page.games.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return n;
}

/**
 * The api as a service of its process: snapshot and meta from NATS and Postgres, then
 * the HTTP server on HOST:PORT. Runs alone (main.ts) or inside the all-in-one process.
 */
export interface ApiServiceDefinition extends ServiceDefinition {
  start(ctx: ServiceContext): Promise<RunningApi>;
}

export function createApiService(cfg: ApiConfig, deps: ApiDeps = {}): ApiServiceDefinition {
  return {
    name: SERVICE_NAME,
    async start(ctx) {
      const log = ctx.log;
      const metrics = apiMetrics(ctx.registry);
      const sql = deps.sql ?? createSql(cfg.databaseUrl, { applicationName: 'scores-api', max: 10 });
      const redis: Redis = createApiRedis(cfg.redisUrl, log, `scores-api@${ctx.instance}`);
      const runtime = createRuntime(cfg, log, metrics);
      const { snapshot, meta, heartbeats, hub } = runtime;
      const feeds: Feed[] = [];
      let pgRetry: NodeJS.Timeout | undefined;
      let app: FastifyInstance | undefined;
      const heartbeatSub = ctx.nc.subscribe(subjects.healthAll(ctx.ns), {
        callback: (err, msg) => {
          if (err) return;
          try {
            heartbeats.record(decode(ServiceHeartbeat, msg.data), Date.now());
          } catch {
            metrics.eventsSkipped.inc({ stream: 'health' });
          }
        },
      });

      let stopped = false;
      const release = async () => {
        stopped = true;
        clearTimeout(pgRetry);
        heartbeatSub.unsubscribe();
        await Promise.all(feeds.map((f) => f.stop()));
      };
      const closePools = async () => {
        await closeRedis(redis);
        if (!deps.sql) await sql.end({ timeout: 5 });
      };

      try {
        ctx.health.add('postgres', () => sql`select 1`);
        ctx.health.add('redis', () => redis.ping());

        // The stream first: it alone says which sequence the snapshot reflects.
        const games = await startGameFeed(ctx, snapshot, metrics);
        feeds.push(games);
        const polls = await startMetaFeed(ctx, meta, metrics);
        feeds.push(polls);

        // Postgres holds games older than the stream keeps; it is not needed to serve what is current.
        const loadPg = async (): Promise<boolean> => {
          if (stopped) return false;
          try {
            const n = await loadSnapshotFromPostgres(sql, snapshot);
            log.info({ games: n, held: snapshot.size }, 'snapshot loaded from postgres');
            return true;
          } catch (err) {
            const retryMs = deps.pgRetryMs ?? 10_000;
            log.warn({ err, retryMs }, 'snapshot not loaded from postgres; serving the stream alone meanwhile');
            if (!stopped) pgRetry = setTimeout(() => void loadPg(), retryMs).unref();
            return false;
          }
        };
        const timeout = deps.seedTimeoutMs ?? 30_000;
        const seeded = await Promise.race([
          Promise.all([games.seeded, polls.seeded, loadPg()]).then(() => true),
          new Promise<false>((resolve) => setTimeout(() => resolve(false), timeout).unref()),
        ]);
        if (!seeded) log.warn({ timeoutMs: timeout }, 'snapshot not complete at start; serving what is loaded');
        hub.startRecording(snapshot.position);
        hub.start();

        const missing = meta.missing();
        if ((missing.poll || missing.breaker) && (await whenReady(redis, 1000))) {
          try {
            meta.seed(await readRedisMeta(redis, redisKeys(ctx.ns)));
          } catch (err) {
            log.warn({ err }, 'meta not read from redis');
          }
        }

        app = await buildApp({
          ...runtime,
          config: cfg,
          ns: ctx.ns,
          log,
          replay: jetStreamReplay(ctx),
          leagues: postgresLeagueStore(sql),
          health: ctx.health,
          registry: ctx.registry,
          instance: ctx.instance,
          rateLimitRedis: redis,
          readyChecks: ['nats', 'postgres', 'redis'],
        });
        let port = 0;
        if (deps.listen !== false) {
          await app.listen({ host: cfg.host, port: cfg.port });
          port = (app.server.address() as { port: number }).port;
          log.info({ host: cfg.host, port, games: snapshot.size, position: snapshot.position }, 'api listening');
        } else {
          await app.ready();
        }
        const running = app;
        return {
          app: running,
          port,
          checks: ['postgres', 'redis'],
          async stop() {
            // ends the SSE streams (preClose), stops taking requests, waits for those in flight
            await running.close();
            await release();
          },
          close: closePools,
        };
      } catch (err) {
        await app?.close().catch(() => undefined);
        hub.close();
        await release();
        await closePools();
        throw err;
      }
    },
  };
}
