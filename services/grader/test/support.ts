/** Builders shared by the grader's tests: valid game.changed events and their publishing. */
import type { JetStreamClient } from '@nats-io/jetstream';
import { check, encode, GameChanged, msgIds, subjects, type Game } from '@scores/contracts';

export type Phase = 'pre' | 'in' | 'final' | 'postponed' | 'canceled' | 'suspended';

export interface GameSpec {
  id: string;
  revision: number;
  phase?: Phase;
  home?: number | null;
  away?: number | null;
  week?: number | null;
  kickoff?: string;
  homeTeamId?: string;
  awayTeamId?: string;
  homeSpread?: number | null;
  sport?: string;
  league?: string;
}

const STATUS: Record<Phase, Game['status']> = {
  pre: { state: 'pre', name: 'STATUS_SCHEDULED', detail: 'Sat, Nov 28th at 12:00 PM EST', shortDetail: '11/28 - 12:00 PM EST', period: 0, clock: null, completed: false },
  in: { state: 'in', name: 'STATUS_IN_PROGRESS', detail: '3rd Quarter - 4:12', shortDetail: '4:12 - 3rd', period: 3, clock: '4:12', completed: false },
  final: { state: 'post', name: 'STATUS_FINAL', detail: 'Final', shortDetail: 'Final', period: 4, clock: null, completed: true },
  postponed: { state: 'post', name: 'STATUS_POSTPONED', detail: 'Postponed', shortDetail: 'Postponed', period: 0, clock: null, completed: false },
  canceled: { state: 'post', name: 'STATUS_CANCELED', detail: 'Canceled', shortDetail: 'Canceled', period: 0, clock: null, completed: false },
  suspended: { state: 'in', name: 'STATUS_SUSPENDED', detail: 'Suspended', shortDetail: 'Suspended', period: 2, clock: '7:00', completed: false },
};

/** A valid GameChanged (checked against the contract), Michigan at home to Ohio State by default. */
export function gameEvent(spec: GameSpec): GameChanged {
  const phase = spec.phase ?? 'pre';
  const scored = phase === 'in' || phase === 'final' || phase === 'suspended';
  const home = scored ? (spec.home ?? 0) : null;
  const away = scored ? (spec.away ?? 0) : null;
  const final = phase === 'final';
  const event: GameChanged = {
    type: 'game.changed',
    schemaVersion: 1,
    id: msgIds.gameChanged(spec.id, spec.revision),
    occurredAt: new Date().toISOString(),
    gameId: spec.id,
    revision: spec.revision,
    changed: spec.revision === 1 ? [] : ['status.state', 'home.score'],
    game: {
      id: spec.id,
      sport: spec.sport ?? 'football',
      league: spec.league ?? 'college-football',
      season: { year: 2026, type: 2 },
      week: spec.week === undefined ? 13 : spec.week,
      kickoff: spec.kickoff ?? '2099-11-28T17:00:00.000Z',
      status: STATUS[phase],
      home: {
        teamId: spec.homeTeamId ?? '130',
        abbreviation: 'MICH',
        name: 'Michigan Wolverines',
        score: home,
        winner: final && home !== null && away !== null ? home > away : null,
        logo: 'https://a.espncdn.com/i/teamlogos/ncaa/500/130.png',
      },
      away: {
        teamId: spec.awayTeamId ?? '194',
        abbreviation: 'OSU',
        name: 'Ohio State Buckeyes',
        score: away,
        winner: final && home !== null && away !== null ? away > home : null,
        logo: 'https://a.espncdn.com/i/teamlogos/ncaa/500/194.png',
      },
      possession: null,
      broadcasts: ['FOX'],
      odds: spec.homeSpread === undefined ? null : { homeSpread: spec.homeSpread, overUnder: 47.5, details: null },
    },
  };
  return check(GameChanged, event);
}

/** Publishes as the poller does: its subject, and Nats-Msg-Id <gameId>:<revision> unless told otherwise. */
export async function publishEvent(js: JetStreamClient, ns: string, event: GameChanged, msgID?: string | null): Promise<void> {
  await js.publish(subjects.gameChanged(ns, event.game), encode(GameChanged, event), {
    ...(msgID === null ? {} : { msgID: msgID ?? msgIds.gameChanged(event.gameId, event.revision) }),
  });
}
