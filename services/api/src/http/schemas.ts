/**
 * Every query, path parameter, body and response of the HTTP interface: one schema gives
 * the validation, the handler's types and the OpenAPI document.
 */
import { GameWithRevision } from '@scores/contracts';
import { LeagueGameInput, NewLeague, PickInput } from '@scores/grader';
import Type, { type Static, type TSchema } from 'typebox';

/** A copy without `$id`s: nested ids would collide once several routes embed the same schema. */
function inline<T extends TSchema>(schema: T): T {
  return JSON.parse(JSON.stringify(schema, (key, value: unknown) => (key === '$id' ? undefined : value))) as T;
}

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'stable, machine-readable: INVALID_PARAMETER, NOT_FOUND, UNAUTHORIZED, ...' }),
      message: Type.String({ description: 'for humans; names the parameter at fault' }),
    }),
  },
  { description: 'Every error' },
);

/** The error responses a route documents, all in the one error shape. */
export const errorResponses = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorBody]));

// ---- games --------------------------------------------------------------------------

const Day = (description: string) => Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description });

const GameFilters = {
  date: Type.Optional(Day('games of one US Eastern day (as ESPN files them), YYYY-MM-DD')),
  from: Type.Optional(Day('first US Eastern day, inclusive')),
  to: Type.Optional(Day('last US Eastern day, inclusive')),
  live: Type.Optional(Type.Boolean({ description: 'true: in progress only; false: everything else' })),
  team: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'abbreviation (any case) or team id (as ESPN gives it)' })),
  league: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,40}/[A-Za-z0-9_-]{1,60}$', description: 'sport/league in any case, e.g. football/college-football' })),
  status: Type.Optional(Type.Union([Type.Literal('pre'), Type.Literal('in'), Type.Literal('post')], { description: "ESPN's state" })),
};

/** The largest page a client may ask for; without `limit` a list has no page size at all. */
export const MAX_LIMIT = 1000;

const Paging = {
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: MAX_LIMIT, description: 'games per page; without it, every matching game in one answer (meta.nextCursor null)' }),
  ),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$', description: "meta.nextCursor of the previous page" })),
};

export const GamesQuery = Type.Object({ ...GameFilters, ...Paging }, { additionalProperties: false });
export type GamesQuery = Static<typeof GamesQuery>;

const { live: _live, status: _status, ...NotState } = GameFilters;
export const LiveGamesQuery = Type.Object({ ...NotState, ...Paging }, { additionalProperties: false });
export type LiveGamesQuery = Static<typeof LiveGamesQuery>;

export const StreamQuery = Type.Object(
  {
    ...GameFilters,
    lastEventId: Type.Optional(Type.String({ pattern: '^\\d{1,15}$', description: 'as the Last-Event-ID header, for clients that cannot set it' })),
  },
  { additionalProperties: false },
);
export type StreamQuery = Static<typeof StreamQuery>;

export const StreamHeaders = Type.Object({
  'last-event-id': Type.Optional(Type.String({ pattern: '^\\d{1,15}$', description: 'the id of the last event received; resumes after it' })),
});

export const GameIdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'ESPN event id' }) });

const IsoOrNull = (description: string) => Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description });

export const Meta = Type.Object({
  liveState: Type.Object({
    hasLiveGames: Type.Boolean(),
    liveGameCount: Type.Integer({ minimum: 0 }),
    lastCheck: IsoOrNull('the poll it comes from; null before any poll was seen'),
  }),
  breaker: Type.Object({
    state: Type.Union([Type.Literal('closed'), Type.Literal('open'), Type.Literal('half-open')]),
    failures: Type.Integer({ minimum: 0 }),
    openedAt: IsoOrNull('when it opened'),
    retryAt: IsoOrNull('when it goes half-open'),
  }),
  lastPoll: IsoOrNull('the last poll attempt'),
  lastSuccessAt: IsoOrNull('the last successful poll: the age of the data while stale'),
  stale: Type.Boolean({ description: 'true while the breaker is not closed: the last good data is served' }),
});
export type MetaBody = Static<typeof Meta>;

/** A game in any response: the event's `game` plus its `revision` (SPEC). */
export const Game = inline(GameWithRevision);

export const GamesResponse = Type.Object({
  games: Type.Array(Game),
  meta: Type.Object({
    ...Meta.properties,
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'pass as cursor for the next page; null on the last' }),
  }),
});

export const gamesResponses = { 200: GamesResponse, 304: Type.Null({ description: 'Not modified (If-None-Match)' }), ...errorResponses(400, 429, 503) };

// ---- status -------------------------------------------------------------------------

const Instance = Type.Object({
  instance: Type.String(),
  version: Type.String(),
  startedAt: Type.String({ format: 'date-time' }),
  at: Type.String({ format: 'date-time', description: 'its last heartbeat' }),
  ready: Type.Boolean(),
  checks: Type.Record(Type.String(), Type.Boolean()),
  status: Type.Union([Type.Literal('up'), Type.Literal('degraded'), Type.Literal('stale')], {
    description: 'stale: no heartbeat for 3 intervals',
  }),
});

export const StatusResponse = Type.Object({
  ...Meta.properties,
  games: Type.Object({
    count: Type.Integer({ minimum: 0 }),
    live: Type.Integer({ minimum: 0 }),
    streamSequence: Type.Integer({ minimum: 0, description: 'the last games-stream sequence this replica has read' }),
  }),
  services: Type.Array(
    Type.Object({
      service: Type.String(),
      status: Type.Union([Type.Literal('up'), Type.Literal('degraded'), Type.Literal('down')]),
      instances: Type.Array(Instance),
    }),
  ),
  api: Type.Object({
    instance: Type.String(),
    ready: Type.Boolean(),
    checks: Type.Record(Type.String(), Type.Object({ ok: Type.Boolean(), error: Type.Optional(Type.String()) })),
    sseClients: Type.Integer({ minimum: 0 }),
  }),
});

// ---- leagues and picks ----------------------------------------------------------------

const LeagueId = Type.String({ format: 'uuid', description: 'as POST /api/leagues answered' });
export const LeagueParams = Type.Object({ leagueId: LeagueId });
export const LeagueGameParams = Type.Object({ leagueId: LeagueId, gameId: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });

export const NewLeagueBody = inline(NewLeague);
export const LeagueGameBody = inline(LeagueGameInput);
export const PickBody = inline(PickInput);

export const League = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  againstTheSpread: Type.Boolean(),
  pointsPerCorrect: Type.Number(),
  keyPickBonus: Type.Number(),
  pushPoints: Type.Number(),
  createdAt: Type.String({ format: 'date-time' }),
});

export const LeagueGame = Type.Object({
  leagueId: Type.String({ format: 'uuid' }),
  gameId: Type.String(),
  homeSpread: Type.Union([Type.Number(), Type.Null()], { description: 'locked; null: straight up' }),
  tiebreaker: Type.Boolean(),
  week: Type.Integer({ description: "the game's week (0 for a game without one)" }),
});

const Result = Type.Union([Type.Literal('win'), Type.Literal('loss'), Type.Literal('push'), Type.Literal('void'), Type.Null()], {
  description: 'null until the game is graded',
});

export const Pick = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  gameId: Type.String(),
  teamId: Type.String(),
  keyPick: Type.Boolean(),
  pointsGuess: Type.Union([Type.Integer(), Type.Null()]),
  week: Type.Integer(),
  result: Result,
  points: Type.Number(),
});

export const PicksQuery = Type.Object(
  {
    user: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'one member' })),
    week: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  },
  { additionalProperties: false },
);

export const StandingsQuery = Type.Object(
  { week: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, description: 'without it: the season' })) },
  { additionalProperties: false },
);

export const Standing = Type.Object({
  userId: Type.String(),
  rank: Type.Integer({ minimum: 1 }),
  wins: Type.Integer({ minimum: 0 }),
  losses: Type.Integer({ minimum: 0 }),
  pushes: Type.Integer({ minimum: 0 }),
  points: Type.Number(),
  tiebreak: Type.Union([Type.Number(), Type.Null()], { description: "distance from the tiebreak game's total; null until it is final" }),
});

