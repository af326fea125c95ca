import { BlockList, isIP } from 'node:net';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import type { Redis } from 'ioredis';
import { ApiError } from './errors.js';

/** Addresses and CIDRs (both families); an IPv4-mapped IPv6 address matches its IPv4 form. */
export function addressMatcher(entries: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const [addr, prefix] = entry.split('/') as [string, string | undefined];
    const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(prefix), type);
  }
  const check = (address: string) => {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    const ip = mapped ?? address;
    const family = isIP(ip);
    if (family === 0) return false;
    return list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
  };
  // BlockList.check builds a SocketAddress per call: under load it was the costliest step
  // of a cached /api/games answer. A replica sees few distinct addresses (its proxies, or
  // clients): remember each answer, and start over rather than grow without bound.
  const known = new Map<string, boolean>();
  return (address) => {
    if (entries.length === 0 || !address) return false;
    let hit = known.get(address);
    if (hit === undefined) {
      if (known.size >= MATCHER_MEMORY) known.clear();
      known.set(address, (hit = check(address)));
    }
    return hit;
  };
}

const MATCHER_MEMORY = 10_000;

export interface RateLimitOptions {
  ns: string;
  max: number;
  windowS: number;
  allowlist: readonly string[];
  /** shared by replicas; without it (unit tests) each app counts for itself */
  redis?: Redis;
}

/**
 * Per client address, across replicas when Redis is given: standard RateLimit-* headers
 * on every limited response and Retry-After on a 429. Redis being away never refuses a
 * request (skipOnError): availability beats the limit.
 *
 * The plugin's own per-route hook is an async function that reads fastify's allocating
 * routeOptions getter and normalizes the address before it asks the allowlist; under load
 * that was the largest cost a cached /api/games answer paid. So the plugin only provides
 * the limiter, and each route gets a callback-style hook that asks the (memoized)
 * allowlist first. A route opts out with `config: { rateLimit: false }`, as before.
 */
export async function installRateLimit(app: FastifyInstance, opts: RateLimitOptions): Promise<void> {
  const allowed = addressMatcher(opts.allowlist);
  await app.register(rateLimit, {
    global: false,
    max: opts.max,
    timeWindow: opts.windowS * 1000,
    enableDraftSpec: true,
    skipOnError: true,
    ...(opts.redis ? { redis: opts.redis, nameSpace: `${opts.ns}:ratelimit:` } : {}),
    errorResponseBuilder: (_req, ctx) =>
      new ApiError(ctx.statusCode, 'RATE_LIMITED', `too many requests: at most ${ctx.max} per ${opts.windowS} s; retry in ${ctx.after}`),
  });
  const limit = app.rateLimit();
  const limited: onRequestHookHandler = (req, reply, done) => {
    if (allowed(req.ip)) return done();
    limit.call(app, req, reply).then(() => {
      // With Redis away (skipOnError) the plugin still writes its headers, from a count of 0
      // and a window of 0 s; a real count always has at least 1 s of its window left. No
      // count, no headers.
      const reset = reply.getHeader('ratelimit-reset');
      if (reset !== undefined && !(Number(reset) > 0)) {
        reply.removeHeader('ratelimit-limit');
        reply.removeHeader('ratelimit-remaining');
        reply.removeHeader('ratelimit-reset');
      }
      done();
    }, done);
  };
  app.addHook('onRoute', (route) => {
    if ((route.config as { rateLimit?: unknown } | undefined)?.rateLimit === false) return;
    route.onRequest = route.onRequest ? [...[route.onRequest].flat(), limited] : [limited];
  });
}
