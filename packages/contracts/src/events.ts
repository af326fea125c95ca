import Type, { type Static } from 'typebox';
import { Game } from './game.js';

const IsoTime = (description?: string) => Type.String({ format: 'date-time', ...(description ? { description } : {}) });
const Count = (description?: string) => Type.Integer({ minimum: 0, ...(description ? { description } : {}) });

export const GameChanged = Type.Object(
  {
    type: Type.Literal('game.changed'),
    schemaVersion: Type.Literal(1),
    id: Type.String({ description: '<gameId>:<revision>, also the Nats-Msg-Id' }),
    occurredAt: IsoTime(),
    gameId: Type.String({ minLength: 1 }),
    revision: Type.Integer({ minimum: 1, description: '1 at first sighting; +1 per change; never goes back' }),
    changed: Type.Array(Type.String(), { description: 'dotted paths of the fields that changed, e.g. home.score' }),
    game: Game,
  },
  { $id: 'GameChanged', description: 'Published on <ns>.game.changed.<sport>.<league>.<gameId>' },
);
export type GameChanged = Static<typeof GameChanged>;

export const TickReason = Type.Union(
  [Type.Literal('live'), Type.Literal('idle'), Type.Literal('offseason'), Type.Literal('kickoff'), Type.Literal('unknown')],
  {
    $id: 'TickReason',
    description: 'live games; none live; nothing in the next 7 days; waking for a kickoff; no poll seen yet',
  },
);
export type TickReason = Static<typeof TickReason>;

export const PollTick = Type.Object(
  {
    slot: IsoTime('start of the slot this tick stands for; Nats-Msg-Id is poll:<slot>'),
    intervalS: Type.Integer({ minimum: 1 }),
    reason: TickReason,
  },
  { $id: 'PollTick' },
);
export type PollTick = Static<typeof PollTick>;

export const CleanupTick = Type.Object({ slot: IsoTime() }, { $id: 'CleanupTick' });
export type CleanupTick = Static<typeof CleanupTick>;

export const PollCompleted = Type.Object(
  {
    at: IsoTime('when the poll started'),
    leagues: Type.Array(Type.String(), { description: 'sport/league paths polled' }),
    gamesSeen: Count(),
    changed: Count('game.changed events published'),
    liveGameCount: Count(),
    hasLiveGames: Type.Boolean(),
    nextKickoff: Type.Union([IsoTime(), Type.Null()]),
    durationMs: Type.Number({ minimum: 0 }),
    ok: Type.Optional(Type.Boolean({ description: 'false when a request failed (the poll counts as failed)' })),
    requests: Type.Optional(Count()),
    failedRequests: Type.Optional(Count()),
    malformedEvents: Type.Optional(Count('events skipped as malformed')),
    suspicious: Type.Optional(Count('exactly-25 responses and finals without scores')),
    trigger: Type.Optional(Type.String({ description: 'tick, poll-now or sync' })),
  },
  { $id: 'PollCompleted' },
);
export type PollCompleted = Static<typeof PollCompleted>;

export const BreakerState = Type.Union([Type.Literal('closed'), Type.Literal('open'), Type.Literal('half-open')], {
  $id: 'BreakerState',
});
export type BreakerState = Static<typeof BreakerState>;

export const BreakerChanged = Type.Object(
  {
    state: BreakerState,
    failures: Count('failed polls in a row'),
    openedAt: Type.Union([IsoTime(), Type.Null()]),
    retryAt: Type.Union([IsoTime(), Type.Null()]),
    at: Type.Optional(IsoTime('when the transition happened')),
  },
  { $id: 'BreakerChanged' },
);
export type BreakerChanged = Static<typeof BreakerChanged>;

export const PicksGraded = Type.Object(
  {
    gameId: Type.String({ minLength: 1 }),
    revision: Type.Integer({ minimum: 1 }),
    leagues: Type.Array(Type.String()),
    graded: Count(),
    results: Type.Object({ win: Count(), loss: Count(), push: Count(), void: Count() }),
  },
  { $id: 'PicksGraded' },
);
export type PicksGraded = Static<typeof PicksGraded>;

export const ServiceHeartbeat = Type.Object(
  {
    service: Type.String(),
    instance: Type.String(),
    version: Type.String(),
    startedAt: IsoTime(),
    at: IsoTime(),
    ready: Type.Boolean(),
    checks: Type.Record(Type.String(), Type.Boolean()),
    intervalS: Type.Integer({ minimum: 1, description: 'the next heartbeat is due within this many seconds' }),
  },
  { $id: 'ServiceHeartbeat', description: 'Published by every service instance on <ns>.health.<service>' },
);
export type ServiceHeartbeat = Static<typeof ServiceHeartbeat>;
