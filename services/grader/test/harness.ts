/** A grader on real NATS and Postgres, in a namespace and database of its own. */
import { consumerNames, decode, PicksGraded, streamSpecs, type GameChanged } from '@scores/contracts';
import type { RunningService } from '@scores/service-kit';
import { freshDatabase, freshNamespace, testContext, waitFor } from '@scores/testkit';
import type postgres from 'postgres';
import { loadConfig, type GraderConfig } from '../src/config.js';
import { createSql } from '../src/db/connect.js';
import { createGraderService, type GraderDeps } from '../src/grader.js';
import { publishEvent } from './support.js';

export type TestContext = Awaited<ReturnType<typeof testContext>>;

export interface Harness {
  ns: string;
  ctx: TestContext;
  db: Awaited<ReturnType<typeof freshDatabase>>;
  cfg: GraderConfig;
  /** the test's own pool on the grader's database */
  sql: postgres.Sql;
  grader: RunningService;
  publish(event: GameChanged, msgID?: string | null): Promise<void>;
  /** every picks.graded in the grades stream, in order */
  gradedEvents(): Promise<PicksGraded[]>;
  /** until the grader's durable has nothing pending nor unacked */
  drained(): Promise<void>;
  /** the current value of a counter in a registry, by labels */
  counter(name: string, labels?: Record<string, string>, ctx?: TestContext): Promise<number>;
  close(): Promise<void>;
}

export async function startHarness(label: string, env: Record<string, string> = {}, deps: GraderDeps = {}): Promise<Harness> {
  const ns = freshNamespace(label);
  const db = await freshDatabase(label);
  const ctx = await testContext(ns);
  const cfg = loadConfig({ NAMESPACE: ns, DATABASE_URL: db.url, GRADER_OUTBOX_INTERVAL_S: '1', ...env });
  const grader = await createGraderService(cfg, { retryDelayMs: () => 100, ...deps }).start(ctx);
  const sql = createSql(db.url, { max: 4, applicationName: 'grader-test' });
  const stream = streamSpecs(ns).grades.name;

  const counter = async (name: string, labels: Record<string, string> = {}, c: TestContext = ctx) => {
    const metric = c.registry.getSingleMetric(name);
    if (!metric) return 0;
    const { values } = await metric.get();
    return values
      .filter((v) => Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want))
      .reduce((sum, v) => sum + v.value, 0);
  };

  return {
    ns,
    ctx,
    db,
    cfg,
    sql,
    grader,
    publish: (event, msgID) => publishEvent(ctx.js, ns, event, msgID),
    async gradedEvents() {
      const info = await ctx.jsm.streams.info(stream);
      const out: PicksGraded[] = [];
      if (info.state.messages === 0) return out;
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        const m = await ctx.jsm.streams.getMessage(stream, { seq });
        if (m) out.push(decode(PicksGraded, m.data));
      }
      return out;
    },
    async drained() {
      await waitFor(
        async () => {
          const info = await ctx.jsm.consumers.info(streamSpecs(ns).games.name, consumerNames(ns).graderGames);
          return info.num_pending === 0 && info.num_ack_pending === 0;
        },
        { timeoutMs: 20_000, message: 'grader durable drained' },
      );
    },
    counter,
    async close() {
      await grader.stop();
      await grader.close?.();
      await sql.end({ timeout: 1 });
      await ctx.close();
      await db.drop();
    },
  };
}
