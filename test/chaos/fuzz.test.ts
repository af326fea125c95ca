/**
 * Property-based fuzzing of every api route through `app.inject()`: the real app (real
 * NATS, Postgres and Redis behind it, as the service builds it), random parameters,
 * query strings (repeated keys, unknown keys, unicode, SQL and header injection strings,
 * huge values) and bodies (any JSON, the right keys with wrong types, broken JSON, other
 * content types). Over 10,000 requests: none may answer 5xx, and every 4xx must carry
 * `{ error: { code, message } }`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createApiService, loadConfig, type RunningApi } from '@scores/api';
import { applyGameChanged, createSql, migrate } from '@scores/grader';
import { freshDatabase, freshNamespace, testContext, testEnv, waitFor } from '@scores/testkit';
import type postgres from 'postgres';
import { changedEvent, makeGame, publishChanged } from './games.js';
import { report } from './report.js';

const KEY = 'fuzz-key-0123456789abcdef';
const RUNS = Number(process.env.CHAOS_FUZZ_RUNS ?? (process.env.CHAOS_LONG === '1' ? 5000 : 1400));
const SEED = Number(process.env.CHAOS_SEED ?? 20261128);

const NASTY = [
  "' OR 1=1 --",
  "'; DROP TABLE games; --",
  '1; DELETE FROM picks',
  "' UNION SELECT * FROM pg_shadow --",
  '\r\nX-Injected: yes',
  'a\r\nSet-Cookie: x=1',
  '%0d%0aX-Injected:%20yes',
  '../../../../etc/passwd',
  '\u0000',
  '\uFFFF',
  '\uD800',
  '😀',
  '__proto__',
  'constructor',
  'prototype',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-1',
  '0',
  '1.5',
  '0x10',
  '  7 ',
  '',
  ' ',
  'true',
  'false',
  '[]',
  '{}',
  '2026-02-30',
  '2026-11-28',
  '2026-13-01',
  '99999-01-01',
  '2026-11-28T12:00:00Z',
  'football/college-football',
  'football/',
  '/',
  'in',
  'pre',
  'post',
  'TBD',
  'MICH',
  '130',
  '00000000-0000-4000-8000-000000000000',
  'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
  'x'.repeat(300),
  '9'.repeat(400),
];

const scalar = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)) },
  { weight: 1, arbitrary: fc.string({ minLength: 500, maxLength: 5000 }) },
);

/** Percent-encoded as a client would, or (RAW) bytes no client should send: bad escapes, invalid UTF-8. */
const RAW = ['%', '%%', '%zz', '%ED%A0%80', '%C0%AF', '%FF%FE', '%00', '%2', 'a%2Fb', '..%2F..%2F'];
const enc = (s: string) => (RAW.includes(s) ? s : encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8')));
const scalarOrRaw = fc.oneof({ weight: 8, arbitrary: scalar }, { weight: 1, arbitrary: fc.constantFrom(...RAW) });

/** Repeated and unknown keys allowed. */
function queryOf(keys: string[]) {
  return fc
    .array(fc.tuple(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: fc.constantFrom('unknown', '__proto__', 'constructor', '') }), scalarOrRaw), { maxLength: 5 })
    .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&')}` : ''));
}

const GAME_QUERY = ['date', 'from', 'to', 'live', 'team', 'league', 'status', 'limit', 'cursor'];

/** Anything JSON, or the route's own keys with values of any type. */
function bodyOf(keys: string[], valid: fc.Arbitrary<Record<string, unknown>>) {
  const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), scalar, fc.constant(null), fc.boolean(), fc.double(), fc.integer());
  const object = fc.object({ maxDepth: 2, maxKeys: 6, key: fc.oneof(fc.constantFrom(...keys, '__proto__', 'constructor'), fc.string({ maxLength: 10 })) });
  return fc.oneof(
    { weight: 2, arbitrary: valid.map((b) => JSON.stringify(b)) },
    { weight: 3, arbitrary: fc.dictionary(fc.constantFrom(...keys), anyValue, { maxKeys: keys.length }).map((b) => JSON.stringify(b)) },
    { weight: 2, arbitrary: object.map((b) => JSON.stringify(b)) },
    { weight: 1, arbitrary: fc.jsonValue().map((b) => JSON.stringify(b)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.constantFrom('{', '{"a":', '[1,2', 'null', '""', '{"userId": "\u0000"}', '{"__proto__": {"admin": true}}') },
    { weight: 1, arbitrary: fc.string({ minLength: 17_000, maxLength: 20_000 }).map((s) => JSON.stringify({ name: s })) },
  );
}

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'multipart/form-data; boundary=x', '', 'application/json\r\nX-Injected: 1') },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

const auth = fc.oneof(
  { weight: 6, arbitrary: fc.constant(`Bearer ${KEY}`) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, '', 'Bearer', `Bearer ${KEY}x`, `bearer ${KEY}`, `Basic ${KEY}`, `Bearer  ${KEY}`, "Bearer ' OR 1=1 --", `Bearer ${'k'.repeat(5000)}`) },
);

describe('fuzzing every route', () => {
  const ns = freshNamespace('fuzz');
  let ctx: Awaited<ReturnType<typeof testContext>>;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let sql: postgres.Sql;
  let api: RunningApi;
  let app: RunningApi['app'];
  let apiUrl: string;
  const gameIds: string[] = [];
  const leagueIds: string[] = [];
  const counts = { requests: 0, byStatus: {} as Record<string, number>, byRoute: {} as Record<string, number> };
  const problems: string[] = [];

  /** One request; records what is wrong with the answer instead of throwing, so the property reports it. */
  async function call(route: string, opts: { method: string; url: string; headers?: Record<string, string | undefined>; payload?: string }): Promise<boolean> {
    const headers = Object.fromEntries(Object.entries(opts.headers ?? {}).filter(([, v]) => v !== undefined)) as Record<string, string>;
    let res: { statusCode: number; body: string };
    try {
      if (route === 'stream') {
        // over a real socket: a stream that starts is dropped at once, as a client going away
        const ac = new AbortController();
        const r = await fetch(`${apiUrl}${opts.url}`, { headers, signal: ac.signal });
        if (r.status === 200) {
          ac.abort();
          res = { statusCode: 200, body: '' };
        } else {
          res = { statusCode: r.status, body: await r.text() };
        }
      } else {
        res = await app.inject({ method: opts.method as 'GET', url: opts.url, headers, ...(opts.payload !== undefined ? { payload: opts.payload } : {}) });
      }
    } catch (err) {
      // the client refuses some header values itself (e.g. CR/LF): no request was made
      if (err instanceof TypeError || (err as { code?: string }).code === 'ERR_INVALID_CHAR') return true;
      throw err;
    }
    counts.requests++;
    counts.byStatus[res.statusCode] = (counts.byStatus[res.statusCode] ?? 0) + 1;
    counts.byRoute[route] = (counts.byRoute[route] ?? 0) + 1;
    const where = `${opts.method} ${opts.url.slice(0, 200)} -> ${res.statusCode}`;
    if (res.statusCode >= 500) {
      problems.push(`${where}: ${res.body.slice(0, 300)}`);
      return false;
    }
    if (res.statusCode >= 400 && opts.method !== 'HEAD') {
      try {
        const body = JSON.parse(res.body) as { error?: { code?: unknown; message?: unknown } };
        if (typeof body.error?.code !== 'string' || typeof body.error.message !== 'string' || !body.error.code || !body.error.message) {
          problems.push(`${where}: not the error shape: ${res.body.slice(0, 200)}`);
          return false;
        }
      } catch {
        problems.push(`${where}: not JSON: ${res.body.slice(0, 200)}`);
        return false;
      }
    }
    return true;
  }

  beforeAll(async () => {
    ctx = await testContext(ns, { name: 'fuzz' });
    db = await freshDatabase('fuzz');
    sql = createSql(db.url, { max: 4 });
    await migrate(sql);
    const now = Date.now();
    const phases = ['pre', 'in', 'final'] as const;
    for (let i = 0; i < 9; i++) {
      const g = makeGame({ id: `7${i}000${i}`, kickoff: new Date(now + (i - 4) * 3600_000 + (i === 0 ? 24 * 3600_000 : 0)), phase: phases[i % 3]!, home: [`${100 + i}`, `H${i}`], away: [`${200 + i}`, `A${i}`] });
      await applyGameChanged(sql, changedEvent(g, 1), ns);
      await publishChanged(ctx.js, ns, g, 1);
      gameIds.push(g.id);
    }
    const cfg = loadConfig({
      NAMESPACE: ns,
      NATS_URL: testEnv.natsUrl,
      DATABASE_URL: db.url,
      REDIS_URL: testEnv.redisUrl,
      API_KEYS: KEY,
      HOST: '127.0.0.1',
      PORT: '0',
      RATE_LIMIT_ALLOWLIST: '127.0.0.1,::1',
      CORS_ORIGINS: 'https://scores.example',
      LOG_LEVEL: 'silent',
    });
    api = await createApiService(cfg).start(ctx);
    app = api.app;
    apiUrl = `http://127.0.0.1:${api.port}`;
    for (const name of ['fuzz ats', 'fuzz su']) {
      const res = await app.inject({ method: 'POST', url: '/api/leagues', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, payload: JSON.stringify({ name, againstTheSpread: name.endsWith('ats'), pointsPerCorrect: 1 }) });
      expect(res.statusCode).toBe(201);
      leagueIds.push((JSON.parse(res.body) as { id: string }).id);
    }
    for (const id of gameIds.slice(0, 4)) {
      await app.inject({ method: 'PUT', url: `/api/leagues/${leagueIds[0]}/games/${id}`, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, payload: '{}' });
    }
  }, 120_000);

  afterAll(async () => {
    await api?.stop();
    await api?.close?.();
    await sql?.end();
    await ctx?.close();
    await db?.drop();
    report('fuzz', { runsPerProperty: RUNS, seed: SEED, ...counts, problems: problems.slice(0, 20) });
  });

  const idArb = () => fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...gameIds) }, { weight: 3, arbitrary: scalarOrRaw });
  const leagueArb = () => fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...leagueIds) }, { weight: 2, arbitrary: scalarOrRaw }, { weight: 1, arbitrary: fc.uuid() });
  const seg = enc;
  async function check<Ts>(prop: fc.IAsyncPropertyWithHooks<Ts>): Promise<void> {
    await fc.assert(prop, { numRuns: RUNS, seed: SEED, endOnFailure: true });
  }

  it('GET /api/games and /api/games/live: any query answers 200 or a shaped 4xx', async () => {
    await check(
      fc.asyncProperty(fc.constantFrom('/api/games', '/api/games/', '/api/games/live', '/api/games/live/'), queryOf(GAME_QUERY), fc.option(scalar), async (path, q, inm) =>
        call('games', { method: 'GET', url: path + q, headers: { 'if-none-match': inm ?? undefined } }),
      ),
    );
  });

  it('GET /api/games/:id: any id answers 200, 404 or a shaped 4xx', async () => {
    await check(fc.asyncProperty(idArb(), queryOf(['x']), async (id, q) => call('game', { method: 'GET', url: `/api/games/${seg(id)}${q}` })));
  });

  it('GET /api/games/stream: any filter or Last-Event-ID starts a stream or answers a shaped 4xx', async () => {
    await check(
      fc.asyncProperty(queryOf([...GAME_QUERY, 'lastEventId']), fc.option(scalar), async (q, lastId) =>
        call('stream', { method: 'GET', url: `/api/games/stream${q}`, headers: { 'last-event-id': lastId ?? undefined } }),
      ),
    );
  });

  it('releases every stream whose client went away', async () => {
    const gauge = async () => Number(/^scores_api_sse_clients (\d+)/m.exec((await app.inject({ method: 'GET', url: '/metrics' })).body)?.[1]);
    await waitFor(async () => (await gauge()) === 0, { timeoutMs: 10_000, message: 'SSE clients left behind' });
  });

  it('POST /api/leagues: any body answers 201 or a shaped 4xx', async () => {
    const valid = fc.record({ name: fc.string({ minLength: 1, maxLength: 50 }), againstTheSpread: fc.boolean(), pointsPerCorrect: fc.integer({ min: 0, max: 10 }), keyPickBonus: fc.integer({ min: 0, max: 5 }), pushPoints: fc.integer({ min: 0, max: 5 }) });
    await check(
      fc.asyncProperty(bodyOf(['name', 'againstTheSpread', 'pointsPerCorrect', 'keyPickBonus', 'pushPoints'], valid), contentType, auth, async (payload, type, authorization) =>
        call('leagues', { method: 'POST', url: '/api/leagues', headers: { 'content-type': type, authorization }, payload }),
      ),
    );
  });

  it('PUT /api/leagues/:leagueId/games/:gameId: any ids and body answer 200 or a shaped 4xx', async () => {
    const valid = fc.record({ homeSpread: fc.option(fc.double({ min: -50, max: 50, noNaN: true })), tiebreaker: fc.boolean() }, { requiredKeys: [] });
    await check(
      fc.asyncProperty(leagueArb(), idArb(), bodyOf(['homeSpread', 'tiebreaker'], valid), contentType, auth, async (league, game, payload, type, authorization) =>
        call('slate', { method: 'PUT', url: `/api/leagues/${seg(league)}/games/${seg(game)}`, headers: { 'content-type': type, authorization }, payload }),
      ),
    );
  });

  it('POST /api/leagues/:leagueId/picks: any ids and body answer 200/201 or a shaped 4xx', async () => {
    const valid = fc.record(
      {
        userId: fc.constantFrom('ana', 'ben', "o'neil", 'x'.repeat(200)),
        gameId: fc.constantFrom(...gameIds),
        teamId: fc.constantFrom('100', '200', '101', '201', '130'),
        keyPick: fc.boolean(),
        pointsGuess: fc.integer({ min: -5, max: 200 }),
      },
      { requiredKeys: ['userId', 'gameId', 'teamId'] },
    );
    await check(
      fc.asyncProperty(leagueArb(), bodyOf(['userId', 'gameId', 'teamId', 'keyPick', 'pointsGuess'], valid), contentType, auth, async (league, payload, type, authorization) =>
        call('picks', { method: 'POST', url: `/api/leagues/${seg(league)}/picks`, headers: { 'content-type': type, authorization }, payload }),
      ),
    );
  });

  it('GET standings and picks: any league id, week and user answer 200 or a shaped 4xx', async () => {
    await check(
      fc.asyncProperty(leagueArb(), fc.constantFrom('standings', 'picks'), queryOf(['week', 'user']), async (league, what, q) =>
        call('league reads', { method: 'GET', url: `/api/leagues/${seg(league)}/${what}${q}` }),
      ),
    );
  });

  it('any method on any path, status and docs: never a 5xx', async () => {
    const path = fc.oneof(
      fc.constantFrom('/api/status', '/docs/json', '/healthz', '/readyz', '/api', '/api/leagues', '/api/games/stream/x', '/api/leagues/x/y/z', '//api//games', '/api/games/%', '/%2e%2e/%2e%2e/etc/passwd'),
      fc.webPath(),
    );
    await check(
      fc.asyncProperty(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'), path, fc.option(fc.string({ maxLength: 100 })), auth, async (method, p, payload, authorization) =>
        call('other', { method, url: p, headers: { authorization, 'content-type': 'application/json' }, ...(payload !== null && method !== 'GET' && method !== 'HEAD' ? { payload } : {}) }),
      ),
    );
  });

  it('made at least 10,000 requests, none answered 5xx, every 4xx in the error shape', () => {
    expect(problems).toEqual([]);
    expect(counts.requests).toBeGreaterThanOrEqual(Math.min(10_000, RUNS * 8));
  });
});
