import { BlockList, isIP } from 'node:net';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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
  return (address) => {
    if (entries.length === 0 || !address) return false;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    const ip = mapped ?? address;
    const family = isIP(ip);
    if (family === 0) return false;
    return list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
  };
}

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
 */
export async function installRateLimit(app: FastifyInstance, opts: RateLimitOptions): Promise<void> {
  const allowed = addressMatcher(opts.allowlist);
  await app.register(rateLimit, {
    global: true,
    max: opts.max,
    timeWindow: opts.windowS * 1000,
    enableDraftSpec: true,
    skipOnError: true,
    ...(opts.redis ? { redis: opts.redis, nameSpace: `${opts.ns}:ratelimit:` } : {}),
    allowList: (req: FastifyRequest) => allowed(req.ip),
    errorResponseBuilder: (_req, ctx) =>
      new ApiError(ctx.statusCode, 'RATE_LIMITED', `too many requests: at most ${ctx.max} per ${opts.windowS} s; retry in ${ctx.after}`),
  });
  // With Redis away (skipOnError) the plugin still writes its headers, from a count of 0 and
  // a window of 0 s; a real count always has at least 1 s of its window left. No count, no headers.
  app.addHook('onSend', (_req: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void) => {
    const reset = reply.getHeader('ratelimit-reset');
    if (reset !== undefined && !(Number(reset) > 0)) {
      reply.removeHeader('ratelimit-limit');
      reply.removeHeader('ratelimit-remaining');
      reply.removeHeader('ratelimit-reset');
    }
    done(null, payload);
  });
}
