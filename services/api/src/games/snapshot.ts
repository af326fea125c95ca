import { isLive, type GameWithRevision } from '@scores/contracts';
import { easternDate } from '@scores/service-kit';

/** One game as this replica holds it; everything a request needs is computed once per revision. */
export interface SnapshotEntry {
  readonly game: GameWithRevision;
  /** JetStream sequence of the message this revision came from; 0 when only Postgres had it */
  readonly seq: number;
  /** the US Eastern date of kickoff, as ESPN files games */
  readonly day: string;
  readonly kickoffMs: number;
  /** the game as JSON, serialized once and shared by every response and SSE frame */
  readonly json: string;
}

export interface GameUpdate {
  entry: SnapshotEntry;
  /** the revision this one replaced (undefined for a game seen for the first time) */
  previous: SnapshotEntry | undefined;
}

export function toEntry(game: GameWithRevision, seq: number): SnapshotEntry {
  return { game, seq, day: easternDate(game.kickoff), kickoffMs: Date.parse(game.kickoff), json: JSON.stringify(game) };
}

/** Kickoff, then id: the order of every list and cursor. */
export function compareEntries(a: SnapshotEntry, b: SnapshotEntry): number {
  return a.kickoffMs - b.kickoffMs || (a.game.id < b.game.id ? -1 : a.game.id > b.game.id ? 1 : 0);
}

/**
 * The current games of this replica, in memory: a request costs no database or Redis
 * round trip. Holds the highest revision of each game, whatever order revisions arrive
 * in (Postgres at start, the games stream at start and ever after).
 */
export class GameSnapshot {
  private readonly byId = new Map<string, SnapshotEntry>();
  private sorted: SnapshotEntry[] | null = [];
  private live = 0;
  private readonly listeners = new Set<(update: GameUpdate) => void>();
  /** grows with every applied change; responses are cached per version */
  version = 0;
  /** the last games-stream sequence this replica has read (applied or not) */
  position = 0;

  get size(): number {
    return this.byId.size;
  }

  get liveCount(): number {
    return this.live;
  }

  get(id: string): SnapshotEntry | undefined {
    return this.byId.get(id);
  }

  /**
   * Applies a revision when it is newer than the one held, and tells the listeners.
   * The same revision read again from the stream only records its sequence.
   */
  apply(game: GameWithRevision, seq: number): GameUpdate | undefined {
    if (seq > this.position) this.position = seq;
    const previous = this.byId.get(game.id);
    if (previous && game.revision <= previous.game.revision) {
      if (game.revision === previous.game.revision && previous.seq === 0 && seq > 0) {
        this.byId.set(game.id, { ...previous, seq });
      }
      return undefined;
    }
    const entry = toEntry(game, seq);
    this.byId.set(game.id, entry);
    if (!previous || previous.kickoffMs !== entry.kickoffMs) this.sorted = null;
    else if (this.sorted) this.sorted[this.indexOf(previous)] = entry;
    this.live += (isLive(game) ? 1 : 0) - (previous && isLive(previous.game) ? 1 : 0);
    this.version++;
    const update = { entry, previous };
    for (const listener of this.listeners) listener(update);
    return update;
  }

  /** Every game by kickoff, then id (rebuilt only after a kickoff moved or a game arrived). */
  entries(): readonly SnapshotEntry[] {
    if (!this.sorted) this.sorted = [...this.byId.values()].sort(compareEntries);
    return this.sorted;
  }

  onChange(listener: (update: GameUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private indexOf(entry: SnapshotEntry): number {
    const list = this.sorted!;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareEntries(list[mid]!, entry) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
