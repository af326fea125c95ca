import type { Game, GameChanged } from '@scores/contracts';
import { fixtures } from '@scores/testkit';

const HOUR = 3600_000;

export type Phase = 'pre' | 'in' | 'final' | 'postponed';

const STATUS: Record<Phase, Game['status']> = {
  pre: { state: 'pre', name: 'STATUS_SCHEDULED', detail: 'Sat, Nov 28th at 12:00 PM EST', shortDetail: '11/28 - 12:00 PM EST', period: 0, clock: null, completed: false },
  in: { state: 'in', name: 'STATUS_IN_PROGRESS', detail: '3rd Quarter - 4:12', shortDetail: '4:12 - 3rd', period: 3, clock: '4:12', completed: false },
  final: { state: 'post', name: 'STATUS_FINAL', detail: 'Final', shortDetail: 'Final', period: 4, clock: '0:00', completed: true },
  postponed: { state: 'post', name: 'STATUS_POSTPONED', detail: 'Postponed', shortDetail: 'Postponed', period: 0, clock: null, completed: false },
};

/** A valid game.changed event; `revision` doubles as the home score so revisions are tellable apart. */
export function gameEvent(opts: {
  gameId: string;
  revision: number;
  phase?: Phase;
  occurredAt?: Date | number;
  league?: string;
}): GameChanged {
  const phase = opts.phase ?? 'in';
  const occurredAt = new Date(opts.occurredAt ?? Date.now());
  const scored = phase === 'in' || phase === 'final';
  const game: Game = {
    id: opts.gameId,
    sport: 'football',
    league: opts.league ?? 'college-football',
    season: { year: 2026, type: 2 },
    week: 13,
    kickoff: new Date(occurredAt.getTime() - 2 * HOUR).toISOString(),
    status: STATUS[phase],
    home: { teamId: '130', abbreviation: 'MICH', name: 'Michigan Wolverines', score: scored ? opts.revision : null, winner: phase === 'final' ? true : null, logo: null },
    away: { teamId: '194', abbreviation: 'OSU', name: 'Ohio State Buckeyes', score: scored ? 0 : null, winner: phase === 'final' ? false : null, logo: null },
    possession: phase === 'in' ? 'home' : null,
    broadcasts: ['FOX'],
    odds: { homeSpread: -3.5, overUnder: 47.5, details: 'MICH -3.5' },
  };
  return {
    type: 'game.changed',
    schemaVersion: 1,
    id: `${opts.gameId}:${opts.revision}`,
    occurredAt: occurredAt.toISOString(),
    gameId: opts.gameId,
    revision: opts.revision,
    changed: ['home.score'],
    game,
  };
}

// poll.completed and breaker.changed as every test builds them (packages/testkit)
export const { poll: pollEvent, breaker: breakerEvent } = fixtures;
