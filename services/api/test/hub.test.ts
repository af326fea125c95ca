import { describe, expect, it } from 'vitest';
import { createRegistry } from '@scores/service-kit';
import { testLogger } from '@scores/testkit';
import { resolveFilter } from '../src/games/query.js';
import { apiMetrics } from '../src/metrics.js';
import { GameSnapshot, SseHub, type SseSink } from '../src/index.js';
import { game } from './fixtures.js';

/** A sink that accepts `capacity` bytes and then queues what it is given, as a socket that is not read would. */
class FakeSink implements SseSink {
  written = '';
  queued = 0;
  ended = false;
  destroyed = false;
  constructor(private readonly capacity = Infinity) {}
  get writableLength() {
    return this.queued;
  }
  write(chunk: string) {
    const room = Math.max(0, this.capacity - this.written.length);
    this.written += chunk.slice(0, room);
    this.queued += Math.max(0, chunk.length - room);
    return this.queued === 0;
  }
  end() {
    this.ended = true;
  }
  destroy() {
    this.destroyed = true;
  }
  /** the ids of the game frames received */
  ids() {
    return [...this.written.matchAll(/event: game\nid: (\d+)/g)].map((m) => Number(m[1]));
  }
}

const TODAY = '2026-11-28';
const kickoff = '2026-11-28T17:00:00Z';

function setup(maxQueuedBytes = 64 * 1024) {
  const registry = createRegistry();
  const metrics = apiMetrics(registry);
  const hub = new SseHub({ maxQueuedBytes, heartbeatMs: 60_000, recentUpdates: 3, log: testLogger(), metrics, today: () => TODAY });
  const snapshot = new GameSnapshot();
  snapshot.onChange((u) => hub.broadcast(u));
  return { hub, snapshot, metrics, registry };
}

describe('sse hub', () => {
  it('sends each change to every client whose filter matches, once built', () => {
    const { hub, snapshot } = setup();
    const all = new FakeSink();
    const nfl = new FakeSink();
    hub.connect(all, resolveFilter({}));
    hub.connect(nfl, resolveFilter({ league: 'football/nfl' }));
    snapshot.apply(game({ id: 'a', kickoff }), 1);
    snapshot.apply(game({ id: 'b', kickoff, league: 'nfl' }), 2);
    expect(all.ids()).toEqual([1, 2]);
    expect(nfl.ids()).toEqual([2]);
  });

  it('sends a game one last time when it leaves a filter, so the client can drop it', () => {
    const { hub, snapshot } = setup();
    const live = new FakeSink();
    hub.connect(live, resolveFilter({ live: true }));
    snapshot.apply(game({ id: 'a', kickoff, phase: 'pre' }), 1);
    snapshot.apply(game({ id: 'a', kickoff, phase: 'in', revision: 2 }), 2);
    snapshot.apply(game({ id: 'a', kickoff, phase: 'final', revision: 3 }), 3);
    snapshot.apply(game({ id: 'a', kickoff, phase: 'final', revision: 4 }), 4);
    expect(live.ids()).toEqual([2, 3]);
  });

  it('drops a client that falls too far behind, and the others get everything', async () => {
    const { hub, snapshot, registry } = setup(4096);
    const fast = new FakeSink();
    const slow = new FakeSink(2000);
    hub.connect(fast, resolveFilter({}));
    hub.connect(slow, resolveFilter({}));
    for (let r = 1; r <= 20; r++) snapshot.apply(game({ id: 'a', kickoff, phase: 'in', revision: r }), r);
    expect(fast.ids()).toHaveLength(20);
    expect(slow.destroyed).toBe(true);
    expect(hub.clients.size).toBe(1);
    const dropped = await registry.getSingleMetric('scores_api_sse_dropped_total')!.get();
    expect(dropped.values.find((v) => v.labels.reason === 'slow')?.value).toBe(1);
  });

  it('queues live frames while a client replays, then writes only those after the replay', () => {
    const { hub, snapshot } = setup();
    const sink = new FakeSink();
    const client = hub.connect(sink, resolveFilter({}));
    client.hold();
    snapshot.apply(game({ id: 'a', kickoff, revision: 1 }), 5);
    snapshot.apply(game({ id: 'a', kickoff, revision: 2 }), 6);
    hub.broadcastMeta('{"stale":false}');
    expect(sink.written).toBe('');
    // what the replay writes goes out at once; of the queue only what came after it follows
    client.writeNow('event: game\nid: 5\ndata: {}\n\n');
    client.resume(5);
    expect(sink.ids()).toEqual([5, 6]);
    expect(sink.written).toContain('event: meta');
  });

  it('drops a replaying client whose queue overflows', () => {
    const { hub, snapshot } = setup(2048);
    const sink = new FakeSink();
    const client = hub.connect(sink, resolveFilter({}));
    client.hold();
    for (let r = 1; r <= 5; r++) snapshot.apply(game({ id: 'a', kickoff, revision: r }), r);
    expect(sink.destroyed).toBe(true);
    expect(client.closed).toBe(true);
  });

  it('remembers the last updates for resumption and says when memory does not reach back', () => {
    const { hub, snapshot } = setup();
    snapshot.apply(game({ id: 'a', kickoff }), 10);
    hub.startRecording(snapshot.position);
    for (let r = 2; r <= 6; r++) snapshot.apply(game({ id: 'a', kickoff, revision: r }), 10 + r);
    // kept: the last 3 (seq 14, 15, 16), so memory covers everything after 13
    expect(hub.recentSince(13)?.map((u) => u.entry.seq)).toEqual([14, 15, 16]);
    expect(hub.recentSince(15)?.map((u) => u.entry.seq)).toEqual([16]);
    expect(hub.recentSince(16)).toEqual([]);
    expect(hub.recentSince(12)).toBeUndefined();
  });

  it('sends heartbeats and ends every stream on close', () => {
    const { hub } = setup();
    const a = new FakeSink();
    hub.connect(a, resolveFilter({}));
    hub.heartbeat();
    expect(a.written).toBe(': heartbeat\n\n');
    hub.close();
    expect(a.ended).toBe(true);
    expect(hub.clients.size).toBe(0);
  });
});
