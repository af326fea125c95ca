/** Small valid games and their events, for tests that feed the api or the grader directly. */
import { encode, GameChanged, msgIds, subjects, type Game } from '@scores/contracts';
import type { JetStreamClient } from '@nats-io/jetstream';

export type Phase = 'pre' | 'in' | 'final';

const STATUS: Record<Phase, Game['status']> = {
  pre: { state: 'pre', name: 'STATUS_SCHEDULED', detail: 'Sat, Nov 28th at 7:00 PM EST', shortDetail: '11/28 - 7:00 PM EST', period: 0, clock: null, completed: false },
  in: { state: 'in', name: 'STATUS_IN_PROGRESS', detail: '3rd Quarter - 4:12', shortDetail: '4:12 - 3rd', period: 3, clock: '4:12', completed: false },
  final: { state: 'post', name: 'STATUS_FINAL', detail: 'Final', shortDetail: 'Final', period: 4, clock: '0:00', completed: true },
};

export function makeGame(o: { id: string; kickoff: Date; phase: Phase; home?: [string, string]; away?: [string, string]; score?: [number, number] }): Game {
  const [homeId, homeAbbr] = o.home ?? ['130', 'MICH'];
  const [awayId, awayAbbr] = o.away ?? ['194', 'OSU'];
  const scored = o.phase !== 'pre';
  const [hs, as] = o.score ?? [21, 17];
  return {
    id: o.id,
    sport: 'football',
    league: 'college-football',
    season: { year: o.kickoff.getUTCFullYear(), type: 2 },
    week: 13,
    kickoff: o.kickoff.toISOString(),
    status: STATUS[o.phase],
    home: { teamId: homeId, abbreviation: homeAbbr, name: `${homeAbbr} team`, score: scored ? hs : null, winner: o.phase === 'final' ? hs > as : null, logo: null },
    away: { teamId: awayId, abbreviation: awayAbbr, name: `${awayAbbr} team`, score: scored ? as : null, winner: o.phase === 'final' ? as > hs : null, logo: null },
    possession: o.phase === 'in' ? 'home' : null,
    broadcasts: ['ESPN'],
    odds: { homeSpread: -3.5, overUnder: 47.5, details: `${homeAbbr} -3.5` },
  };
}

export function changedEvent(game: Game, revision: number): GameChanged {
  return {
    type: 'game.changed',
    schemaVersion: 1,
    id: msgIds.gameChanged(game.id, revision),
    occurredAt: new Date().toISOString(),
    gameId: game.id,
    revision,
    changed: revision === 1 ? [] : ['home.score'],
    game,
  };
}

/** Publishes as the poller does (subject, Nats-Msg-Id); resolves with the stream sequence. */
export async function publishChanged(js: JetStreamClient, ns: string, game: Game, revision: number): Promise<number> {
  const ack = await js.publish(subjects.gameChanged(ns, game), encode(GameChanged, changedEvent(game, revision)), { msgID: msgIds.gameChanged(game.id, revision) });
  return ack.seq;
}
