import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** A strong validator from the body: equal bodies, equal tags, on every replica. */
export function etagOf(body: string | Buffer): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}

/** RFC 9110 weak comparison: `*`, a list, and W/ prefixes all count. */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === bare);
}

const isJson = (type: unknown) => typeof type === 'string' && type.includes('json');

/**
 * Every JSON response gets an ETag (unless its route set one from a cache) and a
 * Cache-Control (unless its route chose one); a GET whose If-None-Match matches gets 304.
 */
export function installCaching(app: FastifyInstance): void {
  app.addHook('onSend', (req: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void) => {
    // a route that served a cached body has set both already
    if (reply.hasHeader('etag') && reply.hasHeader('cache-control')) return done(null, payload);
    if (!isJson(reply.getHeader('content-type')) || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) return done(null, payload);
    let etag = reply.getHeader('etag') as string | undefined;
    if (!etag) {
      etag = etagOf(payload);
      reply.header('etag', etag);
    }
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', reply.statusCode < 400 ? 'no-cache' : 'no-store');
    if ((req.method === 'GET' || req.method === 'HEAD') && reply.statusCode === 200 && ifNoneMatchHits(req.headers['if-none-match'], etag)) {
      reply.code(304);
      reply.removeHeader('content-length');
      return done(null, '');
    }
    done(null, payload);
  });
}

/** A route that serves a cached body answers 304 itself, before any other work. */
export function notModified(req: FastifyRequest, reply: FastifyReply, etag: string): boolean {
  if (!ifNoneMatchHits(req.headers['if-none-match'], etag)) return false;
  reply.code(304).header('etag', etag);
  return true;
}
