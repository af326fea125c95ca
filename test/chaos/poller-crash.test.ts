/**
 * A poller killed in the middle of a poll. Ticks come through one durable shared by every
 * poller replica with one tick in flight (max_ack_pending 1), so the tick the dead
 * poller held blocks every other tick until JetStream gives it up (ack_wait). This
 * measures how long polling stops, and holds it to a bound.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { decode, PollCompleted, streamSpecs, subjects } from '@scores/contracts';
import { buildGameDay, startSimulator, type Simulator } from '@scores/espn-sim';
import { easternDate } from '@scores/service-kit';
import { connectTestNats, dropNamespace, freshDatabase, freshNamespace, readStream, testEnv, waitFor } from '@scores/testkit';
import { startPipeline, type Pipeline } from './pipeline.js';
import { report } from './report.js';

/** How long polling may stop after a poller dies mid-poll. */
const RESUME_BOUND_MS = 30_000;

describe('a poller killed mid-poll', () => {
  const ns = freshNamespace('pollcrash');
  let sim: Simulator;
  let pipeline: Pipeline;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let db: Awaited<ReturnType<typeof freshDatabase>>;

  const completed = async () => {
    const msgs = await readStream({ js: jetstream(nc), jsm }, streamSpecs(ns).polls.name, subjects.pollCompleted(ns));
    return msgs.map((m) => decode(PollCompleted, m.data));
  };

  beforeAll(async () => {
    const day = easternDate(Date.now());
    const rec = buildGameDay({ day });
    sim = await startSimulator({ clock: new Date(rec.snapshots[0]!.at.getTime() + 60 * 60_000) });
    sim.loadRecording(rec);
    nc = await connectTestNats('pollcrash');
    jsm = await jetstreamManager(nc);
    db = await freshDatabase('pollcrash');
    pipeline = await startPipeline({
      services: ['poller', 'scheduler'],
      env: {
        NAMESPACE: ns,
        NATS_URL: testEnv.natsUrl,
        DATABASE_URL: db.url,
        ESPN_BASE_URL: sim.baseUrl,
        POLL_LIVE_S: '1',
        POLL_IDLE_S: '1',
        POLL_OFFSEASON_S: '1',
        POLL_MIN_GAP_S: '0',
        ESPN_TIMEOUT_MS: '10000',
        ESPN_RATE_LIMIT_PER_S: '100',
        LOG_LEVEL: 'info',
      },
    });
    await Promise.all([...pipeline.services.values()].map((s) => s.ready()));
    await waitFor(async () => (await completed()).length >= 2, { timeoutMs: 30_000, message: 'no polls' });
  }, 120_000);

  afterAll(async () => {
    await pipeline?.stop();
    await sim?.close();
    if (nc) {
      await dropNamespace(jsm, ns);
      await nc.drain();
    }
    await db?.drop();
  });

  it(`polls again within ${RESUME_BOUND_MS / 1000} s`, async () => {
    // a slow ESPN holds the next poll open long enough to kill the poller inside it
    sim.fault({ kind: 'slow', ms: 4000, times: Infinity });
    const before = sim.requests.length;
    await waitFor(() => sim.requests.length > before, { timeoutMs: 20_000, message: 'no request under the slow fault' });
    await pipeline.get('poller').kill('SIGKILL', 200);
    sim.clearFaults();
    const killedAt = Date.now();
    const seen = (await completed()).length;
    await pipeline.get('poller').ready();
    const resumed = await waitFor(async () => ((await completed()).length > seen ? Date.now() : undefined), {
      timeoutMs: 180_000,
      intervalMs: 250,
    });
    const stalledMs = resumed - killedAt;
    report('poller-crash', { stalledMs, boundMs: RESUME_BOUND_MS });
    expect(stalledMs).toBeLessThan(RESUME_BOUND_MS);
  }, 240_000);
});
