/**
 * Every event as a list of versions in sim time. A request at sim time T sees, per event,
 * the latest version with `at <= T` (a removal is a version too). Stored versions are never
 * mutated, so their JSON is cached and responses are stitched from those strings.
 */
import { easternDates } from './time.js';
import type { EspnEvent } from './types.js';

interface Version {
  at: number;
  seq: number;
  league: string;
  event: EspnEvent | null;
  /** YYYYMMDD (Eastern) of event.date */
  dates: string | null;
  kickoff: number;
  json: string | null;
}

export interface CurrentEvent {
  league: string;
  event: EspnEvent;
  dates: string;
  json: string;
}

export class EventStore {
  private readonly byId = new Map<string, Version[]>();
  private readonly order = new Map<string, number>();
  private seq = 0;

  /** Stores `event` (which the store now owns: pass a clone) as a version current from `at`. */
  put(league: string, event: EspnEvent, at: Date): void {
    const kickoff = Date.parse(event.date);
    this.insert(event.id, {
      at: at.getTime(),
      seq: ++this.seq,
      league,
      event,
      dates: Number.isNaN(kickoff) ? null : easternDates(kickoff),
      kickoff: Number.isNaN(kickoff) ? Number.MAX_SAFE_INTEGER : kickoff,
      json: null,
    });
  }

  remove(id: string, league: string, at: Date): void {
    this.insert(id, { at: at.getTime(), seq: ++this.seq, league, event: null, dates: null, kickoff: 0, json: null });
  }

  private insert(id: string, v: Version): void {
    let list = this.byId.get(id);
    if (!list) {
      list = [];
      this.byId.set(id, list);
      this.order.set(id, this.order.size);
    }
    let i = list.length;
    while (i > 0 && list[i - 1]!.at > v.at) i--;
    list.splice(i, 0, v);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /**
   * The version an edit at `at` builds on: the one current at `at`, else (the event only
   * exists later) its latest. Removed events have none.
   */
  base(id: string, at: Date): { league: string; event: EspnEvent } | null {
    const list = this.byId.get(id);
    if (!list || list.length === 0) return null;
    const v = this.versionAt(list, at.getTime()) ?? list[list.length - 1]!;
    return v.event ? { league: v.league, event: v.event } : null;
  }

  /** League of the event's latest version (removals keep it). */
  leagueOf(id: string): string | null {
    const list = this.byId.get(id);
    return list?.[list.length - 1]?.league ?? null;
  }

  private versionAt(list: Version[], t: number): Version | undefined {
    for (let i = list.length - 1; i >= 0; i--) if (list[i]!.at <= t) return list[i];
    return undefined;
  }

  /** Current events at `now` (sorted by kickoff, then first appearance), optionally filtered. */
  current(now: Date, filter?: (league: string, dates: string) => boolean): CurrentEvent[] {
    const t = now.getTime();
    const out: (CurrentEvent & { kickoff: number; order: number })[] = [];
    for (const [id, list] of this.byId) {
      const v = this.versionAt(list, t);
      if (!v?.event || v.dates === null) continue;
      if (filter && !filter(v.league, v.dates)) continue;
      v.json ??= JSON.stringify(v.event);
      out.push({ league: v.league, event: v.event, dates: v.dates, json: v.json, kickoff: v.kickoff, order: this.order.get(id) ?? 0 });
    }
    out.sort((a, b) => a.kickoff - b.kickoff || a.order - b.order);
    return out;
  }

  countsByLeague(now: Date): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const c of this.current(now)) counts[c.league] = (counts[c.league] ?? 0) + 1;
    return counts;
  }

  get versionCount(): number {
    let n = 0;
    for (const list of this.byId.values()) n += list.length;
    return n;
  }
}
