import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('defaults every variable', () => {
    const cfg = loadConfig({});
    expect(cfg).toMatchObject({
      databaseUrl: 'postgres://127.0.0.1:5432/scores',
      concurrency: 2,
      batchMax: 250,
      poolMax: 10,
      outboxIntervalMs: 15_000,
      ackWaitMs: 30_000,
      common: { namespace: 'scores' },
    });
  });

  it('names every bad variable at once', () => {
    let problems: string[] = [];
    try {
      loadConfig({ DATABASE_URL: 'mysql://x', GRADER_BATCH_MAX: '0', DATABASE_POOL_MAX: 'many', NAMESPACE: 'a.b' });
    } catch (err) {
      problems = (err as { problems: string[] }).problems;
    }
    expect(problems.map((p) => p.split('=')[0]).sort()).toEqual(['DATABASE_POOL_MAX', 'DATABASE_URL', 'GRADER_BATCH_MAX', 'NAMESPACE']);
  });

  it('keeps the batches in flight under the durable max_ack_pending (1000)', () => {
    // (concurrency + 1) batches unacked at once
    expect(loadConfig({ GRADER_CONCURRENCY: '4' }).batchMax).toBe(200);
    expect(loadConfig({ GRADER_CONCURRENCY: '1', GRADER_BATCH_MAX: '500' }).batchMax).toBe(500);
    let problems: string[] = [];
    try {
      loadConfig({ GRADER_CONCURRENCY: '3', GRADER_BATCH_MAX: '300' });
    } catch (err) {
      problems = (err as { problems: string[] }).problems;
    }
    expect(problems.map((p) => p.split('=')[0])).toEqual(['GRADER_BATCH_MAX']);
  });
});
