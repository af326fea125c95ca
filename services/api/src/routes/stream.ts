import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { GameWithRevision } from '@scores/contracts';
import Type from 'typebox';
import { badParameter } from '../http/errors.js';
import { ErrorBody, StreamHeaders, StreamQuery } from '../http/schemas.js';
import { matches, resolveFilter, type GameFilter } from '../games/query.js';
import { toEntry, type GameUpdate } from '../games/snapshot.js';
import { gameFrame, idFrame, metaFrame, retryFrame } from '../sse/frames.js';
import type { SseClient } from '../sse/hub.js';
import type { AppContext } from '../app.js';

/** How long a browser waits before reconnecting. */
const RETRY_MS = 2000;

/**
 * GET /api/games/stream: the current games (filtered as /api/games), then every change.
 * With Last-Event-ID (or ?lastEventId=) it resumes after that stream sequence instead:
 * from memory when this replica still holds the updates, else out of JetStream, else
 * (too far behind, or an id from another stream) with the current snapshot again.
 */
export const streamRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { snapshot, hub } = ctx;

  /** Every matching game, oldest stream position first, then the snapshot's position. */
  const sendSnapshot = (client: SseClient) => {
    const today = ctx.today();
    const entries = snapshot.entries().filter((e) => matches(client.filter, e, today));
    entries.sort((a, b) => a.seq - b.seq);
    for (const e of entries) client.write(gameFrame(e.seq, e.json), e.seq);
    if (snapshot.position > 0) client.write(idFrame(snapshot.position));
  };

  const sendUpdates = (client: SseClient, updates: GameUpdate[]) => {
    const today = ctx.today();
    for (const u of updates) if (client.accepts(u, today)) client.write(gameFrame(u.entry.seq, u.entry.json), u.entry.seq);
  };

  /** Replays (lastId, last] out of JetStream; live frames queue meanwhile (the caller holds the client). */
  const replayFromStream = async (client: SseClient, lastId: number, last: number) => {
    const today = ctx.today();
    const seen = new Map<string, { revision: number; matched: boolean }>();
    await ctx.replay.read(lastId + 1, last, (game: GameWithRevision, seq: number) => {
      if (client.closed) return;
      const before = seen.get(game.id);
      if (before && before.revision >= game.revision) return;
      const entry = toEntry(game, seq);
      const matched = matches(client.filter, entry, today);
      seen.set(game.id, { revision: game.revision, matched: matched || (before?.matched ?? false) });
      if (matched || before?.matched) client.writeNow(gameFrame(seq, entry.json));
    });
    client.resume(last);
  };

  const resume = async (client: SseClient, lastId: number) => {
    const fromMemory = lastId <= snapshot.position ? hub.recentSince(lastId) : undefined;
    if (fromMemory) {
      ctx.metrics.sseReplays.inc({ source: 'memory' });
      sendUpdates(client, fromMemory);
      return;
    }
    // live frames queue from here until what was missed has been written
    client.hold();
    if (lastId < snapshot.position) {
      const { first, last } = await ctx.replay.bounds();
      if (!client.closed && lastId + 1 >= first && lastId <= last && last - lastId <= ctx.config.sse.maxReplay) {
        ctx.metrics.sseReplays.inc({ source: 'jetstream' });
        await replayFromStream(client, lastId, last);
        client.resume(last);
        return;
      }
    }
    // Further back than the stream (or than is worth replaying), or an id this stream never
    // had: the current games instead, which supersede every queued game frame.
    ctx.metrics.sseReplays.inc({ source: 'snapshot' });
    client.resume(snapshot.position);
    sendSnapshot(client);
  };

  app.get(
    '/api/games/stream',
    {
      // a HEAD would hold a connection open with nothing to show for it
      exposeHeadRoute: false,
      schema: {
        summary: 'Server-Sent Events: the current games, then every change',
        description:
          '`event: game` frames carry a game (as in /api/games) with `id:` its games-stream sequence; the current games come ' +
          'first, oldest sequence first, then an id-only frame with the position they reflect. `event: meta` frames carry the ' +
          'live state, breaker and last poll when they change. A comment every 15 s keeps the connection open. Reconnect ' +
          'with `Last-Event-ID` to get exactly what was missed.',
        tags: ['games'],
        querystring: StreamQuery,
        headers: StreamHeaders,
        produces: ['text/event-stream'],
        response: {
          200: Type.String({ description: 'text/event-stream' }),
          400: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const { lastEventId: queryId, ...filters } = req.query;
      const filter: GameFilter = resolveFilter(filters);
      const headerId = req.headers['last-event-id'];
      const raw = typeof headerId === 'string' && headerId !== '' ? headerId : queryId;
      const lastId = raw === undefined ? undefined : Number(raw);
      if (lastId !== undefined && !Number.isSafeInteger(lastId)) throw badParameter('lastEventId', 'must be a stream sequence');

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
      });

      const client = hub.connect(res, filter);
      res.on('close', () => hub.remove(client));
      client.write(retryFrame(RETRY_MS));
      client.write(metaFrame(JSON.stringify(ctx.meta.current(snapshot.liveCount))));
      if (lastId === undefined) {
        sendSnapshot(client);
        return;
      }
      try {
        await resume(client, lastId);
      } catch (err) {
        req.log.warn({ err, lastEventId: lastId }, 'sse resume failed');
        hub.drop(client, 'replay-failed');
      }
    },
  );
};
