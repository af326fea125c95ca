import { consumerNames, GameChanged, gameIdOfSubject, streamSpecs, subjects } from '@scores/contracts';
import { ensureDurable, isRetryable, runDurableConsumer, type ServiceDefinition } from '@scores/service-kit';
import type postgres from 'postgres';
import type { GraderConfig } from './config.js';
import { createSql, ensureDatabase } from './db/connect.js';
import { migrate } from './db/migrate.js';
import { GraderError } from './errors.js';
import { applyGameChanged, gradingState } from './grading/apply.js';
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
      const durable = consumerNames().graderGames;
      await ensureDurable(ctx.jsm, {
        stream,
        durable,
        filterSubject: subjects.gameChangedFilter(ctx.ns),
        ackWaitMs: cfg.ackWaitMs,
        description: 'grader: games, grades and standings in Postgres',
      });

      const outbox = new OutboxPublisher(sql, ctx.js, log, metrics);
      await outbox.flush(); // what a previous instance committed but did not publish
      outbox.start(cfg.outboxIntervalMs);

      const consumer = await runDurableConsumer(ctx, {
        stream,
        durable,
        schema: GameChanged,
        concurrency: cfg.concurrency,
        ...(deps.retryDelayMs ? { retryDelayMs: deps.retryDelayMs } : {}),
        logFields: (event) => {
          const e = event as Partial<GameChanged> | undefined;
          return { gameId: e?.gameId, revision: e?.revision };
        },
        handle: async (event, msg) => {
          if (gameIdOfSubject(msg.subject) !== event.gameId) {
            throw new GraderError('EVENT_INCONSISTENT', `subject ${msg.subject} does not name game ${event.gameId}`);
          }
          // one event is one SQL call, so one busy connection
          metrics.poolInUse.inc({ service: 'grader' });
          let r: Awaited<ReturnType<typeof applyGameChanged>>;
          try {
            r = await applyGameChanged(sql, event, ctx.ns);
          } catch (err) {
            metrics.dbErrors.inc({ service: 'grader', retryable: String(isRetryable(err)) });
            throw err;
          } finally {
            metrics.poolInUse.dec({ service: 'grader' });
          }
          metrics.events.inc({ outcome: r.applied ? 'applied' : 'stale' });
          if (r.graded) {
            metrics.games.inc({ kind: gradingState(event.game) ?? 'final' });
            for (const [result, n] of Object.entries(r.graded.results)) metrics.picks.inc({ result }, n);
            log.info(
              { gameId: event.gameId, revision: event.revision, graded: r.graded.graded, leagues: r.graded.leagues.length },
              'game graded',
            );
            await outbox.flush();
          } else if (r.ungraded !== null) {
            metrics.games.inc({ kind: 'ungraded' });
            log.warn({ gameId: event.gameId, revision: event.revision, ungraded: r.ungraded }, 'game no longer final; grades withdrawn');
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
