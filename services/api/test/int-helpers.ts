import { request, type IncomingMessage } from 'node:http';
import { encode, GameChanged, msgIds, subjects, type GameWithRevision } from '@scores/contracts';
import { Health, type ServiceContext } from '@scores/service-kit';
import { testEnv } from '@scores/testkit';
import { createApiService, loadConfig, type ApiDeps, type RunningApi } from '../src/index.js';
import { changed } from './fixtures.js';
import { KEY } from './helpers.js';
import { FrameReader } from './sse.js';

type Ctx = Pick<ServiceContext, 'ns' | 'js'>;

/** Starts an api on a test context as main.ts would, on a free loopback port. */
export async function startApi(
  ctx: ServiceContext,
  opts: { databaseUrl: string; env?: Record<string, string>; deps?: ApiDeps },
): Promise<RunningApi & { url: string; shutdown(): Promise<void> }> {
  const cfg = loadConfig({
    NAMESPACE: ctx.ns,
    DATABASE_URL: opts.databaseUrl,
    REDIS_URL: testEnv.redisUrl,
    HOST: '127.0.0.1',
    PORT: '0',
    API_KEYS: KEY,
    ...opts.env,
  });
  // a Health of its own, as each process has: replicas sharing a test context must not share checks
  const health = new Health();
  health.add('nats', () => ctx.nc.flush());
  const api = await createApiService(cfg, opts.deps).start({ ...ctx, health, log: ctx.log.child({ component: 'api' }) });
  return {
    ...api,
    url: `http://127.0.0.1:${api.port}`,
    async shutdown() {
      await api.stop();
      await api.close?.();
    },
  };
}

/** Publishes a game's revision as the poller does (JetStream, Nats-Msg-Id); resolves with its stream sequence. */
export async function publishGame(ctx: Ctx, g: GameWithRevision): Promise<number> {
  const ack = await ctx.js.publish(subjects.gameChanged(ctx.ns, g), encode(GameChanged, changed(g)), { msgID: msgIds.gameChanged(g.id, g.revision) });
  return ack.seq;
}

/** An SSE connection over real HTTP; `close()` drops it as a client going away would. */
export async function openStream(url: string, headers: Record<string, string> = {}): Promise<{ res: IncomingMessage; reader: FrameReader; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const reader = new FrameReader(res);
      resolve({ res, reader, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

export async function getJson<T = unknown>(url: string, init: RequestInit = {}): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}

export const withKey = (body: unknown, method = 'POST'): RequestInit => ({
  method,
  headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
