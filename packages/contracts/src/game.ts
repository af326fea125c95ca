import Type, { type Static } from 'typebox';

/** ESPN's coarse state: `in` includes halftime, end of period and delays mid-game. */
export const GameState = Type.Union([Type.Literal('pre'), Type.Literal('in'), Type.Literal('post')], {
  $id: 'GameState',
});
export type GameState = Static<typeof GameState>;

export const GameStatus = Type.Object(
  {
    state: GameState,
    name: Type.String({ description: "ESPN's status.type.name, e.g. STATUS_IN_PROGRESS, STATUS_FINAL_OT" }),
    detail: Type.String(),
    shortDetail: Type.String(),
    period: Type.Integer({ minimum: 0 }),
    clock: Type.Union([Type.String(), Type.Null()]),
    completed: Type.Boolean({ description: 'true only for a final game with both scores' }),
  },
  { $id: 'GameStatus' },
);
export type GameStatus = Static<typeof GameStatus>;

export const TeamLine = Type.Object(
  {
    teamId: Type.String({ minLength: 1 }),
    abbreviation: Type.String(),
    name: Type.Union([Type.String(), Type.Null()], { description: 'null for an undecided (TBD) team' }),
    score: Type.Union([Type.Number(), Type.Null()], {
      description: 'null while pre-game, postponed or canceled',
    }),
    winner: Type.Union([Type.Boolean(), Type.Null()], { description: 'set only when final' }),
    logo: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'TeamLine' },
);
export type TeamLine = Static<typeof TeamLine>;

export const Odds = Type.Object(
  {
    homeSpread: Type.Union([Type.Number(), Type.Null()], { description: 'negative: home favoured' }),
    overUnder: Type.Union([Type.Number(), Type.Null()]),
    details: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'Odds' },
);
export type Odds = Static<typeof Odds>;

export const Season = Type.Object(
  {
    year: Type.Integer(),
    type: Type.Integer({ description: '1 preseason, 2 regular season, 3 postseason' }),
  },
  { $id: 'Season' },
);

export const Game = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9_-]+$' }),
    sport: Type.String({ pattern: '^[A-Za-z0-9_-]+$' }),
    league: Type.String({ pattern: '^[A-Za-z0-9_-]+$' }),
    season: Season,
    week: Type.Union([Type.Integer(), Type.Null()]),
    kickoff: Type.String({ format: 'date-time' }),
    status: GameStatus,
    home: TeamLine,
    away: TeamLine,
    possession: Type.Union([Type.Literal('home'), Type.Literal('away'), Type.Null()]),
    broadcasts: Type.Array(Type.String()),
    odds: Type.Union([Odds, Type.Null()]),
  },
  { $id: 'Game', description: 'One game as normalised from ESPN' },
);
export type Game = Static<typeof Game>;

/** A game as every response, Redis key and SSE event carries it: the event's game plus its revision. */
export const GameWithRevision = Type.Object(
  {
    ...Game.properties,
    revision: Type.Integer({ minimum: 1 }),
  },
  { $id: 'GameWithRevision' },
);
export type GameWithRevision = Static<typeof GameWithRevision>;

/** A game is final (gradeable) only when ESPN says so and both scores are known. */
export function isFinal(game: Pick<Game, 'status' | 'home' | 'away'>): boolean {
  return (
    game.status.state === 'post' && game.status.completed && game.home.score !== null && game.away.score !== null
  );
}

/** Postponed and canceled games never become final; their picks are void. */
export function isVoid(game: Pick<Game, 'status'>): boolean {
  return VOID_STATUS_NAMES.has(game.status.name);
}
export const VOID_STATUS_NAMES: ReadonlySet<string> = new Set([
  'STATUS_POSTPONED',
  'STATUS_CANCELED',
  'STATUS_CANCELLED',
  'STATUS_FORFEIT',
]);

/** Halftime and end of period are `in`, so they count as live. */
export function isLive(game: Pick<Game, 'status'>): boolean {
  return game.status.state === 'in';
}
