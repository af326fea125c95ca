import type { JetStreamClient } from '@nats-io/jetstream';
import { encode, PicksGraded } from '@scores/contracts';
import type { Logger } from '@scores/service-kit';
import type postgres from 'postgres';
import { pgArray } from './db/arrays.js';
import type { GraderMetrics } from './metrics.js';

const BATCH = 100;
const LEASE_S = 30;
const KEEP_SENT_DAYS = 7;

/**
 * Publishes the outbox rows the grading transaction wrote (picks.graded), oldest first.
 * A publisher leases a batch (FOR UPDATE SKIP LOCKED, then a claim that expires), so
 * replicas flushing at once publish each row once, and no transaction stays open
 * while NATS answers. A row published but not marked (a crash in between) is published
 * again when its lease ends; its Nats-Msg-Id makes JetStream drop the copy. Flushes of
 * one instance never overlap.
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
      // the flush in progress may have read before the caller's row committed
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
    const rows = await this.sql<{ id: string; subject: string; msg_id: string; payload: PicksGraded }[]>`
      update outbox set claimed_until = now() + make_interval(secs => ${LEASE_S})
      where id in (select id from outbox
                   where sent_at is null and (claimed_until is null or claimed_until < now())
                   order by id limit ${BATCH}
                   for update skip locked)
      returning id, subject, msg_id, payload`;
    rows.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    const sent: string[] = [];
    let failure: unknown;
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
    if (sent.length) {
      await this.sql`update outbox set sent_at = now(), claimed_until = null where id = any(${pgArray(sent)}::bigint[])`;
      this.metrics.published.inc(sent.length);
    }
    const unsent = rows.slice(sent.length).map((r) => String(r.id));
    if (unsent.length) {
      // give them back at once rather than at the end of the lease
      await this.sql`update outbox set claimed_until = null where id = any(${pgArray(unsent)}::bigint[])`.catch(() => undefined);
    }
    if (failure !== undefined) throw failure instanceof Error ? failure : new Error('publish failed', { cause: failure });
    return rows.length;
  }

  private async cleanup(): Promise<void> {
    if (Date.now() - this.lastCleanup < 3600_000) return;
    this.lastCleanup = Date.now();
    await this.sql`delete from outbox where sent_at < now() - make_interval(days => ${KEEP_SENT_DAYS})`;
  }
}
