import type { JetStreamClient } from '@nats-io/jetstream';
import { encode, msgIds, PicksGraded, subjects } from '@scores/contracts';
import type { Logger } from '@scores/service-kit';
import type postgres from 'postgres';
import type { GraderMetrics } from './metrics.js';

/** Records a picks.graded event in the grading transaction; published after commit. */
export async function writePicksGraded(tx: postgres.TransactionSql, ns: string, event: PicksGraded): Promise<string> {
  const [row] = await tx<{ id: string }[]>`
    insert into outbox (subject, msg_id, payload)
    values (${subjects.picksGraded(ns, event.gameId)}, ${msgIds.picksGraded(event.gameId, event.revision)},
            ${tx.json(event)})
    returning id`;
  return String(row!.id);
}

const BATCH = 100;
const KEEP_SENT_DAYS = 7;

/**
 * Publishes outbox rows not yet sent, oldest first. Rows are claimed FOR UPDATE SKIP
 * LOCKED, so replicas flushing at once publish each row once; a row published but not
 * marked (a crash in between) is published again, and its Nats-Msg-Id makes JetStream
 * drop the copy. Flushes of one instance never overlap.
 */
export class OutboxPublisher {
  private running: Promise<number> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private lastCleanup = 0;

  constructor(
    private readonly sql: postgres.Sql,
    private readonly js: JetStreamClient,
    private readonly log: Logger,
    private readonly metrics: GraderMetrics,
  ) {}

  /** Publishes everything pending; never throws (a failure is logged, counted and retried later). */
  flush(): Promise<number> {
    if (this.running) {
      // a flush in progress may have read before our row committed: run once more after it
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let total = 0;
      try {
        await this.cleanup();
        // no await between the last check of `again` and clearing `running` below, so a
        // flush asked for meanwhile is either run by this loop or starts a new one
        do {
          this.again = false;
          for (;;) {
            const n = await this.publishBatch();
            total += n;
            if (n < BATCH) break;
          }
        } while (this.again);
      } catch (err) {
        this.metrics.publishFailures.inc();
        this.log.warn({ err }, 'outbox publish failed; will retry');
      } finally {
        this.running = undefined;
      }
      return total;
    })();
    return this.running;
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async publishBatch(): Promise<number> {
    let failure: unknown;
    let sent: string[] = [];
    const claimed = await this.sql.begin(async (tx) => {
      const rows = await tx<{ id: string; subject: string; msg_id: string; payload: PicksGraded }[]>`
        select id, subject, msg_id, payload from outbox
        where sent_at is null order by id limit ${BATCH}
        for update skip locked`;
      sent = [];
      for (const r of rows) {
        try {
          await this.js.publish(r.subject, encode(PicksGraded, r.payload), { msgID: r.msg_id });
        } catch (err) {
          failure = err;
          break;
        }
        sent.push(String(r.id));
        this.log.info({ gameId: r.payload.gameId, revision: r.payload.revision, subject: r.subject }, 'picks graded published');
      }
      // what was published is marked (and committed) even when a later publish failed
      if (sent.length) await tx`update outbox set sent_at = now() where id = any(${sent}::bigint[])`;
      return rows.length;
    });
    this.metrics.published.inc(sent.length);
    if (failure !== undefined) throw failure instanceof Error ? failure : new Error('publish failed', { cause: failure });
    return claimed;
  }

  private async cleanup(): Promise<void> {
    if (Date.now() - this.lastCleanup < 3600_000) return;
    this.lastCleanup = Date.now();
    await this.sql`delete from outbox where sent_at < now() - make_interval(days => ${KEEP_SENT_DAYS})`;
  }
}
