import { isIP } from 'node:net';
import {
  envReader,
  readCommon,
  readDatabaseUrl,
  readRedisUrl,
  type CommonConfig,
  type EnvReader,
} from '@scores/service-kit';

/** What fastify's `trustProxy` accepts: off, on, a hop count, or the proxies' addresses/CIDRs. */
export type TrustProxy = boolean | number | string[];

export interface ApiConfig {
  host: string;
  port: number;
  databaseUrl: string;
  redisUrl: string;
  rateLimit: {
    /** requests per client address per window, shared by every replica */
    max: number;
    windowS: number;
    /** addresses or CIDRs never limited */
    allowlist: string[];
  };
  /** exact origins allowed by CORS; empty allows none */
  corsOrigins: string[];
  /** keys for write routes; empty: every write answers 401. Never logged. */
  apiKeys: string[];
  /** the scheduler's intervals: Cache-Control max-age never exceeds the current one */
  pollLiveS: number;
  pollIdleS: number;
  trustProxy: TrustProxy;
  bodyLimitBytes: number;
  sse: {
    /** a comment line this often keeps proxies from closing an idle stream */
    heartbeatS: number;
    /** bytes queued for one client before it counts as too slow and is dropped */
    maxQueuedBytes: number;
    /** events a Last-Event-ID may replay; further behind, the client gets the snapshot again */
    maxReplay: number;
  };
}

export interface Config extends ApiConfig {
  common: CommonConfig;
}

/** An IPv4/IPv6 address, or one with a /prefix. */
export function isAddressOrCidr(value: string): boolean {
  const [addr, prefix, ...rest] = value.split('/');
  if (rest.length || !addr) return false;
  const family = isIP(addr);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

function isOrigin(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === value;
  } catch {
    return false;
  }
}

function readTrustProxy(v: EnvReader): TrustProxy {
  const raw = v.optional('TRUST_PROXY');
  if (raw === undefined) return false;
  const lower = raw.toLowerCase();
  if (['true', 'yes', 'on'].includes(lower)) return true;
  if (['false', 'no', 'off'].includes(lower)) return false;
  // a number is how many proxies stand in front (fastify's hop count); 0 trusts none
  if (/^\d{1,3}$/.test(raw)) return Number(raw) === 0 ? false : Number(raw);
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const wrong = list.filter((s) => !isAddressOrCidr(s));
  if (wrong.length || list.length === 0) {
    v.problem(`TRUST_PROXY=${JSON.stringify(raw)}: must be true, false, a hop count, or comma-separated proxy addresses/CIDRs`);
    return false;
  }
  return list;
}

/** A comma-separated list whose every item must pass `valid`. */
function listOf(v: EnvReader, name: string, valid: (item: string) => boolean, hint: string): string[] {
  const items = v.list(name, []);
  const wrong = items.filter((i) => !valid(i));
  if (wrong.length) v.problem(`${name}: ${wrong.map((w) => JSON.stringify(w)).join(', ')} ${hint}`);
  return items;
}

/** Shorter keys are accepted (SPEC: any key), but worth a warning at start: they are guessable. */
export const SHORT_API_KEY = 16;

/**
 * API_KEYS is read by hand: a bad key must never be echoed into an error or a log.
 * Any non-empty key is taken; one holding whitespace or a control character is refused,
 * as it could never arrive in an `Authorization: Bearer <key>` header.
 */
function readApiKeys(v: EnvReader): string[] {
  const raw = v.optional('API_KEYS');
  if (raw === undefined) return [];
  const keys = raw.split(',').map((s) => s.trim()).filter(Boolean);
  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  const bad = keys.filter((k) => /[\s\x00-\x1f\x7f]/.test(k)).length;
  if (bad) v.problem(`API_KEYS: ${bad} key(s) holding whitespace or control characters, which cannot travel in an Authorization: Bearer header (values not shown)`);
  return keys;
}

/** The api's own variables; the all-in-one process reads them next to the other services'. */
export function readApiConfig(v: EnvReader): ApiConfig {
  return {
    host: v.string('HOST', '0.0.0.0', { pattern: /^[^\s/]+$/, hint: 'must be a host name or address' }),
    port: v.int('PORT', 3000, { min: 0, max: 65535 }),
    databaseUrl: readDatabaseUrl(v),
    redisUrl: readRedisUrl(v),
    rateLimit: {
      max: v.int('RATE_LIMIT_MAX', 600, { min: 1, max: 1_000_000 }),
      windowS: v.int('RATE_LIMIT_WINDOW_S', 60, { min: 1, max: 86_400 }),
      allowlist: listOf(v, 'RATE_LIMIT_ALLOWLIST', isAddressOrCidr, 'must be an IP address or CIDR (e.g. 10.0.0.0/8)'),
    },
    corsOrigins: listOf(v, 'CORS_ORIGINS', isOrigin, 'must be an origin: scheme://host[:port], no path or trailing slash'),
    apiKeys: readApiKeys(v),
    pollLiveS: v.int('POLL_LIVE_S', 60, { min: 1, max: 86_400 }),
    pollIdleS: v.int('POLL_IDLE_S', 300, { min: 1, max: 86_400 }),
    trustProxy: readTrustProxy(v),
    bodyLimitBytes: v.int('API_BODY_LIMIT_BYTES', 16 * 1024, { min: 1024, max: 10 * 1024 * 1024 }),
    sse: {
      heartbeatS: v.int('SSE_HEARTBEAT_S', 15, { min: 1, max: 300 }),
      maxQueuedBytes: v.int('SSE_MAX_QUEUED_BYTES', 1024 * 1024, { min: 4096, max: 256 * 1024 * 1024 }),
      maxReplay: v.int('SSE_MAX_REPLAY', 10_000, { min: 0, max: 1_000_000 }),
    },
  };
}

/** Pure: the environment in, a config out, or a ConfigError naming every bad variable at once. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const v = envReader(env);
  const config = { common: readCommon(v), ...readApiConfig(v) };
  v.done();
  return config;
}
