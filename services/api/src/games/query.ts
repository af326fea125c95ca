import type { GameState, GameWithRevision } from '@scores/contracts';
import { addDays, easternDayBounds, isDay } from '@scores/service-kit';
import { badParameter } from '../http/errors.js';
import { compareEntries, type SnapshotEntry } from './snapshot.js';

/** The filters of /api/games, /api/games/live and /api/games/stream, as the query carries them. */
export interface GamesQuery {
  date?: string;
  from?: string;
  to?: string;
  live?: boolean;
  team?: string;
  league?: string;
  status?: GameState;
}

export interface GameFilter {
  /** inclusive US Eastern days; undefined: open-ended */
  fromDay?: string;
  toDay?: string;
  /** no day given: yesterday through the next 7 days, counted from the day of each check */
  defaultWindow: boolean;
  state?: GameState;
  live?: boolean;
  /** the `team` parameter upper-cased, matched against abbreviations (ESPN's are upper case) */
  team?: string;
  /** the `team` parameter as given, matched against team ids */
  teamId?: string;
  /** lower-cased, as ESPN's paths are: `league=Football/NFL` finds football/nfl */
  sport?: string;
  league?: string;
}

/** `value` equals `lower` ignoring case; no allocation when it is already lower case. */
const sameLower = (value: string, lower: string) => value === lower || value.toLowerCase() === lower;

export const DEFAULT_WINDOW = { daysBefore: 1, daysAfter: 7 } as const;

/**
 * Checks what a schema cannot (real calendar days, from <= to, date not mixed with a
 * range) and resolves the filter. `defaultWindow: false` (the live list) means no day
 * limit when no day is given.
 */
export function resolveFilter(q: GamesQuery, opts: { defaultWindow: boolean } = { defaultWindow: true }): GameFilter {
  for (const name of ['date', 'from', 'to'] as const) {
    const v = q[name];
    if (v !== undefined && !isDay(v)) throw badParameter(name, 'must be a calendar day as YYYY-MM-DD');
  }
  if (q.date !== undefined && (q.from !== undefined || q.to !== undefined)) {
    throw badParameter('date', 'cannot be combined with "from" or "to"');
  }
  if (q.from !== undefined && q.to !== undefined && q.from > q.to) throw badParameter('from', 'must not be after "to"');
  const filter: GameFilter = { defaultWindow: false };
  if (q.date !== undefined) {
    filter.fromDay = q.date;
    filter.toDay = q.date;
  } else if (q.from !== undefined || q.to !== undefined) {
    if (q.from !== undefined) filter.fromDay = q.from;
    if (q.to !== undefined) filter.toDay = q.to;
  } else {
    filter.defaultWindow = opts.defaultWindow;
  }
  if (q.status !== undefined) filter.state = q.status;
  if (q.live !== undefined) filter.live = q.live;
  if (q.team !== undefined) {
    const team = q.team.trim();
    if (!team) throw badParameter('team', 'must be a team abbreviation or id');
    filter.teamId = team;
    filter.team = team.toUpperCase();
  }
  if (q.league !== undefined) {
    const [sport, league] = q.league.toLowerCase().split('/');
    filter.sport = sport!;
    filter.league = league!;
  }
  return filter;
}

/** The inclusive day range a filter covers on `today` (a US Eastern day). */
export function dayRange(filter: GameFilter, today: string): { from?: string; to?: string } {
  if (filter.defaultWindow) return { from: addDays(today, -DEFAULT_WINDOW.daysBefore), to: addDays(today, DEFAULT_WINDOW.daysAfter) };
  return {
    ...(filter.fromDay !== undefined ? { from: filter.fromDay } : {}),
    ...(filter.toDay !== undefined ? { to: filter.toDay } : {}),
  };
}

/** Everything but the days (checked by the caller once per range). */
export function matchesGame(filter: GameFilter, game: GameWithRevision): boolean {
  if (filter.state !== undefined && game.status.state !== filter.state) return false;
  if (filter.live !== undefined && (game.status.state === 'in') !== filter.live) return false;
  if (filter.sport !== undefined && !(sameLower(game.sport, filter.sport) && sameLower(game.league, filter.league!))) return false;
  if (filter.team !== undefined) {
    const { team, teamId } = filter;
    const side = (s: GameWithRevision['home']) => s.teamId === teamId || s.abbreviation.toUpperCase() === team;
    if (!side(game.home) && !side(game.away)) return false;
  }
  return true;
}

export function matches(filter: GameFilter, entry: Pick<SnapshotEntry, 'game' | 'day'>, today: string): boolean {
  const range = dayRange(filter, today);
  if (range.from !== undefined && entry.day < range.from) return false;
  if (range.to !== undefined && entry.day > range.to) return false;
  return matchesGame(filter, entry.game);
}

export interface Cursor {
  kickoffMs: number;
  id: string;
}

/** Opaque to clients: the last game of a page, so the next page starts after it even as games change. */
export function encodeCursor(entry: Pick<SnapshotEntry, 'kickoffMs' | 'game'>): string {
  return Buffer.from(JSON.stringify([new Date(entry.kickoffMs).toISOString(), entry.game.id])).toString('base64url');
}

export function decodeCursor(cursor: string): Cursor {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') {
      const kickoffMs = Date.parse(v[0]);
      if (Number.isFinite(kickoffMs)) return { kickoffMs, id: v[1] };
    }
  } catch {
    // the error below says it
  }
  throw badParameter('cursor', 'is not one this server returned (use meta.nextCursor as it is)');
}

/** First index whose entry sorts after `key`, or at/after it when `inclusive`. */
function lowerBound(list: readonly SnapshotEntry[], key: Cursor, after: boolean): number {
  const probe = { kickoffMs: key.kickoffMs, game: { id: key.id } } as SnapshotEntry;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareEntries(list[mid]!, probe);
    if (c < 0 || (after && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface Page {
  entries: SnapshotEntry[];
  nextCursor: string | null;
}

/**
 * One page of the games matching a filter, from a list sorted by kickoff then id. The
 * day range narrows the scan by binary search: the hot path touches only its days.
 * Without a limit, every matching game (after the cursor, if any) and no next cursor.
 */
export function pageOf(sorted: readonly SnapshotEntry[], filter: GameFilter, today: string, limit = Infinity, cursor?: Cursor): Page {
  const range = dayRange(filter, today);
  let start = range.from === undefined ? 0 : lowerBound(sorted, { kickoffMs: easternDayBounds(range.from).start.getTime(), id: '' }, false);
  if (cursor) start = Math.max(start, lowerBound(sorted, cursor, true));
  const endMs = range.to === undefined ? Infinity : easternDayBounds(range.to).end.getTime();
  const out: SnapshotEntry[] = [];
  let more = false;
  for (let i = start; i < sorted.length; i++) {
    const e = sorted[i]!;
    if (e.kickoffMs >= endMs) break;
    if (!matchesGame(filter, e.game)) continue;
    if (out.length === limit) {
      more = true;
      break;
    }
    out.push(e);
  }
  const last = out.at(-1);
  return { entries: out, nextCursor: more && last ? encodeCursor(last) : null };
}
