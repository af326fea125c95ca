/**
 * Valid contract objects for tests: a game in a phase, its game.changed event, poll,
 * breaker and heartbeat events. Every builder's output passes the contracts' schemas.
 */
import type { BreakerChanged, Game, GameChanged, GameWithRevision, PollCompleted, ServiceHeartbeat } from '@scores/contracts';

export type Phase = 'pre' | 'in' | 'final' | 'postponed';

const STATUS: Record<Phase, Game['status']> = {
  pre: { state: 'pre', name: 'STATUS_SCHEDULED', detail: 'Sat, Nov 28th at 12:00 PM EST', shortDetail: '11/28 - 12:00 PM EST', period: 0, clock: null, completed: false },
  in: { state: 'in', name: 'STATUS_IN_PROGRESS', detail: '3rd Quarter - 4:12', shortDetail: '4:12 - 3rd', period: 3, clock: '4:12', completed: false },
  final: { state: 'post', name: 'STATUS_FINAL', detail: 'Final', shortDetail: 'Final', period: 4, clock: '0:00', completed: true },
  postponed: { state: 'post', name: 'STATUS_POSTPONED', detail: 'Postponed', shortDetail: 'Postponed', period: 0, clock: null, completed: false },
};

export interface GameOpts {
  id: string;
  kickoff: string | Date | number;
  phase?: Phase;
  revision?: number;
  league?: string;
  sport?: string;
  home?: { teamId: string; abbreviation: string; score?: number | null };
  away?: { teamId: string; abbreviation: string; score?: number | null };
  homeSpread?: number | null;
}

/** A valid game with its revision; scores default to null before kickoff and 0/0 after. */
export function game(o: GameOpts): GameWithRevision {
  const phase = o.phase ?? 'pre';
  const scored = phase === 'in' || phase === 'final';
  const home = o.home ?? { teamId: '130', abbreviation: 'MICH' };
  const away = o.away ?? { teamId: '194', abbreviation: 'OSU' };
  const hs = home.score !== undefined ? home.score : scored ? 0 : null;
  const as = away.score !== undefined ? away.score : scored ? 0 : null;
  return {
    id: o.id,
    sport: o.sport ?? 'football',
    league: o.league ?? 'college-football',
    season: { year: 2026, type: 2 },
    week: 13,
    kickoff: new Date(o.kickoff).toISOString(),
    status: STATUS[phase],
    home: { teamId: home.teamId, abbreviation: home.abbreviation, name: `${home.abbreviation} team`, score: hs, winner: phase === 'final' ? (hs ?? 0) > (as ?? 0) : null, logo: null },
    away: { teamId: away.teamId, abbreviation: away.abbreviation, name: `${away.abbreviation} team`, score: as, winner: phase === 'final' ? (as ?? 0) > (hs ?? 0) : null, logo: null },
    possession: phase === 'in' ? 'home' : null,
    broadcasts: ['FOX'],
    odds: o.homeSpread === undefined ? { homeSpread: -3.5, overUnder: 47.5, details: 'MICH -3.5' } : o.homeSpread === null ? null : { homeSpread: o.homeSpread, overUnder: 47.5, details: null },
    revision: o.revision ?? 1,
  };
}

/** The game.changed event carrying a game (its revision is the event's). */
export function changed(g: GameWithRevision, at: Date | number = Date.now()): GameChanged {
  const { revision, ...plain } = g;
  return {
    type: 'game.changed',
    schemaVersion: 1,
    id: `${g.id}:${revision}`,
    occurredAt: new Date(at).toISOString(),
    gameId: g.id,
    revision,
    changed: revision === 1 ? [] : ['home.score'],
    game: plain,
  };
}

export function poll(at: Date | number, liveGameCount: number, ok = true): PollCompleted {
  return {
    at: new Date(at).toISOString(),
    leagues: ['football/college-football'],
    gamesSeen: 10,
    changed: 1,
    liveGameCount,
    hasLiveGames: liveGameCount > 0,
    nextKickoff: null,
    durationMs: 120,
    ok,
  };
}

export function breaker(state: BreakerChanged['state'], at: Date | number, failures: number): BreakerChanged {
  const t = new Date(at);
  return {
    state,
    failures,
    openedAt: state === 'closed' ? null : t.toISOString(),
    retryAt: state === 'closed' ? null : new Date(t.getTime() + 300_000).toISOString(),
    at: t.toISOString(),
  };
}

export function heartbeat(service: string, instance: string, at: Date | number, ready = true): ServiceHeartbeat {
  return {
    service,
    instance,
    version: '0.1.0',
    startedAt: new Date(0).toISOString(),
    at: new Date(at).toISOString(),
    ready,
    checks: { nats: true },
    intervalS: 10,
  };
}
