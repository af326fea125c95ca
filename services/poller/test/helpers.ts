import { decode, GameChanged, streamSpecs, type BreakerChanged } from '@scores/contracts';
import { readStream, type testContext } from '@scores/testkit';
import { easternDate } from '@scores/service-kit';
import { loadConfig } from '../src/config.js';

export type Ctx = Awaited<ReturnType<typeof testContext>>;

export const today = () => easternDate(Date.now());

/** The poller's config as an operator would set it, pointed at the simulator. */
export function pollerConfig(ns: string, baseUrl: string, env: Record<string, string> = {}) {
  const { common: _common, ...config } = loadConfig({
    NAMESPACE: ns,
    ESPN_BASE_URL: baseUrl,
    ESPN_LEAGUES: 'football/nfl',
    ESPN_TIMEOUT_MS: '1000',
    ESPN_RETRIES: '1',
    ESPN_RETRY_BASE_MS: '10',
    POLL_MIN_GAP_S: '0',
    BREAKER_FAILURES: '3',
    BREAKER_OPEN_S: '2',
    ESPN_RATE_LIMIT_PER_S: '100',
    ...env,
  });
  return config;
}

export async function gameEvents(ctx: Ctx): Promise<(GameChanged & { seq: number })[]> {
  const msgs = await readStream(ctx, streamSpecs(ctx.ns).games.name);
  return msgs.map((m) => ({ ...decode(GameChanged, m.data), seq: m.seq }));
}

export async function breakerEvents(ctx: Ctx): Promise<BreakerChanged[]> {
  const msgs = await readStream(ctx, streamSpecs(ctx.ns).polls.name, `${ctx.ns}.breaker.changed`);
  return msgs.map((m) => JSON.parse(m.string()) as BreakerChanged);
}
