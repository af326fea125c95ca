import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { notModified, etagOf } from '../http/caching.js';
import { ApiError } from '../http/errors.js';
import { ErrorBody, Game, GameIdParams, gamesResponses, GamesQuery, LiveGamesQuery, type MetaBody } from '../http/schemas.js';
import { decodeCursor, pageOf, resolveFilter, type GameFilter } from '../games/query.js';
import { ResponseCache, type Cached } from '../http/response-cache.js';
import type { AppContext } from '../app.js';

export const gamesRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { snapshot, meta } = ctx;
  const cache = new ResponseCache();

  /**
   * Never longer than the interval the scheduler polls at now: the idle one only once a
   * poll has said nothing is live (before any poll is known, it polls at the live one).
   */
  const cacheControl = (m: MetaBody) => {
    const idle = meta.liveStateKnown && !m.liveState.hasLiveGames && snapshot.liveCount === 0;
    return `public, max-age=${idle ? ctx.config.pollIdleS : ctx.config.pollLiveS}`;
  };

  // What a cache hit costs is what a busy replica spends its time on: no string is built
  // per request (the Cache-Control travels with the body, both decided by the versions
  // the cache is keyed on) and fastify's routeOptions getter, which allocates, is avoided.
  const entryOf = (json: string): Cached => {
    const body = Buffer.from(json, 'utf8');
    return { body, etag: etagOf(body), cacheControl: cacheControl(meta.current(snapshot.liveCount)) };
  };

  const send = (req: FastifyRequest, reply: FastifyReply, key: string, build: () => string): FastifyReply => {
    const hit = cache.get(snapshot.version, meta.version, ctx.today(), key) ?? cache.set(key, entryOf(build()));
    reply.header('cache-control', hit.cacheControl).header('etag', hit.etag);
    if (notModified(req, reply, hit.etag)) return reply.send();
    return reply.type('application/json; charset=utf-8').send(hit.body);
  };

  /** `route`: the path without a trailing slash, so both spellings share an entry */
  const list = (req: FastifyRequest, reply: FastifyReply, route: string, q: GamesQuery, filter: () => GameFilter) => {
    const at = req.url.indexOf('?');
    return send(req, reply, at < 0 ? route : route + req.url.slice(at), () => {
      // no limit: every matching game (a front-end asking for a busy Saturday gets all of it)
      const page = pageOf(snapshot.entries(), filter(), ctx.today(), q.limit, q.cursor === undefined ? undefined : decodeCursor(q.cursor));
      const m = { ...meta.current(snapshot.liveCount), nextCursor: page.nextCursor };
      return `{"games":[${page.entries.map((e) => e.json).join(',')}],"meta":${JSON.stringify(m)}}`;
    });
  };

  app.get(
    '/api/games',
    {
      schema: {
        summary: 'Games: yesterday through the next 7 days, or as filtered',
        tags: ['games'],
        querystring: GamesQuery,
        response: gamesResponses,
      },
    },
    (req, reply) => {
      list(req, reply, '/api/games', req.query, () => resolveFilter(req.query));
    },
  );

  app.get(
    '/api/games/live',
    {
      schema: { summary: 'Games in progress (any day)', tags: ['games'], querystring: LiveGamesQuery, response: gamesResponses },
    },
    (req, reply) => {
      list(req, reply, '/api/games/live', req.query, () => ({ ...resolveFilter(req.query, { defaultWindow: false }), state: 'in' as const }));
    },
  );

  app.get(
    '/api/games/:id',
    {
      schema: {
        summary: 'One game',
        description: 'The game itself, as it appears in the `games` of /api/games (the live state and breaker are on the lists and /api/status).',
        tags: ['games'],
        params: GameIdParams,
        response: { ...gamesResponses, 200: Game, 404: ErrorBody },
      },
    },
    (req, reply) => {
      const entry = snapshot.get(req.params.id);
      if (!entry) throw new ApiError(404, 'GAME_NOT_FOUND', `no game ${req.params.id}`);
      // the game's own JSON, serialized once per revision: the same bytes as in the lists
      send(req, reply, `id:${req.params.id}`, () => entry.json);
    },
  );
};

