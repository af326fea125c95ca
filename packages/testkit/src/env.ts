/**
 * Where the real services are. Tests never skip when one is missing: they fail, loudly,
 * naming the variable to set.
 */
export const testEnv = {
  natsUrl: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
  /** the server; each test file gets a database of its own on it */
  databaseUrl: process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/postgres',
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/1',
  logLevel: (process.env.TEST_LOG_LEVEL ?? 'silent') as 'silent',
};
