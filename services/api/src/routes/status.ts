import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ErrorBody, StatusResponse } from '../http/schemas.js';
import type { AppContext } from '../app.js';

/** Status, liveness, readiness and metrics. The last three are never rate-limited or shed under pressure. */
export const statusRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { snapshot, meta, heartbeats, hub } = ctx;

  app.get(
    '/api/status',
    {
      schema: {
        summary: 'Live state, breaker, last poll, and the health of every service',
        description: "Services report themselves on <ns>.health.<service>; an instance silent for 3 of its intervals is 'stale'.",
        tags: ['status'],
        response: { 200: StatusResponse, 429: ErrorBody },
      },
    },
    async (_req, reply) => {
      const own = await ctx.health.run(ctx.readyChecks);
      reply.header('cache-control', 'no-cache');
      return {
        ...meta.current(snapshot.liveCount),
        games: { count: snapshot.size, live: snapshot.liveCount, streamSequence: snapshot.position },
        services: heartbeats.services(ctx.now()),
        api: { instance: ctx.instance, ready: own.ready, checks: own.checks, sseClients: hub.clients.size },
      };
    },
  );

  const probe = { rateLimit: false } as const;

  app.get(
    '/healthz',
    { config: probe, schema: { summary: 'Liveness', tags: ['probes'], response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async (_req, reply) => {
      reply.header('cache-control', 'no-store');
      return { status: 'ok' as const };
    },
  );

  const Ready = Type.Object({
    status: Type.Union([Type.Literal('ready'), Type.Literal('not ready')]),
    ready: Type.Boolean(),
    checks: Type.Record(Type.String(), Type.Object({ ok: Type.Boolean(), error: Type.Optional(Type.String()) })),
  });
  app.get(
    '/readyz',
    {
      config: probe,
      schema: { summary: 'Readiness: NATS, Postgres and Redis reachable', tags: ['probes'], response: { 200: Ready, 503: Ready } },
    },
    async (_req, reply) => {
      const r = await ctx.health.run(ctx.readyChecks);
      reply.code(r.ready ? 200 : 503).header('cache-control', 'no-store');
      return { status: r.ready ? ('ready' as const) : ('not ready' as const), ...r };
    },
  );

  app.get(
    '/metrics',
    { config: probe, schema: { summary: 'Prometheus metrics', tags: ['probes'], produces: ['text/plain'], response: { 200: Type.String() } } },
    async (_req, reply) => {
      const body = await ctx.registry.metrics();
      return reply.header('cache-control', 'no-store').type(ctx.registry.contentType).send(body);
    },
  );
};
