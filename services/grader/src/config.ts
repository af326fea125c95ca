import { envReader, readCommon, readDatabaseUrl, type CommonConfig } from '@scores/service-kit';

export interface GraderConfig {
  common: CommonConfig;
  databaseUrl: string;
  /** batches of game.changed one replica applies at once (each one call, one transaction) */
  concurrency: number;
  /** the most game.changed events one replica applies in one call and one transaction */
  batchMax: number;
  /** Postgres connections of one replica */
  poolMax: number;
  /** how often pending picks.graded events are (re)published */
  outboxIntervalMs: number;
  /** how long an event may stay unacked before JetStream redelivers it */
  ackWaitMs: number;
}

const MAX_ACK_PENDING = 1000;

/** Pure: reads the environment once and names every bad variable at once. */
export function loadConfig(env: Record<string, string | undefined>): GraderConfig {
  const v = envReader(env);
  const cfg: GraderConfig = {
    common: readCommon(v),
    databaseUrl: readDatabaseUrl(v),
    concurrency: v.int('GRADER_CONCURRENCY', 2, { min: 1, max: 8 }),
    batchMax: 0,
    poolMax: v.int('DATABASE_POOL_MAX', 10, { min: 2, max: 200 }),
    outboxIntervalMs: v.int('GRADER_OUTBOX_INTERVAL_S', 15, { min: 1, max: 3600 }) * 1000,
    ackWaitMs: v.int('GRADER_ACK_WAIT_S', 30, { min: 5, max: 600 }) * 1000,
  };
  // the batches applied plus the one arriving are unacked at once: under the durable's
  // max_ack_pending (1000), or JetStream holds back what would fill them
  const fits = Math.floor(MAX_ACK_PENDING / (cfg.concurrency + 1));
  cfg.batchMax = v.int('GRADER_BATCH_MAX', Math.min(250, fits), { min: 1, max: Math.max(1, fits) });
  v.done();
  return cfg;
}
