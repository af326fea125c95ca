import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * `Authorization: Bearer <key>` against the configured keys. Keys are compared as
 * SHA-256 digests with timingSafeEqual, and every key is compared (no early exit), so
 * timing reveals neither a key nor which one matched. Keys are never logged.
 */
export function apiKeyGuard(keys: readonly string[]): (req: FastifyRequest) => Promise<void> {
  const digests = keys.map(digest);
  return async (req) => {
    if (digests.length === 0) throw new ApiError(401, 'UNAUTHORIZED', 'writes are disabled: this server has no API keys configured');
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header) : null;
    if (!match) throw new ApiError(401, 'UNAUTHORIZED', 'send an API key as Authorization: Bearer <key>');
    const given = digest(match[1]!);
    let ok = false;
    for (const d of digests) ok = timingSafeEqual(given, d) || ok;
    if (!ok) throw new ApiError(401, 'UNAUTHORIZED', 'the API key is not valid');
  };
}
