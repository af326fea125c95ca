/**
 * Bad input and abuse against the running services, with secrets configured everywhere a
 * secret can go: API keys, a NATS token, a Redis password and a Postgres password in their
 * URLs (private NATS, Redis and Postgres that require or accept them). Every line every
 * process prints is kept; the last test greps them all for the secrets.
 *
 * - write routes: no key, a wrong key, oversized and malformed bodies, SQL and header
 *   injection: refused, nothing written (Postgres counted before and after);
 * - garbage on the bus (games, polls, ticks streams): terminated and counted by every
 *   durable consumer, and a valid event after it still applies;
 * - the rate limit holds across two api replicas; CORS allows only its origins.
 */
import { connect as netConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { BreakerChanged, CleanupTick, encode, msgIds, PollCompleted, PollTick, subjects } from '@scores/contracts';
import { redisKeys } from '@scores/cache-writer';
import { buildGameDay, startSimulator, type Simulator } from '@scores/espn-sim';
import { easternDate } from '@scores/service-kit';
import { freshNamespace, startProcess, waitFor, type RunningProcess } from '@scores/testkit';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { makeGame, publishChanged } from './games.js';
import { metricValue, scrape, startPipeline, type Pipeline } from './pipeline.js';
import { freePort, startPrivateServers, type PrivateServers } from './servers.js';
import { report } from './report.js';

const SECRETS = {
  apiKey: 'abuse-key-S3cr3t-0123456789',
  apiKey2: 'abuse-key-Other-9876543210',
  natsToken: 'nats-T0ken-s3cret-4242',
  redisPassword: 'redis-Pa55-s3cret-7777',
  pgPassword: 'pg-Pa55-s3cret-8888',
};
const CORS_OK = 'https://scores.example';
const RATE_MAX = 20;

type ErrorBody = { error: { code: string; message: string } };

describe('bad input and abuse', () => {
  const ns = freshNamespace('abuse');
  let servers: PrivateServers;
  let sim: Simulator;
  let pipeline: Pipeline;
  const replicas: RunningProcess[] = [];
  const exited: RunningProcess[] = [];
  let sql: postgres.Sql;
  let redis: Redis;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let env: Record<string, string>;
  let base: string;
  let leagueId: string;
  const replicaUrls: string[] = [];
  const figures: Record<string, unknown> = {};

  const auth = { authorization: `Bearer ${SECRETS.apiKey}`, 'content-type': 'application/json' };
  const counts = async () => {
    const [r] = await sql<{ leagues: number; slate: number; picks: number; games: number }[]>`
      select (select count(*)::int from leagues) as leagues, (select count(*)::int from league_games) as slate,
             (select count(*)::int from picks) as picks, (select count(*)::int from games) as games`;
    return r!;
  };

  beforeAll(async () => {
    servers = await startPrivateServers({ redisPassword: SECRETS.redisPassword, natsToken: SECRETS.natsToken });
    const admin = postgres(servers.postgres.url, { max: 1, onnotice: () => undefined });
    await admin.unsafe('create database scores');
    await admin.end();
    const databaseUrl = `postgres://root:${SECRETS.pgPassword}@127.0.0.1:${servers.postgres.port}/scores`;

    const day = easternDate(Date.now());
    const rec = buildGameDay({ day });
    sim = await startSimulator({ clock: new Date(rec.snapshots[0]!.at.getTime() + 90 * 60_000) });
    sim.loadRecording(rec);

    env = {
      NAMESPACE: ns,
      NATS_URL: servers.nats.url,
      NATS_TOKEN: SECRETS.natsToken,
      DATABASE_URL: databaseUrl,
      REDIS_URL: servers.redis.url,
      ESPN_BASE_URL: sim.baseUrl,
      API_KEYS: `${SECRETS.apiKey},${SECRETS.apiKey2}`,
      CORS_ORIGINS: CORS_OK,
      POLL_MIN_GAP_S: '0',
      ESPN_RATE_LIMIT_PER_S: '100',
      CACHE_REFRESH_S: '2',
      LOG_LEVEL: 'debug',
    };
    // no scheduler: the only poll ticks are the ones this test publishes
    pipeline = await startPipeline({ services: ['grader', 'cache-writer', 'api', 'poller'], env: { ...env, RATE_LIMIT_ALLOWLIST: '127.0.0.1,::1' } });
    await Promise.all([...pipeline.services.values()].map((s) => s.ready(90_000)));
    base = pipeline.apiUrl;
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const p = startProcess(['services/api/src/main.ts'], { ...env, HOST: '127.0.0.1', PORT: String(port), RATE_LIMIT_MAX: String(RATE_MAX), RATE_LIMIT_WINDOW_S: '60' });
      replicas.push(p);
      replicaUrls.push(`http://127.0.0.1:${port}`);
    }
    await Promise.all(replicaUrls.map((u) => waitFor(async () => (await fetch(`${u}/readyz`)).status === 200, { timeoutMs: 60_000, intervalMs: 200 })));

    sql = postgres(databaseUrl, { max: 2, onnotice: () => undefined });
    redis = new Redis(servers.redis.url, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    nc = await connect({ servers: servers.nats.url, token: SECRETS.natsToken, name: 'abuse-test' });
    js = jetstream(nc);

    const res = await fetch(`${base}/api/leagues`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'abuse', againstTheSpread: true, pointsPerCorrect: 1 }) });
    expect(res.status).toBe(201);
    leagueId = ((await res.json()) as { id: string }).id;
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled(replicas.map((r) => r.stop('SIGTERM')));
    await pipeline?.stop();
    await sim?.close();
    await sql?.end();
    redis?.disconnect();
    await nc?.close();
    await servers?.destroy();
    report('abuse', figures);
  });

  it('refuses writes without a key, with a wrong key, oversized, malformed or injected, and writes nothing', async () => {
    const before = await counts();
    const big = JSON.stringify({ name: 'x'.repeat(20_000), againstTheSpread: true, pointsPerCorrect: 1 });
    const huge = JSON.stringify({ name: 'y'.repeat(2_000_000), againstTheSpread: true, pointsPerCorrect: 1 });
    const league = JSON.stringify({ name: 'ok', againstTheSpread: true, pointsPerCorrect: 1 });
    const sqli = "' OR 1=1; DROP TABLE picks; --";
    const cases: [string, string, string, Record<string, string>, string | undefined, number[]][] = [
      ['no key', 'POST', '/api/leagues', { 'content-type': 'application/json' }, league, [401]],
      ['wrong key', 'POST', '/api/leagues', { ...auth, authorization: 'Bearer not-a-key-0123456789abc' }, league, [401]],
      ['key with a suffix', 'POST', '/api/leagues', { ...auth, authorization: `Bearer ${SECRETS.apiKey}x` }, league, [401]],
      ['key prefix', 'POST', '/api/leagues', { ...auth, authorization: `Bearer ${SECRETS.apiKey.slice(0, -1)}` }, league, [401]],
      ['basic auth', 'POST', '/api/leagues', { ...auth, authorization: `Basic ${Buffer.from(`x:${SECRETS.apiKey}`).toString('base64')}` }, league, [401]],
      ['key in the query', 'POST', `/api/leagues?key=${SECRETS.apiKey}`, { 'content-type': 'application/json' }, league, [401, 400]],
      ['SQL as the key', 'POST', '/api/leagues', { ...auth, authorization: `Bearer ${sqli}` }, league, [401]],
      ['no key on the slate', 'PUT', `/api/leagues/${leagueId}/games/1`, { 'content-type': 'application/json' }, '{}', [401]],
      ['no key on picks', 'POST', `/api/leagues/${leagueId}/picks`, { 'content-type': 'application/json' }, JSON.stringify({ userId: 'a', gameId: '1', teamId: '1' }), [401]],
      ['20 KB body', 'POST', '/api/leagues', auth, big, [413]],
      ['2 MB body', 'POST', '/api/leagues', auth, huge, [413]],
      ['broken JSON', 'POST', '/api/leagues', auth, '{"name": "x", ', [400]],
      ['a JSON array', 'POST', '/api/leagues', auth, '[1,2,3]', [400]],
      ['a form body', 'POST', '/api/leagues', { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, 'name=x&againstTheSpread=true', [415]],
      ['SQL in a number', 'POST', '/api/leagues', auth, JSON.stringify({ name: 'x', againstTheSpread: true, pointsPerCorrect: `1; ${sqli}` }), [400]],
      ['prototype pollution', 'POST', '/api/leagues', auth, '{"name":"x","againstTheSpread":true,"pointsPerCorrect":1,"__proto__":{"admin":true}}', [400]],
      ['SQL as the league id', 'PUT', `/api/leagues/${encodeURIComponent(sqli)}/games/1`, auth, '{}', [400, 404]],
      ['SQL as the game id', 'PUT', `/api/leagues/${leagueId}/games/${encodeURIComponent(sqli)}`, auth, '{}', [400, 404]],
      ['SQL as the spread', 'PUT', `/api/leagues/${leagueId}/games/1`, auth, JSON.stringify({ homeSpread: sqli }), [400]],
      ['SQL in a pick', 'POST', `/api/leagues/${leagueId}/picks`, auth, JSON.stringify({ userId: sqli, gameId: sqli, teamId: sqli }), [400, 404]],
      ['CRLF in the path', 'POST', `/api/leagues/${leagueId}%0d%0aSet-Cookie:%20pwned=1/picks`, auth, JSON.stringify({ userId: 'a', gameId: '1', teamId: '1' }), [400, 404]],
      ['CRLF in a pick', 'POST', `/api/leagues/${leagueId}/picks`, auth, JSON.stringify({ userId: 'a\r\nX-Injected: 1', gameId: '1\r\nSet-Cookie: pwned=1', teamId: '1' }), [400, 404]],
    ];
    const answered: Record<string, number> = {};
    for (const [name, method, path, headers, body, statuses] of cases) {
      const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
      answered[name] = res.status;
      expect(statuses, `${name}: ${res.status}`).toContain(res.status);
      const json = (await res.json()) as ErrorBody;
      expect(typeof json.error.code, name).toBe('string');
      expect(res.headers.get('set-cookie'), name).toBeNull();
      expect(res.headers.get('x-injected'), name).toBeNull();
    }
    // raw bytes no fetch would send: header injection by obs-fold and a bare CR
    for (const raw of [
      `POST /api/leagues HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\n X-Folded: Bearer ${SECRETS.apiKey}\r\nContent-Type: application/json\r\nContent-Length: ${league.length}\r\n\r\n${league}`,
      `POST /api/leagues HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${SECRETS.apiKey}\rX-Injected: 1\r\nContent-Type: application/json\r\nContent-Length: ${league.length}\r\n\r\n${league}`,
    ]) {
      const status = await rawRequest(new URL(base).port, raw);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
    }
    figures.refusedWrites = answered;
    expect(await counts()).toEqual(before);
  });

  it('stores an injection string given as a league name as plain text, touching nothing else', async () => {
    const before = await counts();
    const name = "Robert'); DROP TABLE games; --\r\nSet-Cookie: pwned=1";
    const res = await fetch(`${base}/api/leagues`, { method: 'POST', headers: auth, body: JSON.stringify({ name, againstTheSpread: false, pointsPerCorrect: 1 }) });
    expect(res.status).toBe(201);
    expect(res.headers.get('set-cookie')).toBeNull();
    const created = (await res.json()) as { id: string; name: string };
    expect(created.name).toBe(name);
    const [row] = await sql<{ name: string }[]>`select name from leagues where id = ${created.id}`;
    expect(row?.name).toBe(name);
    expect(await counts()).toEqual({ ...before, leagues: before.leagues + 1 });
  });

  it('terminates and counts events that break the contracts, and applies the valid event after them', async () => {
    const grader = pipeline.get('grader');
    const cacheWriter = pipeline.get('cache-writer');
    const poller = pipeline.get('poller');
    const api = pipeline.get('api');
    const term = async (port: number, consumer: string) => metricValue(await scrape(port), 'scores_events_consumed_total', { consumer, outcome: 'term' });
    const skipped = async () => metricValue(await scrape(api.port), 'scores_api_events_skipped_total');
    const before = {
      grader: await term(grader.port, `${ns}_grader`),
      cwGames: await term(cacheWriter.port, `${ns}_cache-writer`),
      cwPolls: await term(cacheWriter.port, `${ns}_cache-writer-polls`),
      cwBreaker: await term(cacheWriter.port, `${ns}_cache-writer-polls-breaker`),
      cwCleanup: await term(cacheWriter.port, `${ns}_cache-writer-cleanup`),
      poller: await term(poller.port, `${ns}_poller`),
      apiSkipped: await skipped(),
    };
    const garbage = ['not json at all', '{}', '[]', 'null', JSON.stringify({ type: 'game.changed', schemaVersion: 1, revision: 'seven' })];
    const gameSubject = `${ns}.game.changed.football.college-football.55500001`;
    let n = 0;
    const pub = (subject: string, data: string | Uint8Array) => js.publish(subject, typeof data === 'string' ? new TextEncoder().encode(data) : data, { msgID: `garbage-${n++}-${Date.now()}` });
    for (const g of garbage) await pub(gameSubject, g);
    // a well-formed event whose game is not the one its subject names
    const other = makeGame({ id: '55500002', kickoff: new Date(Date.now() + 86_400_000), phase: 'pre' });
    await pub(gameSubject, JSON.stringify({ type: 'game.changed', schemaVersion: 1, id: '55500001:1', occurredAt: new Date().toISOString(), gameId: '55500001', revision: 1, changed: [], game: other }));
    for (const g of garbage) await pub(subjects.pollCompleted(ns), g);
    for (const g of garbage) await pub(subjects.breakerChanged(ns), g);
    for (const g of garbage) await pub(subjects.tickPoll(ns), g);
    for (const g of garbage) await pub(subjects.tickCleanup(ns), g);

    await waitFor(async () => (await term(grader.port, `${ns}_grader`)) >= before.grader + garbage.length + 1, { timeoutMs: 30_000, message: 'grader did not terminate the garbage' });
    await waitFor(async () => (await term(cacheWriter.port, `${ns}_cache-writer`)) >= before.cwGames + garbage.length, { timeoutMs: 30_000, message: 'cache-writer (games)' });
    await waitFor(async () => (await term(cacheWriter.port, `${ns}_cache-writer-polls`)) >= before.cwPolls + garbage.length, { timeoutMs: 30_000, message: 'cache-writer (polls)' });
    await waitFor(async () => (await term(cacheWriter.port, `${ns}_cache-writer-polls-breaker`)) >= before.cwBreaker + garbage.length, { timeoutMs: 30_000, message: 'cache-writer (breaker)' });
    await waitFor(async () => (await term(cacheWriter.port, `${ns}_cache-writer-cleanup`)) >= before.cwCleanup + garbage.length, { timeoutMs: 30_000, message: 'cache-writer (cleanup)' });
    await waitFor(async () => (await term(poller.port, `${ns}_poller`)) >= before.poller + garbage.length, { timeoutMs: 30_000, message: 'poller (ticks)' });
    await waitFor(async () => (await skipped()) > before.apiSkipped, { timeoutMs: 30_000, message: 'api did not skip the garbage' });
    figures.terminated = {
      grader: (await term(grader.port, `${ns}_grader`)) - before.grader,
      'cache-writer': (await term(cacheWriter.port, `${ns}_cache-writer`)) - before.cwGames,
      'cache-writer-polls': (await term(cacheWriter.port, `${ns}_cache-writer-polls`)) - before.cwPolls,
      'cache-writer-polls-breaker': (await term(cacheWriter.port, `${ns}_cache-writer-polls-breaker`)) - before.cwBreaker,
      'cache-writer-cleanup': (await term(cacheWriter.port, `${ns}_cache-writer-cleanup`)) - before.cwCleanup,
      poller: (await term(poller.port, `${ns}_poller`)) - before.poller,
      apiSkipped: (await skipped()) - before.apiSkipped,
    };
    // nothing of the garbage was written
    expect(await sql`select id from games where id in ('55500001', '55500002')`).toHaveLength(0);

    // the consumers kept going: valid events after the garbage apply
    const good = makeGame({ id: '55500001', kickoff: new Date(Date.now() + 86_400_000), phase: 'pre' });
    await publishChanged(js, ns, good, 1);
    const at = new Date().toISOString();
    const poll: PollCompleted = { at, leagues: ['football/college-football'], gamesSeen: 1, changed: 1, liveGameCount: 0, hasLiveGames: false, nextKickoff: null, durationMs: 5, ok: true };
    await js.publish(subjects.pollCompleted(ns), encode(PollCompleted, poll));
    const breaker: BreakerChanged = { state: 'closed', failures: 0, openedAt: null, retryAt: null, at };
    await js.publish(subjects.breakerChanged(ns), encode(BreakerChanged, breaker), { msgID: msgIds.breakerChanged('closed', at) });
    const requestsBefore = sim.requests.length;
    const tick: PollTick = { slot: at, intervalS: 60, reason: 'idle' };
    await js.publish(subjects.tickPoll(ns), encode(PollTick, tick), { msgID: msgIds.pollTick(at) });
    const cleanup: CleanupTick = { slot: at };
    await js.publish(subjects.tickCleanup(ns), encode(CleanupTick, cleanup), { msgID: msgIds.cleanupTick(at) });

    const keys = redisKeys(ns);
    await waitFor(async () => (await sql`select revision from games where id = '55500001'`).length === 1, { timeoutMs: 30_000, message: 'grader did not apply the valid event' });
    await waitFor(async () => JSON.parse((await redis.get(keys.game('55500001'))) ?? 'null') !== null, { timeoutMs: 30_000, message: 'cache-writer did not write the game' });
    await waitFor(async () => (await redis.get(keys.lastPoll)) === String(Date.parse(at)), { timeoutMs: 30_000, message: 'cache-writer did not write last_poll' });
    await waitFor(async () => (JSON.parse((await redis.get(keys.circuitBreaker)) ?? '{}') as { state?: string }).state === 'closed', { timeoutMs: 30_000, message: 'no circuit_breaker' });
    await waitFor(() => sim.requests.length > requestsBefore, { timeoutMs: 30_000, message: 'the poller did not poll on the valid tick' });
    await waitFor(async () => (await fetch(`${base}/api/games/55500001`)).status === 200, { timeoutMs: 30_000, message: 'api does not serve the valid game' });
    // and the event filed under another game's id left no trace anywhere
    expect(await redis.get(keys.game('55500002'))).toBeNull();
    expect((await fetch(`${base}/api/games/55500002`)).status).toBe(404);
    expect(await sql`select id from games where id = '55500002'`).toHaveLength(0);
  });

  it('holds the rate limit across two api replicas sharing Redis', async () => {
    const statuses: number[] = [];
    let limited: { headers: Headers; body: ErrorBody } | undefined;
    for (let i = 0; i < RATE_MAX + 4; i++) {
      const res = await fetch(`${replicaUrls[i % 2]}/api/games`);
      statuses.push(res.status);
      const body = (await res.json()) as ErrorBody;
      if (res.status === 429 && !limited) limited = { headers: res.headers, body };
    }
    figures.rateLimit = { max: RATE_MAX, replicas: 2, statuses: statuses.join(',') };
    expect(statuses.slice(0, RATE_MAX).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(RATE_MAX)).toEqual([429, 429, 429, 429]);
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited!.headers.get('ratelimit-limit')).toBe(String(RATE_MAX));
    expect(limited!.body.error.code).toBeTruthy();
  });

  it('allows CORS for the listed origin only', async () => {
    const ok = await fetch(`${base}/api/games`, { headers: { origin: CORS_OK } });
    expect(ok.headers.get('access-control-allow-origin')).toBe(CORS_OK);
    for (const origin of ['https://evil.example', 'https://scores.example.evil.example', 'http://scores.example', 'null']) {
      const simple = await fetch(`${base}/api/games`, { headers: { origin } });
      expect(simple.headers.get('access-control-allow-origin'), origin).toBeNull();
      const pre = await fetch(`${base}/api/leagues`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' } });
      expect(pre.headers.get('access-control-allow-origin'), origin).toBeNull();
    }
    const pre = await fetch(`${base}/api/leagues`, { method: 'OPTIONS', headers: { origin: CORS_OK, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(CORS_OK);
  });

  it('writes no secret into any log line, also when Redis and NATS go away and a start fails', async () => {
    // failures log connection errors, URLs, configs: exactly where secrets leak
    await servers.redis.restart(2000);
    await servers.nats.restart(1500);
    await Promise.all([...pipeline.services.values()].map((s) => s.ready(60_000)));
    const bad = startProcess(['services/api/src/main.ts'], {
      ...env,
      PORT: '0',
      REDIS_URL: `redis://:${SECRETS.redisPassword}@127.0.0.1:1/not-a-db`,
      DATABASE_URL: `mysql://root:${SECRETS.pgPassword}@127.0.0.1/x`,
      API_KEYS: `short,${SECRETS.apiKey}`,
      NATS_URL: `nats://user:${SECRETS.natsToken}@127.0.0.1:1`,
    });
    exited.push(bad);
    await bad.exited;
    const lines = [...pipeline.allLines(), ...replicas.flatMap((r) => r.lines), ...exited.flatMap((p) => p.lines)];
    const leaks = lines.filter((l) => Object.values(SECRETS).some((s) => l.includes(s)));
    figures.logLines = lines.length;
    figures.warnOrErrorLines = lines.filter((l) => /"level":"(warn|error|fatal)"/.test(l)).length;
    expect(figures.warnOrErrorLines).toBeGreaterThan(0);
    expect(lines.length).toBeGreaterThan(100);
    expect(bad.lines.join('\n')).toMatch(/REDIS_URL|API_KEYS|DATABASE_URL/);
    expect(leaks).toEqual([]);
  });
});

/** One request over a raw socket; resolves with the status code the server answered. */
function rawRequest(port: string, raw: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ host: '127.0.0.1', port: Number(port) });
    let data = '';
    s.on('data', (b) => {
      data += b.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (m) {
        s.destroy();
        resolve(Number(m[1]));
      }
    });
    s.on('error', reject);
    s.on('close', () => resolve(/^HTTP\/1\.1 (\d{3})/.exec(data) ? Number(/^HTTP\/1\.1 (\d{3})/.exec(data)![1]) : 0));
    s.write(raw);
  });
}
