import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import underPressure from '@fastify/under-pressure';
import { easternDate, VERSION, type Health, type Logger } from '@scores/service-kit';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type onResponseHookHandler } from 'fastify';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { SHORT_API_KEY, type ApiConfig } from './config.js';
import type { ReplaySource } from './games/replay.js';
import { installCaching } from './http/caching.js';
import { ApiError, installErrorHandling, sendError, toHttpError } from './http/errors.js';
import { installRateLimit } from './http/rate-limit.js';
import { LazyRequestLogger } from './http/request-logger.js';
import { validatorCompiler } from './http/validation.js';
import type { LeagueStore } from './leagues/store.js';
import { apiMetrics, type ApiMetrics } from './metrics.js';
import { gamesRoutes } from './routes/games.js';
import { leagueRoutes } from './routes/leagues.js';
import { pageRoutes } from './routes/pages.js';
import { statusRoutes } from './routes/status.js';
import { streamRoutes } from './routes/stream.js';
import type { ApiRuntime } from './runtime.js';

export interface AppDeps extends ApiRuntime {
  config: ApiConfig;
  ns: string;
  log: Logger;
  /** reads past changes for SSE clients resuming from further back than memory */
  replay: ReplaySource;
  leagues: LeagueStore;
  /** readiness checks (the process registers nats; the service adds postgres and redis) */
  health: Health;
  registry: Registry;
  instance: string;
  /** the rate limiter's store, shared by replicas; without it each app counts for itself */
  rateLimitRedis?: Redis;
  /** which health checks /readyz runs (default: all registered) */
  readyChecks?: string[];
  now?: () => number;
}

/** What every route reads: the deps plus derived helpers. */
export interface AppContext extends AppDeps {
  metrics: ApiMetrics;
  now: () => number;
  /** the US Eastern day now: game days and the default window are counted in it */
  today: () => string;
}

const trustHops = (n: number) => (_address: string, hop: number) => hop < n;

const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * The HTTP app, built from its dependencies and never listening: tests drive it with
 * `app.inject()`, the service (or main.ts) calls `listen`.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const now = deps.now ?? Date.now;
  let todayCache = { atMs: -Infinity, day: '' };
  const ctx: AppContext = {
    ...deps,
    metrics: apiMetrics(deps.registry),
    now,
    // Intl formatting costs microseconds: once a second is plenty for a day boundary
    today: () => {
      const t = now();
      if (t - todayCache.atMs > 1000 || t < todayCache.atMs) todayCache = { atMs: t, day: easternDate(t) };
      return todayCache.day;
    },
  };
  const { config } = deps;
  // a count, never a key: key values reach no log line
  const shortKeys = config.apiKeys.filter((k) => k.length < SHORT_API_KEY).length;
  if (shortKeys) deps.log.warn({ shortKeys, recommendedLength: SHORT_API_KEY }, 'API_KEYS holds short keys, which are easier to guess');

  // typed as fastify's logger, so the instance is the plain FastifyInstance every helper takes
  const logger: FastifyBaseLogger = deps.log;
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: (logger, bindings, options) => new LazyRequestLogger(logger, bindings, options),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    bodyLimit: config.bodyLimitBytes,
    // a hop count becomes the function fastify's types expect (it means: trust the n nearest proxies)
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : config.trustProxy,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // A malformed URL (`/api/games/%`) or a path parameter over maxParamLength is refused
    // by the router before any hook runs; without this, fastify answers in its own shape.
    frameworkErrors: (err, _req, reply) => {
      sendError(reply, toHttpError(err));
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  // Responses are shaped by the handlers (and the hot ones pre-serialized); schemas document them.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  // JSON bodies only: anything else is a 415, not a string the schema then refuses
  app.removeContentTypeParser('text/plain');
  // Callback-style hooks: no promise per request on the hot path. One per route, so the
  // route's path is a constant: fastify's routeOptions getter allocates on every call;
  // requests no route matched are observed by the not-found handler (no hook for all).
  const observe = (method: string, route: string, reply: FastifyReply) =>
    ctx.metrics.httpSeconds.observe({ method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  installErrorHandling(app, (req, reply) => observe(req.method, 'unmatched', reply));
  installCaching(app);

  app.addHook('onRoute', (route) => {
    const path = route.url;
    const hook: onResponseHookHandler = (req, reply, done) => {
      observe(req.method, path, reply);
      done();
    };
    route.onResponse = route.onResponse ? [...[route.onResponse].flat(), hook] : [hook];
  });

  await app.register(underPressure, {
    // Event-loop delay alone: utilization near 1 during a burst of changes is work being
    // done, and under-pressure measures it since start unless told otherwise.
    maxEventLoopDelay: 1000,
    pressureHandler: (req, reply, type, value) => {
      // probes answer even under load: a busy replica is not a dead one
      if (PROBES.has(req.url.split('?')[0]!.replace(/\/+$/, ''))) return;
      req.log.warn({ type, value }, 'shedding load');
      sendError(reply.header('retry-after', '5'), new ApiError(503, 'UNDER_PRESSURE', 'the server is overloaded; retry shortly'));
    },
  });

  // @fastify/cors refuses a preflight without Origin or Access-Control-Request-Method in
  // text/plain; refuse it first, in the error shape every other answer has.
  app.addHook('onRequest', (req, reply, done) => {
    if (req.method === 'OPTIONS' && (!req.headers.origin || !req.headers['access-control-request-method'])) {
      sendError(reply, new ApiError(400, 'INVALID_PREFLIGHT', 'a preflight request needs Origin and Access-Control-Request-Method headers'));
      return;
    }
    done();
  });

  // An empty list allows no origin at all: no CORS headers, and a preflight is a 404 either
  // way. Without origins the plugin is not installed: its hook would still read the
  // (allocating) routeOptions getter twice per request to decide nothing.
  if (config.corsOrigins.length) {
    await app.register(cors, {
      origin: [...config.corsOrigins],
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'OPTIONS'],
      allowedHeaders: ['Authorization', 'Content-Type', 'If-None-Match', 'Last-Event-ID'],
      exposedHeaders: ['ETag', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After', 'Location'],
      maxAge: 600,
      strictPreflight: true,
    });
  }

  await installRateLimit(app, {
    ns: deps.ns,
    max: config.rateLimit.max,
    windowS: config.rateLimit.windowS,
    allowlist: config.rateLimit.allowlist,
    ...(deps.rateLimitRedis ? { redis: deps.rateLimitRedis } : {}),
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'scores api',
        version: VERSION,
        description:
          'Live scores from ESPN, leagues and picks. Errors are always `{ "error": { "code", "message" } }`. JSON responses carry ' +
          'ETag (If-None-Match gets 304) and Cache-Control; every client address is rate-limited (RateLimit-* headers).',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API key from API_KEYS' } } },
      tags: [
        { name: 'games', description: 'served from memory, kept current from the games stream' },
        { name: 'leagues', description: 'leagues, slates, picks and standings' },
        { name: 'status' },
        { name: 'probes' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(gamesRoutes, { ctx });
  await app.register(streamRoutes, { ctx });
  await app.register(statusRoutes, { ctx });
  await app.register(leagueRoutes, { ctx });
  await app.register(pageRoutes, { ctx });

  // SSE streams end before the server closes, or close() would wait on them forever.
  app.addHook('preClose', async () => deps.hub.close());
  return app;
}
