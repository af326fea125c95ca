/**
 * Reads under load: `/api/games/live` (a busy Saturday: 60+ games in progress) and
 * `/api/games?date=…&team=…`, each against a bare Fastify route serving the same bytes.
 * Both servers run in this process; autocannon runs in a child process (bench/load.ts),
 * alternating between the four targets round after round, so the api and its baseline
 * see the same machine. Loopback is on RATE_LIMIT_ALLOWLIST: the rate limiter is still
 * installed and consulted, but does not add a Redis round trip per request.
 */
import { createApiService, loadConfig as loadApi } from '@scores/api';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { repoRoot, waitFor } from '@scores/testkit';
import Fastify from 'fastify';
import { median, round, type Bench, type BenchRow } from './lib.js';
import type { LoadPlan, LoadResult } from './load.js';
import { profileSpan } from './support.js';
import { openStack } from './stack.js';

interface GamesBody {
  games: { id: string; home: { abbreviation: string }; status: { state: string } }[];
}

/**
 * Runs the load child to its end; its JSON lines are the results. The servers run in this
 * process and take turns: the CPU this process spends during a run, per request, is the
 * cost of a request on that server, much steadier than req/s on a shared machine.
 */
export async function runLoad(plan: LoadPlan): Promise<LoadResult[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/load.ts', JSON.stringify(plan)], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const results: LoadResult[] = [];
  const errors: string[] = [];
  let cpu0 = process.cpuUsage();
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    if (line.startsWith('start ')) cpu0 = process.cpuUsage();
    else if (line.startsWith('{')) {
      const c = process.cpuUsage(cpu0);
      const r = JSON.parse(line) as LoadResult;
      results.push({ ...r, cpuUsPerRequest: r.requests ? (c.user + c.system) / r.requests : NaN });
    }
  });
  child.stderr.on('data', (b: Buffer) => errors.push(b.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`load generator exited ${code}: ${errors.join('').slice(-2000)}`);
  return results;
}

export const run: Bench = async ({ quick }) => {
  const stack = await openStack('benchhttp', { games: 300 });
  const api = await createApiService(loadApi(stack.env)).start(stack.ctx);
  const bare = Fastify({ logger: false });
  const rows: BenchRow[] = [];
  try {
    await stack.publishGames();
    const base = `http://127.0.0.1:${api.port}`;
    const live = await waitFor(
      async () => {
        const body = (await (await fetch(`${base}/api/games/live`)).json()) as GamesBody;
        return body.games.length >= 60 ? body : undefined;
      },
      { timeoutMs: 30_000, message: 'the api never showed 60 live games' },
    );
    const team = live.games[0]!.home.abbreviation;
    const paths = { live: '/api/games/live', filtered: `/api/games?date=${stack.day}&team=${encodeURIComponent(team)}` };
    // as bytes, as the api holds its cached answers: a string would be encoded to UTF-8 on
    // every request and handicap the baseline (a bare route that has the bytes sends them)
    const bodies = {
      live: Buffer.from(await (await fetch(`${base}${paths.live}`)).arrayBuffer()),
      filtered: Buffer.from(await (await fetch(`${base}${paths.filtered}`)).arrayBuffer()),
    };
    if (!bodies.filtered.includes(`"abbreviation":"${team}"`)) throw new Error(`${paths.filtered} does not hold ${team}`);

    // the baseline: the same requests (paths and query strings) answered with the api's own
    // bytes by nothing but fastify's routing
    bare.get('/api/games/live', (_req, reply) => reply.type('application/json; charset=utf-8').send(bodies.live));
    bare.get('/api/games', (_req, reply) => reply.type('application/json; charset=utf-8').send(bodies.filtered));
    await bare.listen({ host: '127.0.0.1', port: 0 });
    const bareBase = `http://127.0.0.1:${(bare.server.address() as { port: number }).port}`;

    const plan: LoadPlan = {
      // many short rounds: other work on this shared machine comes and goes within seconds
      rounds: quick ? 1 : 10,
      durationS: quick ? 1 : 2,
      connections: 10,
      warmupS: quick ? 0 : 2,
      targets: [
        { name: 'bare-live', url: `${bareBase}${paths.live}` },
        { name: 'api-live', url: `${base}${paths.live}` },
        { name: 'bare-filtered', url: `${bareBase}${paths.filtered}` },
        { name: 'api-filtered', url: `${base}${paths.filtered}` },
      ],
    };
    const stopProfile = await profileSpan('http');
    const results = await runLoad(plan);
    await stopProfile();
    const bad = results.filter((r) => r.non2xx > 0 || r.errors > 0);
    if (bad.length) throw new Error(`non-2xx answers or errors under load: ${JSON.stringify(bad)}`);
    const of = (name: string) => results.filter((r) => r.name === name);

    const liveCount = live.games.length;
    for (const [key, label, target] of [
      ['live', `GET /api/games/live (${liveCount} games, ${Math.round(bodies.live.length / 1024)} KB)`, 0.8],
      ['filtered', `GET /api/games?date&team (1 game, ${bodies.filtered.length} B)`, 0.7],
    ] as const) {
      const apiRuns = of(`api-${key}`);
      const bareRuns = of(`bare-${key}`);
      // each round's api and bare runs ran back to back: the ratio of each pair, then the median
      const ratios = apiRuns.map((a, i) => a.rps / bareRuns[i]!.rps);
      const ratio = median(ratios);
      rows.push({
        name: `${label}, req/s`,
        value: Math.round(median(apiRuns.map((r) => r.rps))),
        unit: 'req/s',
        baseline: { name: 'bare fastify, same bytes', value: Math.round(median(bareRuns.map((r) => r.rps))) },
        ratio: round(ratio),
        target: `>= ${target}x`,
        ...(quick ? {} : { pass: ratio >= target }),
        runs: apiRuns.map((r) => Math.round(r.rps)),
        notes: `autocannon, ${plan.connections} connections, ${plan.rounds} x ${plan.durationS} s per target, interleaved; per-round ratios ${ratios.map((r) => round(r)).join(', ')}`,
      });
      const cpuRatio = median(bareRuns.map((r) => r.cpuUsPerRequest!)) / median(apiRuns.map((r) => r.cpuUsPerRequest!));
      rows.push({
        name: `${label}, server CPU per request`,
        value: round(median(apiRuns.map((r) => r.cpuUsPerRequest!)), 1),
        unit: 'µs',
        baseline: { name: 'bare fastify, same bytes', value: round(median(bareRuns.map((r) => r.cpuUsPerRequest!)), 1) },
        ratio: round(cpuRatio),
        runs: apiRuns.map((r) => round(r.cpuUsPerRequest!, 1)),
        notes: 'CPU of the server process (api or bare, in turn) per request answered: what req/s becomes when the server is the bottleneck, without the noise of neighbours',
      });
      const apiP99 = median(apiRuns.map((r) => r.p99));
      const bareP99 = median(bareRuns.map((r) => r.p99));
      // autocannon's latencies come in whole milliseconds: within 1 ms of the bare route passes
      const p99ok = apiP99 <= Math.max(bareP99 / target, bareP99 + 1);
      rows.push({
        name: `${label}, p99 latency`,
        value: apiP99,
        unit: 'ms',
        baseline: { name: 'bare fastify, same bytes', value: bareP99 },
        ...(bareP99 > 0 ? { ratio: round(bareP99 / Math.max(apiP99, 1e-9)) } : {}),
        target: `>= ${target}x of bare, or within autocannon's 1 ms resolution`,
        ...(quick ? {} : { pass: p99ok }),
        runs: apiRuns.map((r) => r.p99),
        notes: `p50 ${median(apiRuns.map((r) => r.p50))} ms (bare ${median(bareRuns.map((r) => r.p50))} ms)`,
      });
    }
  } finally {
    await bare.close();
    await api.stop();
    await api.close?.();
    await stack.close();
  }
  return rows;
};
