import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { notModified, etagOf } from '../http/caching.js';
import { ApiError } from '../http/errors.js';
import { ErrorBody, GameIdParams, GameResponse, gamesResponses, GamesQuery, LiveGamesQuery, type MetaBody } from '../http/schemas.js';
import { decodeCursor, pageOf, resolveFilter, type GameFilter } from '../games/query.js';
import type { AppContext } from '../app.js';

const DEFAULT_LIMIT = 100;
const MAX_CACHED = 500;

interface Cached {
  body: string;
  etag: string;
}

/**
 * Serialized answers of the current snapshot and meta: a repeated request costs a map
 * lookup. The whole cache goes when the snapshot, the meta or the day changes.
 */
class ResponseCache {
  private stamp = '';
  private readonly entries = new Map<string, Cached>();

  get(stamp: string, key: string): Cached | undefined {
    if (stamp !== this.stamp) {
      this.entries.clear();
      this.stamp = stamp;
    }
    return this.entries.get(key);
  }

  set(key: string, value: Cached): Cached {
    if (this.entries.size >= MAX_CACHED) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }
}

export const gamesRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { snapshot, meta } = ctx;
  const cache = new ResponseCache();

  /** Never longer than the interval the scheduler polls at now. */
  const cacheControl = (m: MetaBody) =>
    `public, max-age=${m.liveState.hasLiveGames || snapshot.liveCount > 0 ? ctx.config.pollLiveS : ctx.config.pollIdleS}`;

  const send = (req: FastifyRequest, reply: FastifyReply, key: string, build: () => string): FastifyReply => {
    const today = ctx.today();
    const stamp = `${snapshot.version}:${meta.version}:${today}`;
    const m = meta.current(snapshot.liveCount);
    const hit = cache.get(stamp, key) ?? cache.set(key, withEtag(build()));
    reply.header('cache-control', cacheControl(m)).header('etag', hit.etag);
    if (notModified(req, reply, hit.etag)) return reply.send();
    return reply.type('application/json; charset=utf-8').send(hit.body);
  };

  const list = (req: FastifyRequest, reply: FastifyReply, q: GamesQuery, filter: () => GameFilter) => {
    const key = `${req.routeOptions.url ?? ''}?${req.url.split('?')[1] ?? ''}`;
    return send(req, reply, key, () => {
      const limit = q.limit ?? DEFAULT_LIMIT;
      const page = pageOf(snapshot.entries(), filter(), ctx.today(), limit, q.cursor === undefined ? undefined : decodeCursor(q.cursor));
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
      list(req, reply, req.query, () => resolveFilter(req.query));
    },
  );

  app.get(
    '/api/games/live',
    {
      schema: { summary: 'Games in progress (any day)', tags: ['games'], querystring: LiveGamesQuery, response: gamesResponses },
    },
    (req, reply) => {
      list(req, reply, req.query, () => ({ ...resolveFilter(req.query, { defaultWindow: false }), state: 'in' as const }));
    },
  );

  app.get(
    '/api/games/:id',
    {
      schema: {
        summary: 'One game',
        tags: ['games'],
        params: GameIdParams,
        response: { ...gamesResponses, 200: GameResponse, 404: ErrorBody },
      },
    },
    (req, reply) => {
      const entry = snapshot.get(req.params.id);
      if (!entry) throw new ApiError(404, 'GAME_NOT_FOUND', `no game ${req.params.id}`);
      send(req, reply, `id:${req.params.id}`, () => `{"game":${entry.json},"meta":${JSON.stringify(meta.current(snapshot.liveCount))}}`);
    },
  );
};

function withEtag(body: string): Cached {
  return { body, etag: etagOf(body) };
}
