import type { TSchema } from 'typebox';
import { Game, GameStatus, GameWithRevision, Odds, TeamLine } from './game.js';
import {
  BreakerChanged,
  CleanupTick,
  GameChanged,
  PicksGraded,
  PollCompleted,
  PollTick,
  ServiceHeartbeat,
} from './events.js';
import { PollNowReply, PollNowRequest, SyncProgress, SyncReply, SyncRequest } from './admin.js';

/** Every published schema, by $id: the source of the JSON Schema and AsyncAPI files. */
export const allSchemas: Record<string, TSchema> = {
  Game,
  GameStatus,
  GameWithRevision,
  TeamLine,
  Odds,
  GameChanged,
  PollTick,
  CleanupTick,
  PollCompleted,
  BreakerChanged,
  PicksGraded,
  ServiceHeartbeat,
  PollNowRequest,
  PollNowReply,
  SyncRequest,
  SyncReply,
  SyncProgress,
};
