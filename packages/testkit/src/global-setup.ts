/**
 * Runs once before the integration and end-to-end projects. Uses NATS, Postgres and
 * Redis where NATS_URL / DATABASE_URL / REDIS_URL (or the local defaults) answer; where
 * one does not answer and a Docker engine does, starts it with testcontainers. Where
 * neither, fails the run loudly: a test that needs a service never skips.
 */
import { execFileSync } from 'node:child_process';
import { connect as netConnect } from 'node:net';

type Stop = () => Promise<unknown>;
const stops: Stop[] = [];

function reachable(url: string, defaultPort: number): Promise<boolean> {
  const u = new URL(url.includes('://') ? url : `nats://${url}`);
  return new Promise((resolve) => {
    const s = netConnect({ host: u.hostname, port: Number(u.port || defaultPort), timeout: 1500 });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

function dockerAnswers(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

export async function setup(): Promise<void> {
  const nats = (process.env.NATS_URL ??= 'nats://127.0.0.1:4222').split(',')[0]!;
  const pg = (process.env.DATABASE_URL ??= 'postgres://root@127.0.0.1:5432/postgres');
  const redis = (process.env.REDIS_URL ??= 'redis://127.0.0.1:6379/1');
  const missing: string[] = [];
  if (!(await reachable(nats, 4222))) missing.push('nats');
  if (!(await reachable(pg, 5432))) missing.push('postgres');
  if (!(await reachable(redis, 6379))) missing.push('redis');
  if (missing.length === 0) return;

  if (!dockerAnswers()) {
    throw new Error(
      `not reachable: ${missing.join(', ')} (NATS_URL=${nats}, DATABASE_URL=${pg}, REDIS_URL=${redis}); ` +
        'start them (see README.md) or run where Docker can start them',
    );
  }
  // Loaded only here: no Docker engine, no testcontainers.
  if (missing.includes('nats')) {
    const { GenericContainer, Wait } = await import('testcontainers');
    const c = await new GenericContainer('nats:2.10-alpine')
      .withCommand(['-js'])
      .withExposedPorts(4222)
      .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
      .start();
    process.env.NATS_URL = `nats://${c.getHost()}:${c.getMappedPort(4222)}`;
    stops.push(() => c.stop());
  }
  if (missing.includes('postgres')) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const c = await new PostgreSqlContainer('postgres:16-alpine').start();
    process.env.DATABASE_URL = c.getConnectionUri();
    stops.push(() => c.stop());
  }
  if (missing.includes('redis')) {
    const { RedisContainer } = await import('@testcontainers/redis');
    const c = await new RedisContainer('redis:7-alpine').start();
    process.env.REDIS_URL = `${c.getConnectionUrl()}/1`;
    stops.push(() => c.stop());
  }
}

export async function teardown(): Promise<void> {
  await Promise.all(stops.map((s) => s()));
}
