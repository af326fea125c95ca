/**
 * Change visible: the simulator serves a new score, and we time how long after the
 * poller RECEIVED that answer (the poll wait excluded) the change is seen
 *   - by an SSE client of /api/games/stream (the frame arrives),
 *   - on /api/games/live (a client polling it every 2 ms with If-None-Match gets the new body),
 *   - in Redis (the cache-writer's SET of scores:game:<id>, timed by Redis itself via MONITOR).
 * The poller, grader, cache-writer and api run in this process, as `pnpm start` runs
 * them; the simulator in its own. "Received" is when the ESPN client's fetchDay resolved
 * (body complete and decompressed), taken by wrapping the real client.
 */
import { createApiService, loadConfig as loadApi } from '@scores/api';
import { createCacheWriterService, loadConfig as loadCacheWriter } from '@scores/cache-writer';
import { createGraderService, loadConfig as loadGrader } from '@scores/grader';
import { createEspnClient, loadConfig as loadPoller, startPoller, type EspnClient } from '@scores/poller';
import { testEnv, waitFor } from '@scores/testkit';
import { Redis } from 'ioredis';
import { request } from 'node:http';
import { median, percentile, round, type Bench, type BenchRow } from './lib.js';
import { openStack } from './stack.js';

/** Wall-clock milliseconds with sub-millisecond precision (comparable with Redis's MONITOR times). */
const nowMs = () => performance.timeOrigin + performance.now();

interface GamesBody {
  games: { id: string; status: { state: string }; home: { abbreviation: string; score: number | null } }[];
}

export const run: Bench = async ({ quick }) => {
  const rounds = quick ? 3 : 30;
  const stack = await openStack('benchlat', { games: 300 });
  const { ctx, env } = stack;
  const received = new Map<string, number>();
  const { common: _c, ...pollerCfg } = loadPoller(env);
  const real = createEspnClient(pollerCfg.espn, { log: ctx.log, registry: ctx.registry });
  const client: EspnClient = {
    async fetchDay(league, day) {
      const res = await real.fetchDay(league, day);
      received.set(day, nowMs());
      return res;
    },
    dispose: () => real.dispose(),
  };
  const grader = await createGraderService(loadGrader(env)).start(ctx);
  const cache = await createCacheWriterService(loadCacheWriter(env)).start(ctx);
  const api = await createApiService(loadApi(env)).start(ctx);
  const poller = await startPoller(ctx, pollerCfg, { client });
  const redis = new Redis(testEnv.redisUrl, { lazyConnect: true });
  const rows: BenchRow[] = [];
  let sse: ReturnType<typeof request> | undefined;
  try {
    await poller.pollNow();
    const base = `http://127.0.0.1:${api.port}`;
    const live = await waitFor(
      async () => {
        const body = (await (await fetch(`${base}/api/games/live`)).json()) as GamesBody;
        return body.games.length > 0 ? body : undefined;
      },
      { timeoutMs: 30_000 },
    );
    const game = live.games.find((g) => g.home.score !== null)!;
    const gameKey = `${stack.ns}:game:${game.id}`;

    // the SSE client: every chunk's arrival time, searched for the round's marker
    let sseText = '';
    let sseSeen: ((text: string, at: number) => void) | undefined;
    await new Promise<void>((resolve, reject) => {
      sse = request(`${base}/api/games/stream?team=${encodeURIComponent(game.home.abbreviation)}`, (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          sseText = (sseText + chunk).slice(-200_000);
          sseSeen?.(sseText, nowMs());
        });
        resolve();
      });
      sse.on('error', reject);
      sse.end();
    });

    // Redis: the SET of the game's key, timed by Redis
    await redis.connect();
    const monitor = await redis.monitor();
    let redisSeen: ((args: string[], at: number) => void) | undefined;
    monitor.on('monitor', (time: string, args: string[]) => redisSeen?.(args, Number(time) * 1000));

    const lat = { sse: [] as number[], live: [] as number[], redis: [] as number[], poll: [] as number[] };
    for (let r = 1; r <= rounds; r++) {
      const score = 100 + r; // no real score is that high: the marker of this round
      const marker = `"score":${score}`;
      const found = { sse: 0, live: 0, redis: 0 };
      sseSeen = (text, at) => {
        if (!found.sse && text.includes(marker)) found.sse = at;
      };
      redisSeen = (args, at) => {
        if (!found.redis && args[0]?.toLowerCase() === 'set' && args[1] === gameKey && args[2]?.includes(marker)) found.redis = at;
      };
      // /api/games/live, as a client polling it hard would see it
      let etag = '';
      let polling = true;
      const poller2ms = (async () => {
        while (polling && !found.live) {
          const res = await fetch(`${base}/api/games/live`, { headers: etag ? { 'if-none-match': etag } : {} });
          const at = nowMs();
          if (res.status === 200) {
            etag = res.headers.get('etag') ?? '';
            if ((await res.text()).includes(marker)) found.live = at;
          } else await res.arrayBuffer();
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      })();
      await stack.sim!.control(`/_sim/events/${game.id}/score`, { home: score, away: 0 });
      received.clear();
      const t0 = nowMs();
      const done = await poller.pollNow();
      if (!done.ok || done.changed !== 1) throw new Error(`round ${r}: the poll published ${done.changed} changes (${done.error ?? 'ok'})`);
      await waitFor(() => found.sse && found.live && found.redis, { timeoutMs: 10_000, message: `round ${r}: change not seen everywhere: ${JSON.stringify(found)}` });
      polling = false;
      await poller2ms;
      const at = received.get(stack.day)!;
      lat.poll.push(at - t0);
      lat.sse.push(found.sse - at);
      lat.live.push(found.live - at);
      lat.redis.push(found.redis - at);
    }
    monitor.disconnect();

    const row = (what: string, xs: number[]): BenchRow => {
      const p99 = percentile(xs, 99);
      return {
        name: `change visible: ${what}, p99 after the poller received the answer`,
        value: round(p99, 1),
        unit: 'ms',
        target: '<= 100 ms p99',
        ...(quick ? {} : { pass: p99 <= 100 }),
        runs: xs.map((x) => round(x, 1)),
        notes: `p50 ${round(median(xs), 1)} ms, max ${round(Math.max(...xs), 1)} ms over ${xs.length} changes (300-game Saturday: the answer is 1.1 MB of JSON)`,
      };
    };
    rows.push(
      row('SSE event received', lat.sse),
      row('/api/games/live shows it', lat.live),
      row('Redis key written', lat.redis),
    );
    rows[0]!.notes += `; the request itself took ${round(median(lat.poll), 1)} ms median (excluded)`;
  } finally {
    sse?.destroy();
    redis.disconnect();
    await poller.stop();
    await api.stop();
    await Promise.all([grader.stop(), cache.stop()]);
    await Promise.all([api.close?.(), grader.close?.(), cache.close?.()]);
    await stack.close();
  }
  return rows;
};
