/**
 * Private NATS, Redis and Postgres servers for the chaos tests: each on a free loopback
 * port with its own data directory, so a test may stop, restart or flush them without
 * touching the shared servers other test files use. Every server started here is stopped
 * (and its directory removed) by `stop()`, and, should the test process die first, by an
 * exit hook.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@scores/testkit';

const NATS_SERVER = process.env.CHAOS_NATS_SERVER ?? '/usr/sbin/nats-server';
const REDIS_SERVER = process.env.CHAOS_REDIS_SERVER ?? 'redis-server';
const PG_BIN = process.env.CHAOS_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** A TCP port nobody listens on right now (loopback). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect({ host: '127.0.0.1', port, timeout: 500 });
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

/** Cleanups that must run even when the test process exits without its afterAll. */
const exitHooks = new Set<() => void>();
process.once('exit', () => {
  for (const hook of exitHooks) {
    try {
      hook();
    } catch {
      // the process is going away; nothing more to do
    }
  }
});

export interface PrivateServer {
  readonly name: string;
  readonly port: number;
  /** how clients reach it */
  readonly url: string;
  readonly running: boolean;
  start(): Promise<void>;
  /** graceful stop (SIGTERM / pg_ctl fast); the data directory stays */
  stop(): Promise<void>;
  /** stop, stay down for `downMs`, start again */
  restart(downMs?: number): Promise<void>;
  /** stop and remove everything it left on disk */
  destroy(): Promise<void>;
  /** what the server printed (NATS, Redis) */
  output(): string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A server that runs as our child in the foreground (NATS, Redis). */
class ChildServer implements PrivateServer {
  private child: ChildProcess | undefined;
  private lines: string[] = [];
  private readonly hook = () => this.child?.kill('SIGKILL');

  constructor(
    readonly name: string,
    readonly port: number,
    readonly url: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly dir: string,
  ) {
    exitHooks.add(this.hook);
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const child = spawn(this.command, this.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const collect = (b: Buffer) => {
      this.lines.push(...b.toString('utf8').split('\n').filter(Boolean));
      if (this.lines.length > 5000) this.lines.splice(0, this.lines.length - 5000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
    await Promise.race([
      spawnError,
      waitFor(async () => {
        if (child.exitCode !== null) throw new Error(`${this.name} exited with ${child.exitCode}: ${this.lines.slice(-5).join(' | ')}`);
        return portOpen(this.port);
      }, { timeoutMs: 20_000, intervalMs: 50, message: `${this.name} did not listen on ${this.port}` }),
    ]);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    // the port must be free before a restart binds it again
    await waitFor(async () => !(await portOpen(this.port)), { timeoutMs: 10_000, intervalMs: 50 });
  }

  async restart(downMs = 0): Promise<void> {
    await this.stop();
    if (downMs > 0) await sleep(downMs);
    await this.start();
  }

  async destroy(): Promise<void> {
    await this.stop();
    exitHooks.delete(this.hook);
    rmSync(this.dir, { recursive: true, force: true });
  }

  output(): string[] {
    return [...this.lines];
  }
}

/** NATS with JetStream, file storage in a directory of its own (kept across restarts); `token` requires it of clients. */
export async function startPrivateNats(opts: { token?: string } = {}): Promise<PrivateServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'chaos-nats-'));
  const args = ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir, ...(opts.token ? ['--auth', opts.token] : [])];
  const server = new ChildServer('nats', port, `nats://127.0.0.1:${port}`, NATS_SERVER, args, dir);
  await server.start();
  return server;
}

/** Redis without persistence: a restart comes back empty, as a flushed cache would. */
export async function startPrivateRedis(opts: { password?: string } = {}): Promise<PrivateServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'chaos-redis-'));
  const auth = opts.password ? `:${encodeURIComponent(opts.password)}@` : '';
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  if (opts.password) args.push('--requirepass', opts.password);
  const server = new ChildServer('redis', port, `redis://${auth}127.0.0.1:${port}/1`, REDIS_SERVER, args, dir);
  await server.start();
  return server;
}

/**
 * A Postgres cluster of its own (initdb, trust auth, superuser `root`), run as the
 * `postgres` user when we are root (Postgres refuses to run as root). `url` points at the
 * `postgres` database; `databaseUrl(name)` at another.
 */
class PostgresServer implements PrivateServer {
  readonly name = 'postgres';
  readonly url: string;
  private up = false;
  private readonly data: string;
  private readonly hook = () => {
    if (this.up) this.pgCtl(['stop', '-m', 'immediate', '-w']);
  };

  constructor(
    readonly port: number,
    private readonly dir: string,
  ) {
    this.url = `postgres://root@127.0.0.1:${port}/postgres`;
    this.data = join(dir, 'data');
    exitHooks.add(this.hook);
  }

  databaseUrl(name: string): string {
    return `postgres://root@127.0.0.1:${this.port}/${name}`;
  }

  private run(bin: string, args: string[]): string {
    const asPostgres = process.getuid?.() === 0;
    const cmd = asPostgres ? 'runuser' : join(PG_BIN, bin);
    const argv = asPostgres ? ['-u', 'postgres', '--', join(PG_BIN, bin), ...args] : args;
    return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  }

  private pgCtl(args: string[]): string {
    return this.run('pg_ctl', ['-D', this.data, ...args]);
  }

  init(): void {
    this.run('initdb', ['-D', this.data, '-A', 'trust', '-U', 'root', '--no-sync', '-E', 'UTF8']);
  }

  get running(): boolean {
    return this.up;
  }

  async start(): Promise<void> {
    if (this.up) return;
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
    this.pgCtl(['-o', opts, '-l', join(this.dir, 'log'), '-w', '-t', '60', 'start']);
    this.up = true;
    await waitFor(() => portOpen(this.port), { timeoutMs: 20_000, intervalMs: 50 });
  }

  async stop(): Promise<void> {
    if (!this.up) return;
    // fast: every backend is terminated at once, as when the server goes away under load
    this.pgCtl(['stop', '-m', 'fast', '-w', '-t', '60']);
    this.up = false;
  }

  async restart(downMs = 0): Promise<void> {
    await this.stop();
    if (downMs > 0) await sleep(downMs);
    await this.start();
  }

  async destroy(): Promise<void> {
    await this.stop();
    exitHooks.delete(this.hook);
    rmSync(this.dir, { recursive: true, force: true });
  }

  output(): string[] {
    try {
      return execFileSync('tail', ['-n', '200', join(this.dir, 'log')], { encoding: 'utf8' }).split('\n');
    } catch {
      return [];
    }
  }
}

export type PrivatePostgres = PostgresServer;

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'chaos-pg-'));
  if (process.getuid?.() === 0) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()), Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()));
  const server = new PostgresServer(port, dir);
  try {
    server.init();
    await server.start();
  } catch (err) {
    await server.destroy().catch(() => undefined);
    throw err;
  }
  return server;
}

/** The three together, as one run of the pipeline needs them. */
export interface PrivateServers {
  nats: PrivateServer;
  redis: PrivateServer;
  postgres: PrivatePostgres;
  destroy(): Promise<void>;
}

export async function startPrivateServers(opts: { redisPassword?: string; natsToken?: string } = {}): Promise<PrivateServers> {
  const started: PrivateServer[] = [];
  try {
    const nats = await startPrivateNats(opts.natsToken ? { token: opts.natsToken } : {});
    started.push(nats);
    const redis = await startPrivateRedis(opts.redisPassword ? { password: opts.redisPassword } : {});
    started.push(redis);
    const postgres = await startPrivatePostgres();
    started.push(postgres);
    return {
      nats,
      redis,
      postgres,
      destroy: async () => {
        await Promise.allSettled(started.map((s) => s.destroy()));
      },
    };
  } catch (err) {
    await Promise.allSettled(started.map((s) => s.destroy()));
    throw err;
  }
}
