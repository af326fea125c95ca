import { isVoid } from '@scores/contracts';
import { addDays, easternDate } from '@scores/service-kit';
import type { LeagueRef } from '../config.js';
import type { GameRecord } from './revisions.js';

const FINAL_WATCH_MS = 72 * 3600_000;
/**
 * A `pre` game whose kickoff has passed is a delayed start, about to begin: it stays the next
 * kickoff (in the past) so that the scheduler keeps polling for it. Beyond this it is stale
 * data (ESPN never updated the game), not an imminent start.
 */
export const DELAYED_START_MS = 12 * 3600_000;

export interface PlannedRequest {
  league: LeagueRef;
  /** YYYY-MM-DD, US Eastern */
  day: string;
  future: boolean;
}

export const leagueKey = (l: { sport: string; league: string }) => `${l.sport}/${l.league}`;

/**
 * One request per league per day: today and yesterday (late games cross midnight), each
 * day holding a game that went final in the last 72 hours (ESPN corrects finals), and
 * the next 7 days when they are due (at most once per idle interval).
 */
export function planPoll(opts: {
  now: number;
  leagues: LeagueRef[];
  records: Iterable<GameRecord>;
  includeFuture: boolean;
}): PlannedRequest[] {
  const today = easternDate(opts.now);
  const base = [addDays(today, -1), today];
  const finalDays = new Map<string, Set<string>>();
  for (const r of opts.records) {
    if (!r.finalAt || opts.now - Date.parse(r.finalAt) > FINAL_WATCH_MS) continue;
    const key = leagueKey(r.game);
    let days = finalDays.get(key);
    if (!days) finalDays.set(key, (days = new Set()));
    days.add(easternDate(r.game.kickoff));
  }
  const out: PlannedRequest[] = [];
  for (const league of opts.leagues) {
    const days = new Set([...base, ...(finalDays.get(leagueKey(league)) ?? [])]);
    for (const day of [...days].sort()) out.push({ league, day, future: false });
    if (opts.includeFuture) for (let i = 1; i <= 7; i++) out.push({ league, day: addDays(today, i), future: true });
  }
  return out;
}

/**
 * What the scheduler and the api need to know after a poll, from the revisions.
 * `nextKickoff` is the kickoff of the next game to start: the earliest `pre` game not
 * postponed or canceled, a delayed start (kickoff passed less than DELAYED_START_MS ago,
 * still `pre`) included, so it may lie in the past.
 */
export function summarise(opts: { now: number; leagues: LeagueRef[]; records: Iterable<GameRecord> }): {
  liveGameCount: number;
  nextKickoff: string | null;
} {
  const wanted = new Set(opts.leagues.map(leagueKey));
  const today = easternDate(opts.now);
  const current = new Set([addDays(today, -1), today]);
  let live = 0;
  let next = Infinity;
  for (const { game } of opts.records) {
    if (!wanted.has(leagueKey(game))) continue;
    if (game.status.state === 'in' && current.has(easternDate(game.kickoff))) live++;
    if (game.status.state === 'pre' && !isVoid(game)) {
      const k = Date.parse(game.kickoff);
      if (k >= opts.now - DELAYED_START_MS && k < next) next = k;
    }
  }
  return { liveGameCount: live, nextKickoff: Number.isFinite(next) ? new Date(next).toISOString() : null };
}

/** Runs `fn` over `items` with at most `limit` at once, keeping the order of results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
