/**
 * Events through the grader and the cache-writer against a bare JetStream consumer that
 * only acks the same events. A backlog of game.changed events (in-progress games, several
 * revisions each: upserts, no grading) waits in the stream; each consumer is started on
 * its own (nothing else of ours running) and timed by watching its durable drain (consumer
 * info every 25 ms, from the first event taken to the last acked; the bare consumer, too
 * fast for that, is timed directly). Each round starts from
 * nothing: a new bare durable; the grader's durable deleted and its tables emptied; the
 * cache-writer's durable deleted and its keys dropped. The bare durable is provisioned as the
 * services' are (ensureStreamDurable: no filter subject, max_ack_pending 1000), so the only
 * difference is the work done per event.
 */
import type { JetStreamManager } from '@nats-io/jetstream';
import { cacheWriterDurables, createCacheWriterService, loadConfig as loadCacheWriter } from '@scores/cache-writer';
import { consumerNames, encode, GameChanged, streamSpecs, subjects } from '@scores/contracts';
import { createGraderService, createSql, loadConfig as loadGrader } from '@scores/grader';
import { ensureStreamDurable, type RunningService } from '@scores/service-kit';
import { dropRedisNamespace, fixtures, testRedis } from '@scores/testkit';
import { median, round, type Bench, type BenchRow } from './lib.js';
import { profileSpan } from './support.js';
import { openStack, type Stack } from './stack.js';

/** Mean events per batch of each durable, over every round (service-kit's scores_event_batch_size). */
async function meanBatchSizes(registry: Stack['ctx']['registry']): Promise<Map<string, number>> {
  const metric = registry.getSingleMetric('scores_event_batch_size');
  const out = new Map<string, number>();
  if (!metric) return out;
  const { values } = await metric.get();
  const of = (suffix: string, consumer: string) =>
    values.find((v) => 'metricName' in v && v.metricName === `scores_event_batch_size_${suffix}` && v.labels.consumer === consumer)?.value ?? 0;
  for (const consumer of new Set(values.map((v) => String(v.labels.consumer)))) out.set(consumer, of('sum', consumer) / of('count', consumer));
  return out;
}

async function publishBacklog(stack: Stack, games: number, revisions: number): Promise<number> {
  const kickoff = Date.now() - 3600_000;
  let n = 0;
  for (let rev = 1; rev <= revisions; rev++) {
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < games; i++) {
      const g = fixtures.game({
        id: `ev${i}`,
        kickoff,
        phase: 'in',
        revision: rev,
        home: { teamId: `${2000 + 2 * i}`, abbreviation: `H${i}`, score: 7 * rev },
        away: { teamId: `${2001 + 2 * i}`, abbreviation: `A${i}`, score: 3 * rev },
      });
      const ev = fixtures.changed(g);
      pending.push(stack.ctx.js.publish(subjects.gameChanged(stack.ns, g), encode(GameChanged, ev), { msgID: ev.id }));
      n++;
    }
    await Promise.all(pending);
  }
  return n;
}

/** Events per second while the durable drains `total` events: first taken to last acked. */
async function drainRate(jsm: JetStreamManager, stream: string, durable: string, total: number): Promise<number> {
  let first: { at: number; done: number } | undefined;
  const deadline = Date.now() + 300_000;
  for (;;) {
    const info = await jsm.consumers.info(stream, durable).catch(() => undefined);
    const at = performance.now();
    if (info) {
      const done = total - info.num_pending - info.num_ack_pending;
      if (!first && info.num_pending < total) first = { at, done };
      if (first && info.num_pending === 0 && info.num_ack_pending === 0) {
        return (total - first.done) / Math.max(1e-3, (at - first.at) / 1000);
      }
    }
    if (Date.now() > deadline) throw new Error(`${durable} did not drain ${total} events`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const run: Bench = async ({ quick }) => {
  const games = quick ? 100 : 1000;
  const revisions = 3;
  const rounds = quick ? 1 : 3;
  const stack = await openStack('benchevents');
  const { ctx, env, ns } = stack;
  const stream = streamSpecs(ns).games.name;
  const sql = createSql(stack.db.url, { max: 1 });
  const redis = testRedis();
  const rates = { bare: [] as number[], grader: [] as number[], cache: [] as number[], commits: [] as number[] };
  const graderConcurrency = Number(env.GRADER_CONCURRENCY ?? 4);
  try {
    const total = await publishBacklog(stack, games, revisions);
    for (let r = 1; r <= rounds; r++) {
      // the baseline: a durable of its own, every event acked as it comes
      const bare = `bench-bare-${r}`;
      await ensureStreamDurable(ctx.jsm, { stream, durable: bare, filterSubject: subjects.gameChangedFilter(ns), ackWaitMs: 30_000 });
      const consumer = await ctx.js.consumers.get(stream, bare);
      const messages = await consumer.consume();
      // timed directly (it drains faster than info polling can see): first event in to the
      // last ack flushed to the server
      let firstAt = 0;
      let n = 0;
      for await (const m of messages) {
        if (n === 0) firstAt = performance.now();
        m.ack();
        if (++n === total) break;
      }
      await ctx.nc.flush();
      rates.bare.push((total - 1) / ((performance.now() - firstAt) / 1000));
      await messages.close();
      await ctx.jsm.consumers.delete(stream, bare);

      // what one commit per event allows here: trivial one-statement transactions, as many
      // at once as the grader runs (each waits for its WAL flush, as the grader's do)
      await sql`create table if not exists bench_commits (id int primary key, n bigint not null)`;
      await sql`insert into bench_commits values (1, 0) on conflict do nothing`;
      const pool = createSql(stack.db.url, { max: graderConcurrency });
      try {
        const count = quick ? 300 : 3000;
        let next = 0;
        const c0 = performance.now();
        await Promise.all(
          Array.from({ length: graderConcurrency }, async (_, w) => {
            while (next < count) {
              next++;
              await pool`insert into bench_commits values (${w + 2}, 0) on conflict (id) do update set n = bench_commits.n + 1`;
            }
          }),
        );
        rates.commits.push(count / ((performance.now() - c0) / 1000));
      } finally {
        await pool.end({ timeout: 5 });
      }

      // the grader, from an empty database
      await sql`truncate teams, games, seasons cascade`;
      await ctx.jsm.consumers.delete(stream, consumerNames(ns).graderGames).catch(() => false);
      const stopGraderProfile = await profileSpan(`events-grader-${r}`);
      const grader: RunningService = await createGraderService(loadGrader(env)).start(ctx);
      try {
        rates.grader.push(await drainRate(ctx.jsm, stream, consumerNames(ns).graderGames, total));
      } finally {
        await stopGraderProfile();
        await grader.stop();
        await grader.close?.();
      }

      // the cache-writer, from an empty cache
      const durable = cacheWriterDurables(ns).games.durable;
      await ctx.jsm.consumers.delete(stream, durable).catch(() => false);
      await dropRedisNamespace(redis, ns);
      const stopCacheProfile = await profileSpan(`events-cache-${r}`);
      const cache: RunningService = await createCacheWriterService(loadCacheWriter(env)).start(ctx);
      try {
        rates.cache.push(await drainRate(ctx.jsm, stream, durable, total));
      } finally {
        await stopCacheProfile();
        await cache.stop();
        await cache.close?.();
      }
    }
  } finally {
    await sql.end({ timeout: 5 });
    redis.disconnect();
    await stack.close();
  }
  const bareRate = median(rates.bare);
  const meanBatch = await meanBatchSizes(ctx.registry);
  const rows: BenchRow[] = [];
  for (const [key, label, durable, how] of [
    ['grader', 'grader', consumerNames(ns).graderGames, 'one Postgres call and commit per batch'],
    ['cache', 'cache-writer', consumerNames(ns).cacheWriterGames, 'one Redis pipeline of compare-and-set scripts per batch'],
  ] as const) {
    const rate = median(rates[key]);
    const ratio = rate / bareRate;
    rows.push({
      name: `events through the ${label}`,
      value: Math.round(rate),
      unit: 'events/s',
      baseline: { name: 'bare JetStream consumer, ack only', value: Math.round(bareRate) },
      ratio: round(ratio),
      target: '>= 0.5x',
      ...(quick ? {} : { pass: ratio >= 0.5 }),
      runs: rates[key].map(Math.round),
      notes: `${games * revisions} game.changed (${games} games x ${revisions} revisions) backlog; ${how} (mean batch ${round(meanBatch.get(durable) ?? NaN, 1)} events); bare runs ${rates.bare.map(Math.round).join(', ')}`,
    });
  }
  const commits = median(rates.commits);
  rows.push({
    name: `Postgres: one-statement commits/s, ${graderConcurrency} at once (the ceiling of one commit per event)`,
    value: Math.round(commits),
    unit: 'commits/s',
    runs: rates.commits.map(Math.round),
    notes: `one commit per event would cap the grader here; in batches it reaches ${round(median(rates.grader) / commits, 2)}x of it; synchronous_commit on: every commit waits for its WAL flush`,
  });
  return rows;
};
