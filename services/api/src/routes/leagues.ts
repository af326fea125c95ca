import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Pick as StoredPick } from '@scores/grader';
import Type from 'typebox';
import { apiKeyGuard } from '../http/auth.js';
import { ApiError } from '../http/errors.js';
import {
  errorResponses,
  League,
  LeagueGame,
  LeagueGameBody,
  LeagueGameParams,
  LeagueParams,
  NewLeagueBody,
  Pick,
  PickBody,
  PicksQuery,
  Standing,
  StandingsQuery,
} from '../http/schemas.js';
import type { AppContext } from '../app.js';

const secured = [{ bearer: [] }];

const pickBody = (p: StoredPick) => ({
  id: p.id,
  userId: p.userId,
  gameId: p.gameId,
  teamId: p.teamId,
  keyPick: p.keyPick,
  pointsGuess: p.pointsGuess,
  week: p.week,
  result: p.result,
  points: p.points,
});

/** Leagues, their slates, picks and standings, over the grader's data layer. Writes need an API key. */
export const leagueRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const requireKey = apiKeyGuard(ctx.config.apiKeys);
  const { leagues, snapshot } = ctx;

  const leagueMustExist = async (leagueId: string) => {
    if (!(await leagues.getLeague(leagueId))) throw new ApiError(404, 'LEAGUE_NOT_FOUND', `no league ${leagueId}`);
  };

  app.post(
    '/api/leagues',
    {
      onRequest: requireKey,
      schema: {
        summary: 'Create a league',
        tags: ['leagues'],
        security: secured,
        body: NewLeagueBody,
        response: { 201: League, ...errorResponses(400, 401, 413, 415, 429, 503) },
      },
    },
    async (req, reply) => {
      const league = await leagues.createLeague(req.body);
      reply.code(201).header('location', `/api/leagues/${league.id}`).header('cache-control', 'no-store');
      return league;
    },
  );

  app.put(
    '/api/leagues/:leagueId/games/:gameId',
    {
      onRequest: requireKey,
      // no body at all means the defaults, as `{}` does
      preValidation: async (req) => {
        if (req.body === undefined || req.body === null) (req as { body: unknown }).body = {};
      },
      schema: {
        summary: "Put a game on a league's slate, locking its spread",
        description: 'homeSpread null: straight up; omitted: the spread already locked, or the game\'s current one. Refused (409) once the game has started, unless nothing changes.',
        tags: ['leagues'],
        security: secured,
        params: LeagueGameParams,
        body: LeagueGameBody,
        response: { 200: LeagueGame, ...errorResponses(400, 401, 404, 409, 413, 415, 429, 503) },
      },
    },
    async (req, reply) => {
      const { leagueGame } = await leagues.putLeagueGame(req.params.leagueId, req.params.gameId, req.body);
      reply.header('cache-control', 'no-store');
      return leagueGame;
    },
  );

  app.post(
    '/api/leagues/:leagueId/picks',
    {
      onRequest: requireKey,
      schema: {
        summary: 'Make or replace a pick (until kickoff)',
        description: "201 for a new pick, 200 when it replaced the member's earlier pick of that game. 409 once the game has kicked off.",
        tags: ['leagues'],
        security: secured,
        params: LeagueParams,
        body: PickBody,
        response: { 200: Pick, 201: Pick, ...errorResponses(400, 401, 404, 409, 413, 415, 429, 503) },
      },
    },
    async (req, reply) => {
      // This replica's snapshot may know of the kickoff before Postgres does: refuse early.
      const game = snapshot.get(req.body.gameId)?.game;
      if (game && (Date.parse(game.kickoff) <= ctx.now() || game.status.state !== 'pre')) {
        throw new ApiError(409, 'GAME_STARTED', `game ${game.id} has kicked off; picks are closed`);
      }
      const { pick, created } = await leagues.upsertPick(req.params.leagueId, req.body);
      reply.code(created ? 201 : 200).header('cache-control', 'no-store');
      return pickBody(pick);
    },
  );

  app.get(
    '/api/leagues/:leagueId/standings',
    {
      schema: {
        summary: 'Ranked members: wins, losses, pushes, points, tiebreak',
        tags: ['leagues'],
        params: LeagueParams,
        querystring: StandingsQuery,
        response: { 200: Type.Object({ standings: Type.Array(Standing) }), ...errorResponses(400, 404, 429, 503) },
      },
    },
    async (req, reply) => {
      const standings = await leagues.getStandings(req.params.leagueId, req.query.week === undefined ? {} : { week: req.query.week });
      reply.header('cache-control', 'public, max-age=0, must-revalidate');
      return { standings };
    },
  );

  app.get(
    '/api/leagues/:leagueId/picks',
    {
      schema: {
        summary: 'Picks with their grade',
        tags: ['leagues'],
        params: LeagueParams,
        querystring: PicksQuery,
        response: { 200: Type.Object({ picks: Type.Array(Pick) }), ...errorResponses(400, 404, 429, 503) },
      },
    },
    async (req, reply) => {
      await leagueMustExist(req.params.leagueId);
      const picks = await leagues.listPicks(req.params.leagueId, {
        ...(req.query.user === undefined ? {} : { userId: req.query.user }),
        ...(req.query.week === undefined ? {} : { week: req.query.week }),
      });
      reply.header('cache-control', 'public, max-age=0, must-revalidate');
      return { picks: picks.map(pickBody) };
    },
  );
};
