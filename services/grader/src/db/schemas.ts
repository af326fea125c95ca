/**
 * Inputs of the data layer, as schemas: the data layer checks them, and the api can reuse
 * them for its request bodies (one schema: validation, types and OpenAPI).
 */
import Type, { type Static, type TSchema } from 'typebox';
import { issuesOf, validator } from '@scores/contracts';
import { GraderError } from '../errors.js';

const Points = (opts: { default?: number } = {}) => Type.Number({ minimum: 0, maximum: 1_000_000, ...opts });

export const NewLeague = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    againstTheSpread: Type.Boolean({ description: 'grade against the locked spread; false: straight up' }),
    pointsPerCorrect: Points(),
    keyPickBonus: Type.Optional(Points({ default: 0 })),
    pushPoints: Type.Optional(Points({ default: 0 })),
  },
  { $id: 'NewLeague', additionalProperties: false },
);
export type NewLeague = Static<typeof NewLeague>;

export const LeagueGameInput = Type.Object(
  {
    homeSpread: Type.Optional(
      Type.Union([Type.Number({ minimum: -1000, maximum: 1000 }), Type.Null()], {
        description: "null: straight up; omitted: the game's current spread (straight up in a straight-up league)",
      }),
    ),
    tiebreaker: Type.Optional(Type.Boolean({ description: "the week's tiebreak game (one per league and week)" })),
  },
  { $id: 'LeagueGameInput', additionalProperties: false },
);
export type LeagueGameInput = Static<typeof LeagueGameInput>;

export const PickInput = Type.Object(
  {
    userId: Type.String({ minLength: 1, maxLength: 200, description: "opaque id from the front-end's identity system" }),
    gameId: Type.String({ minLength: 1, maxLength: 64 }),
    teamId: Type.String({ minLength: 1, maxLength: 64 }),
    keyPick: Type.Optional(Type.Boolean()),
    pointsGuess: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 1000 }), Type.Null()])),
  },
  { $id: 'PickInput', additionalProperties: false },
);
export type PickInput = Static<typeof PickInput>;

export function checkInput<T extends TSchema>(schema: T, value: unknown): Static<T> {
  if (validator(schema).Check(value)) return value;
  const id: unknown = Reflect.get(schema, '$id');
  throw new GraderError('INVALID_INPUT', `invalid ${typeof id === 'string' ? id : 'input'}: ${issuesOf(schema, value).join('; ')}`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** League ids are uuids; anything else cannot name a league (and must not reach Postgres as one). */
export const isLeagueId = (id: string): boolean => UUID.test(id);
