/**
 * Compare-and-set scripts: Redis runs a script atomically, so two replicas (or a
 * redelivery racing a refresh) can never put an older value over a newer one.
 * Each returns WRITTEN, REFRESHED (same version: only the TTLs renewed) or STALE.
 */
import type { Redis, Result } from 'ioredis';

export const WRITE_RESULT = { stale: 0, refreshed: 1, written: 2 } as const;
export type WriteResult = keyof typeof WRITE_RESULT;

export function writeResultOf(code: unknown): WriteResult {
  if (code === WRITE_RESULT.written) return 'written';
  if (code === WRITE_RESULT.refreshed) return 'refreshed';
  if (code === WRITE_RESULT.stale) return 'stale';
  throw new Error(`unexpected script reply ${JSON.stringify(code)}`);
}

/**
 * KEYS[1] game key; ARGV revision, JSON value, TTL s. The revision is read from the
 * stored JSON itself (a value that does not parse is replaced).
 */
const SET_GAME = `
local cur = redis.call('GET', KEYS[1])
local rev = tonumber(ARGV[1])
if cur then
  local ok, doc = pcall(cjson.decode, cur)
  local stored = ok and type(doc) == 'table' and tonumber(doc['revision']) or nil
  if stored then
    if stored > rev then return 0 end
    if stored == rev then
      redis.call('EXPIRE', KEYS[1], ARGV[3])
      return 1
    end
  end
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 2
`;

/** KEYS[1] game key; ARGV revision. Deletes unless a newer revision is stored; 1 when deleted. */
const DEL_GAME = `
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
local ok, doc = pcall(cjson.decode, cur)
local stored = ok and type(doc) == 'table' and tonumber(doc['revision']) or nil
if stored and stored > tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
return 1
`;

/**
 * A value whose order is kept in a second key: KEYS[1] value key, KEYS[2] order key
 * (epoch ms); ARGV order ms, value, value TTL s, order TTL s. A tie rewrites (or
 * refreshes) so that a flushed value comes back. A value TTL of 0 or less: the value has
 * lapsed and is left alone; only the order key is written.
 */
const SET_ORDERED = `
local at = tonumber(ARGV[1])
local vttl = tonumber(ARGV[3])
local cur = tonumber(redis.call('GET', KEYS[2]))
if cur and cur > at then return 0 end
if cur and cur == at and (vttl <= 0 or redis.call('GET', KEYS[1]) == ARGV[2]) then
  if vttl > 0 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
  redis.call('EXPIRE', KEYS[2], ARGV[4])
  return 1
end
if vttl > 0 then redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) end
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[4])
return 2
`;

/**
 * KEYS[1] value key; ARGV value, TTL s. Restores a value that is gone (a flush) and
 * otherwise only renews its TTL: a refresh from memory never overwrites what the ordered
 * consumer wrote, which may be newer than this replica's memory.
 */
const SET_OR_RENEW = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  return 1
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 2
`;

export const scripts = {
  cwSetGame: { numberOfKeys: 1, lua: SET_GAME },
  cwSetOrRenew: { numberOfKeys: 1, lua: SET_OR_RENEW },
  cwDelGame: { numberOfKeys: 1, lua: DEL_GAME },
  cwSetOrdered: { numberOfKeys: 2, lua: SET_ORDERED },
} as const;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    cwSetGame(key: string, revision: number, value: string, ttlS: number): Result<number, Context>;
    cwDelGame(key: string, revision: number): Result<number, Context>;
    cwSetOrRenew(key: string, value: string, ttlS: number): Result<number, Context>;
    cwSetOrdered(
      valueKey: string,
      orderKey: string,
      orderMs: number,
      value: string,
      valueTtlS: number,
      orderTtlS: number,
    ): Result<number, Context>;
  }
}

export function defineScripts(redis: Redis): void {
  for (const [name, def] of Object.entries(scripts)) redis.defineCommand(name, def);
}
