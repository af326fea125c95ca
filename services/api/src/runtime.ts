import type { Logger } from '@scores/service-kit';
import type { ApiConfig } from './config.js';
import { GameSnapshot } from './games/snapshot.js';
import type { ApiMetrics } from './metrics.js';
import { MetaState } from './meta/state.js';
import { SseHub } from './sse/hub.js';
import { HeartbeatBoard } from './status/heartbeats.js';

/** The in-memory state one api replica serves from, wired together: every change reaches the SSE hub. */
export interface ApiRuntime {
  snapshot: GameSnapshot;
  meta: MetaState;
  heartbeats: HeartbeatBoard;
  hub: SseHub;
}

/** Updates kept for SSE resumption from memory (about 1 KB each). */
export const RECENT_UPDATES = 5000;

export function createRuntime(cfg: Pick<ApiConfig, 'sse'>, log: Logger, metrics?: ApiMetrics, opts: { today?: () => string } = {}): ApiRuntime {
  const snapshot = new GameSnapshot();
  const meta = new MetaState();
  const heartbeats = new HeartbeatBoard();
  const hub = new SseHub({
    maxQueuedBytes: cfg.sse.maxQueuedBytes,
    heartbeatMs: cfg.sse.heartbeatS * 1000,
    recentUpdates: RECENT_UPDATES,
    log,
    ...(metrics ? { metrics } : {}),
    ...(opts.today ? { today: opts.today } : {}),
  });
  snapshot.onChange((update) => {
    hub.broadcast(update);
    metrics?.snapshotGames.set(snapshot.size);
    metrics?.snapshotLive.set(snapshot.liveCount);
  });
  meta.onChange((m) => hub.broadcastMeta(JSON.stringify(m)));
  return { snapshot, meta, heartbeats, hub };
}
