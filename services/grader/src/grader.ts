import { consumerNames, GameChanged, gameIdOfSubject, streamSpecs, subjects, type PicksGraded } from '@scores/contracts';
import { ensureStreamDurable, isRetryable, runDurableConsumer, type ServiceDefinition } from '@scores/service-kit';
import type postgres from 'postgres';
import type { GraderConfig } from './config.js';
import { createSql, ensureDatabase } from './db/connect.js';
import { migrate } from './db/migrate.js';
import { GraderError } from './errors.js';
import { applyGameChanged, applyGameChanges, gradingState } from './grading/apply.js';
import { graderMetrics } from './metrics.js';
import { OutboxPublisher } from './outbox.js';

export interface GraderDeps {
  /** a pool to use instead of opening one from cfg.databaseUrl (left open at close) */
  sql?: postgres.Sql;
  /** delay before a failed event is retried, by delivery attempt (ms) */
  retryDelayMs?: (attempt: number) => number;
}

/**
 * The grader: applies every game.changed from its durable consumer (shared by all
 * replicas) to Postgres, grades picks when a game is final or void, and publishes
 * picks.graded through the outbox.
 */
export function createGraderService(cfg: GraderConfig, deps: GraderDeps = {}): ServiceDefinition {
  return {
    name: 'grader',
    async start(ctx) {
      const log = ctx.log;
      if (!deps.sql && (await ensureDatabase(cfg.databaseUrl))) log.info('database created');
      const sql = deps.sql ?? createSql(cfg.databaseUrl, { max: cfg.poolMax });
      const metrics = graderMetrics(ctx.registry);
      metrics.poolSize.set({ service: 'grader' }, cfg.poolMax);
      try {
        await migrate(sql, log);
      } catch (err) {
        if (!deps.sql) await sql.end({ timeout: 1 });
        throw err;
      }
      ctx.health.add('postgres', () => sql`select 1`);

      const stream = streamSpecs(ctx.ns).games.name;
      const durable = consumerNames(ctx.ns).graderGames;
      // the whole games stream: no filter, which nats-server 2.9 would rescan the stream for
      await ensureStreamDurable(ctx.jsm, {
        stream,
        durable,
        filterSubject: subjects.gameChangedFilter(ctx.ns),
        ackWaitMs: cfg.ackWaitMs,
        description: 'grader: games, grades and standings in Postgres',
      });

      const outbox = new OutboxPublisher(sql, ctx.js, log, metrics);
      await outbox.flush(); // what a previous instance committed but did not publish
      outbox.start(cfg.outboxIntervalMs);

      /** what a graded or ungraded game is counted and logged as, one event or a batch */
      const graded = (event: GameChanged, g: PicksGraded) => {
        metrics.games.inc({ kind: gradingState(event.game) ?? 'final' });
        for (const [result, n] of Object.entries(g.results)) metrics.picks.inc({ result }, n);
        log.info({ gameId: g.gameId, revision: g.revision, graded: g.graded, leagues: g.leagues.length }, 'game graded');
      };
      const ungraded = (gameId: string, revision: number, picks: number) => {
        metrics.games.inc({ kind: 'ungraded' });
        log.warn({ gameId, revision, ungraded: picks }, 'game no longer final; grades withdrawn');
      };
      const checkSubject = (event: GameChanged, subject: string) => {
        if (gameIdOfSubject(subject) !== event.gameId) {
          throw new GraderError('EVENT_INCONSISTENT', `subject ${subject} does not name game ${event.gameId}`);
        }
      };
      /** one SQL call, so one busy connection */
      const call = async <T>(apply: () => Promise<T>): Promise<T> => {
        metrics.poolInUse.inc({ service: 'grader' });
        try {
          return await apply();
        } catch (err) {
          metrics.dbErrors.inc({ service: 'grader', retryable: String(isRetryable(err)) });
          throw err;
        } finally {
          metrics.poolInUse.dec({ service: 'grader' });
        }
      };

      const consumer = await runDurableConsumer(ctx, {
        stream,
        durable,
        schema: GameChanged,
        maxBatch: cfg.batchMax,
        concurrency: cfg.concurrency,
        ...(deps.retryDelayMs ? { retryDelayMs: deps.retryDelayMs } : {}),
        logFields: (event) => {
          const e = event as Partial<GameChanged> | undefined;
          return { gameId: e?.gameId, revision: e?.revision };
        },
        // What arrived while the last batch was applied, in one call and one commit
        // (grading/apply.ts applyGameChanges); a batch refused for good is applied again
        // event by event through handle, which terminates the culprit.
        handleBatch: async (items) => {
          for (const { event, msg } of items) checkSubject(event, msg.subject);
          const r = await call(() => applyGameChanges(sql, items.map((i) => i.event), ctx.ns));
          metrics.events.inc({ outcome: 'applied' }, r.applied);
          metrics.events.inc({ outcome: 'stale' }, r.stale);
          if (r.graded.length === 0 && r.ungraded.length === 0) return;
          const byRevision = new Map(items.map(({ event }) => [`${event.gameId}:${event.revision}`, event]));
          for (const g of r.graded) graded(byRevision.get(`${g.gameId}:${g.revision}`)!, g);
          for (const u of r.ungraded) ungraded(u.gameId, u.revision, u.picks);
          if (r.graded.length) await outbox.flush();
        },
        handle: async (event, msg) => {
          checkSubject(event, msg.subject);
          const r = await call(() => applyGameChanged(sql, event, ctx.ns));
          metrics.events.inc({ outcome: r.applied ? 'applied' : 'stale' });
          if (r.graded) {
            graded(event, r.graded);
            await outbox.flush();
          } else if (r.ungraded !== null) {
            ungraded(event.gameId, event.revision, r.ungraded);
          }
        },
      });

      return {
        checks: ['postgres'],
        async stop() {
          await consumer.stop();
          await outbox.stop();
        },
        async close() {
          if (!deps.sql) await sql.end({ timeout: 5 });
        },
      };
    },
  };
}
