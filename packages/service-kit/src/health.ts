import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Logger } from './logger.js';

export type Check = () => unknown;

export interface CheckResult {
  ready: boolean;
  checks: Record<string, { ok: boolean; error?: string }>;
}

/** The readiness checks of one process: each service adds what it depends on. */
export class Health {
  private readonly checks = new Map<string, Check>();

  add(name: string, check: Check): void {
    this.checks.set(name, check);
  }

  async run(names?: string[], timeoutMs = 2000): Promise<CheckResult> {
    const entries = [...this.checks].filter(([n]) => !names || names.includes(n));
    const results = await Promise.all(
      entries.map(async ([name, check]) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            Promise.resolve().then(check),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
            }),
          ]);
          return [name, { ok: true }] as const;
        } catch (err) {
          return [name, { ok: false, error: err instanceof Error ? err.message : String(err) }] as const;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const checks: CheckResult['checks'] = {};
    for (const [name, r] of results) checks[name] = r;
    return { ready: results.every(([, r]) => r.ok), checks };
  }

  names(): string[] {
    return [...this.checks.keys()];
  }
}

export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/** `/healthz` (alive), `/readyz` (dependencies reachable), `/metrics` (Prometheus). */
export async function startHealthServer(opts: {
  port: number;
  host?: string;
  health: Health;
  registry: Registry;
  log: Logger;
}): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]?.replace(/\/+$/, '') || '/';
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, JSON.stringify({ error: { code: 'METHOD_NOT_ALLOWED', message: 'GET only' } }));
    if (path === '/healthz') return send(200, JSON.stringify({ status: 'ok' }));
    if (path === '/readyz') {
      opts.health
        .run()
        .then((r) => send(r.ready ? 200 : 503, JSON.stringify({ status: r.ready ? 'ready' : 'not ready', ...r })))
        .catch((err: unknown) => send(503, JSON.stringify({ status: 'not ready', error: String(err) })));
      return;
    }
    if (path === '/metrics') {
      opts.registry
        .metrics()
        .then((m) => send(200, m, opts.registry.contentType))
        .catch((err: unknown) => {
          opts.log.error({ err }, 'metrics collection failed');
          send(500, '');
        });
      return;
    }
    send(404, JSON.stringify({ error: { code: 'NOT_FOUND', message: `no route ${path}` } }));
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  opts.log.info({ port }, 'health server listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
