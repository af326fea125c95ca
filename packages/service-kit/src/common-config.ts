import type { EnvReader } from './env.js';

export const NAMESPACE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface NatsConfig {
  servers: string[];
  token: string | undefined;
  credsFile: string | undefined;
}

export interface CommonConfig {
  namespace: string;
  logLevel: LogLevel;
  healthPort: number;
  nats: NatsConfig;
  /** how long a service may take to stop before the process exits anyway */
  shutdownGraceMs: number;
  /** replicas of every stream and KV bucket this deployment creates (3 on a 3-node NATS cluster) */
  jetstreamReplicas: number;
}

export function readCommon(v: EnvReader): CommonConfig {
  return {
    namespace: v.string('NAMESPACE', 'scores', {
      pattern: NAMESPACE_PATTERN,
      hint: 'must be 1-64 letters, digits, _ or - (it prefixes subjects, streams, buckets and keys)',
    }),
    logLevel: v.oneOf('LOG_LEVEL', 'info', LOG_LEVELS),
    healthPort: v.int('HEALTH_PORT', 9464, { min: 0, max: 65535 }),
    nats: {
      servers: v.list('NATS_URL', ['nats://127.0.0.1:4222'], {
        pattern: /^(nats|tls|wss?):\/\/[^\s]+$|^[^\s:/]+(:\d+)?$/,
        hint: 'must be nats://host:port (comma-separated for several servers)',
        min: 1,
      }),
      token: v.optional('NATS_TOKEN'),
      credsFile: v.optional('NATS_CREDS'),
    },
    shutdownGraceMs: v.int('SHUTDOWN_GRACE_S', 25, { min: 1, max: 600 }) * 1000,
    jetstreamReplicas: v.int('JETSTREAM_REPLICAS', 1, { min: 1, max: 5 }),
  };
}

export function readDatabaseUrl(v: EnvReader): string {
  return v.url('DATABASE_URL', 'postgres://127.0.0.1:5432/scores', ['postgres', 'postgresql']);
}

export function readRedisUrl(v: EnvReader): string {
  return v.url('REDIS_URL', 'redis://127.0.0.1:6379/1', ['redis', 'rediss']);
}
