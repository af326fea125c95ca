import { easternDate, type Logger } from '@scores/service-kit';
import { matches, type GameFilter } from '../games/query.js';
import type { GameUpdate } from '../games/snapshot.js';
import type { ApiMetrics } from '../metrics.js';
import { gameFrame, heartbeatFrame, metaFrame } from './frames.js';

/** The part of a ServerResponse the hub writes to (a fake in tests). */
export interface SseSink {
  write(chunk: string): boolean;
  readonly writableLength: number;
  end(): void;
  destroy(): void;
}

export interface HubOptions {
  /** bytes one client may have queued before it is dropped as too slow */
  maxQueuedBytes: number;
  heartbeatMs: number;
  /** updates kept in memory so a reconnection resumes without a JetStream round trip */
  recentUpdates: number;
  log: Logger;
  metrics?: ApiMetrics;
  /** the US Eastern day now (tests pin it) */
  today?: () => string;
}

type DropReason = 'slow' | 'replay-failed' | 'shutdown';

/**
 * One connected client. While it replays missed events its live frames wait in a queue;
 * either way its queue is bounded, and a client that falls too far behind is dropped
 * (it reconnects with Last-Event-ID and resumes where it was).
 */
export class SseClient {
  private pending: { seq: number; frame: string }[] | null = null;
  private pendingBytes = 0;
  closed = false;

  constructor(
    readonly id: number,
    readonly sink: SseSink,
    readonly filter: GameFilter,
    private readonly hub: SseHub,
  ) {}

  /** A change goes to a client when the game matches its filter now or did before (so it sees a game leave). */
  accepts(update: GameUpdate, today: string): boolean {
    return matches(this.filter, update.entry, today) || (update.previous !== undefined && matches(this.filter, update.previous, today));
  }

  /** A live frame: queued while the client is held. `seq`: the stream sequence a game frame stands for (0 for anything else). */
  write(frame: string, seq = 0): boolean {
    if (this.closed) return false;
    if (this.pending) {
      this.pending.push({ seq, frame });
      this.pendingBytes += frame.length;
      if (this.pendingBytes > this.hub.maxQueuedBytes) {
        this.hub.drop(this, 'slow');
        return false;
      }
      return true;
    }
    return this.writeNow(frame);
  }

  /** A frame that goes out now, held or not (what a replay writes); still bounded. */
  writeNow(frame: string): boolean {
    if (this.closed) return false;
    if (this.sink.writableLength + frame.length > this.hub.maxQueuedBytes) {
      this.hub.drop(this, 'slow');
      return false;
    }
    this.sink.write(frame);
    return true;
  }

  /** Live frames queue from now on, until `resume()`. */
  hold(): void {
    this.pending ??= [];
  }

  /** Writes what queued meanwhile, skipping games at or before `after` (already replayed), and goes live. */
  resume(after: number): void {
    const queued = this.pending ?? [];
    this.pending = null;
    this.pendingBytes = 0;
    for (const { seq, frame } of queued) if (seq === 0 || seq > after) this.write(frame, seq);
  }
}

/**
 * Fans every change out to this replica's SSE clients from one shared subscription. A
 * frame is built once per change, whatever the number of clients; a write never waits
 * for a client, so a slow one cannot slow the others.
 */
export class SseHub {
  readonly clients = new Set<SseClient>();
  readonly maxQueuedBytes: number;
  private nextId = 1;
  private timer: NodeJS.Timeout | undefined;
  private readonly recent: GameUpdate[] = [];
  /** `recent` holds every update after this stream sequence (-1: not recording yet) */
  private coveredFrom = -1;
  private readonly today: () => string;

  constructor(private readonly opts: HubOptions) {
    this.maxQueuedBytes = opts.maxQueuedBytes;
    this.today = opts.today ?? (() => easternDate(Date.now()));
  }

  start(): void {
    this.timer ??= setInterval(() => this.heartbeat(), this.opts.heartbeatMs);
    this.timer.unref();
  }

  connect(sink: SseSink, filter: GameFilter): SseClient {
    const client = new SseClient(this.nextId++, sink, filter, this);
    this.clients.add(client);
    this.opts.metrics?.sseClients.set(this.clients.size);
    return client;
  }

  /** The client went away (or was dropped): forget it. */
  remove(client: SseClient): void {
    client.closed = true;
    if (this.clients.delete(client)) this.opts.metrics?.sseClients.set(this.clients.size);
  }

  drop(client: SseClient, reason: DropReason): void {
    if (client.closed) return;
    this.remove(client);
    this.opts.metrics?.sseDropped.inc({ reason });
    this.opts.log.info({ client: client.id, reason, queuedBytes: client.sink.writableLength }, 'sse client dropped');
    client.sink.destroy();
  }

  broadcast(update: GameUpdate): void {
    const { seq } = update.entry;
    if (this.coveredFrom >= 0 && seq > 0) {
      this.recent.push(update);
      if (this.recent.length > this.opts.recentUpdates) this.coveredFrom = this.recent.shift()!.entry.seq;
    }
    if (this.clients.size === 0) return;
    const frame = gameFrame(seq, update.entry.json);
    const today = this.today();
    let sent = 0;
    for (const client of this.clients) {
      if (client.accepts(update, today) && client.write(frame, seq)) sent++;
    }
    this.opts.metrics?.sseFrames.inc({ kind: 'game' }, sent);
  }

  broadcastMeta(json: string): void {
    const frame = metaFrame(json);
    for (const client of this.clients) client.write(frame);
    this.opts.metrics?.sseFrames.inc({ kind: 'meta' }, this.clients.size);
  }

  /** Keeps updates from here on for resumptions; `position` is the stream sequence already reflected. */
  startRecording(position: number): void {
    if (this.coveredFrom < 0) this.coveredFrom = position;
  }

  /** Updates after `lastId`, in stream order; undefined when memory does not reach back that far. */
  recentSince(lastId: number): GameUpdate[] | undefined {
    if (this.coveredFrom < 0 || lastId < this.coveredFrom) return undefined;
    let lo = 0;
    let hi = this.recent.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.recent[mid]!.entry.seq <= lastId) lo = mid + 1;
      else hi = mid;
    }
    return this.recent.slice(lo);
  }

  heartbeat(): void {
    for (const client of this.clients) client.write(heartbeatFrame);
    this.opts.metrics?.sseFrames.inc({ kind: 'heartbeat' }, this.clients.size);
  }

  /** Ends every stream (clients reconnect elsewhere with their Last-Event-ID) and stops the heartbeat. */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const client of [...this.clients]) {
      this.remove(client);
      client.sink.end();
    }
  }
}
