import { envReader, readCommon, readDatabaseUrl, type CommonConfig } from '@scores/service-kit';

export interface GraderConfig {
  common: CommonConfig;
  databaseUrl: string;
  /** the most game.changed events one replica applies in one call and one transaction */
  batchMax: number;
  /** Postgres connections of one replica */
  poolMax: number;
  /** how often pending picks.graded events are (re)published */
  outboxIntervalMs: number;
  /** how long an event may stay unacked before JetStream redelivers it */
  ackWaitMs: number;
}

/** Pure: reads the environment once and names every bad variable at once. */
export function loadConfig(env: Record<string, string | undefined>): GraderConfig {
  const v = envReader(env);
  const cfg: GraderConfig = {
    common: readCommon(v),
    databaseUrl: readDatabaseUrl(v),
    // two batches may be unacked at once (one applied, one arriving): under max_ack_pending (1000)
    batchMax: v.int('GRADER_BATCH_MAX', 256, { min: 1, max: 500 }),
    poolMax: v.int('DATABASE_POOL_MAX', 10, { min: 2, max: 200 }),
    outboxIntervalMs: v.int('GRADER_OUTBOX_INTERVAL_S', 15, { min: 1, max: 3600 }) * 1000,
    ackWaitMs: v.int('GRADER_ACK_WAIT_S', 30, { min: 5, max: 600 }) * 1000,
  };
  v.done();
  return cfg;
}
