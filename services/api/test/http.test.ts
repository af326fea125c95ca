import { afterEach, describe, expect, it } from 'vitest';
import { json, KEY, makeApp, NOW, testConfig, type TestApp } from './helpers.js';
import { breaker, game, heartbeat, poll } from './fixtures.js';
import { addressMatcher } from '../src/http/rate-limit.js';

type ErrorBody = { error: { code: string; message: string } };
const auth = { authorization: `Bearer ${KEY}` };

let t: TestApp | undefined;
afterEach(async () => {
  await t?.app.close();
  t = undefined;
});

describe('errors', () => {
  it('answers an unknown route or method with 404 in the error shape', async () => {
    t = await makeApp();
    for (const [method, url] of [['GET', '/nope'], ['GET', '/api/gamez'], ['DELETE', '/api/games'], ['POST', '/api/games/live']] as const) {
      const res = await t.app.inject({ method, url });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(json<ErrorBody>(res).error.code).toBe('NOT_FOUND');
      expect(json<ErrorBody>(res).error.message).toContain(url);
    }
  });

  it('answers a malformed URL, an overlong path parameter and a bare OPTIONS in the error shape', async () => {
    t = await makeApp();
    for (const [method, url, status, code] of [
      ['GET', '/api/games/%zz', 400, 'INVALID_URL'],
      ['GET', `/api/games/${'x'.repeat(201)}`, 414, 'URI_TOO_LONG'],
      ['PUT', `/api/leagues/${'x'.repeat(201)}/games/1`, 414, 'URI_TOO_LONG'],
      ['OPTIONS', '/api/games', 400, 'INVALID_PREFLIGHT'],
    ] as const) {
      const res = await t.app.inject({ method, url });
      expect([res.statusCode, json<ErrorBody>(res).error.code], `${method} ${url}`).toEqual([status, code]);
    }
  });

  it('refuses bad JSON, an empty body, a foreign media type and an oversized body without a 500', async () => {
    t = await makeApp();
    const post = (payload: string, type = 'application/json') =>
      t!.app.inject({ method: 'POST', url: '/api/leagues', payload, headers: { ...auth, 'content-type': type } });
    const bad = await post('{"name": ');
    expect([bad.statusCode, json<ErrorBody>(bad).error.code]).toEqual([400, 'INVALID_JSON']);
    const empty = await post('');
    expect([empty.statusCode, json<ErrorBody>(empty).error.code]).toEqual([400, 'INVALID_BODY']);
    const text = await post('name=x', 'text/plain');
    expect([text.statusCode, json<ErrorBody>(text).error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const form = await post('name=x', 'application/x-www-form-urlencoded');
    expect(form.statusCode).toBe(415);
    const big = await post(JSON.stringify({ name: 'x'.repeat(20_000), againstTheSpread: true, pointsPerCorrect: 1 }));
    expect([big.statusCode, json<ErrorBody>(big).error.code]).toEqual([413, 'BODY_TOO_LARGE']);
    const proto = await post('{"__proto__": {"x": 1}, "name": "a", "againstTheSpread": true, "pointsPerCorrect": 1}');
    expect(proto.statusCode).toBe(400);
  });

  it('turns an unexpected failure into a 500 that reveals nothing', async () => {
    const { fakeLeagues } = await import('./helpers.js');
    t = await makeApp({ leagues: fakeLeagues({ getStandings: async () => Promise.reject(new Error('secret detail')) }) });
    const res = await t.app.inject({ method: 'GET', url: '/api/leagues/00000000-0000-4000-8000-000000000001/standings' });
    expect(res.statusCode).toBe(500);
    expect(json(res)).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'internal error' } });
  });

  it('answers 503 with Retry-After when the database is away', async () => {
    const { fakeLeagues } = await import('./helpers.js');
    const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    t = await makeApp({ leagues: fakeLeagues({ getStandings: async () => Promise.reject(down) }) });
    const res = await t.app.inject({ method: 'GET', url: '/api/leagues/00000000-0000-4000-8000-000000000001/standings' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(json<ErrorBody>(res).error.code).toBe('SERVICE_UNAVAILABLE');
  });
});

describe('CORS', () => {
  it('allows the configured origins and no other', async () => {
    t = await makeApp({ config: testConfig({ CORS_ORIGINS: 'https://scores.example' }) });
    const ok = await t.app.inject({ method: 'GET', url: '/api/games', headers: { origin: 'https://scores.example' } });
    expect(ok.headers['access-control-allow-origin']).toBe('https://scores.example');
    expect(String(ok.headers['access-control-expose-headers'])).toContain('ETag');
    const other = await t.app.inject({ method: 'GET', url: '/api/games', headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();

    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/leagues',
      headers: { origin: 'https://scores.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://scores.example');
    expect(String(preflight.headers['access-control-allow-methods'])).toContain('POST');
    expect(String(preflight.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization');
    const refused = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/leagues',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows no origin at all when CORS_ORIGINS is empty', async () => {
    t = await makeApp();
    const res = await t.app.inject({ method: 'GET', url: '/api/games', headers: { origin: 'https://scores.example' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/leagues',
      headers: { origin: 'https://scores.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.statusCode).toBe(404);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(json<ErrorBody>(preflight).error.code).toBe('NOT_FOUND');
  });
});

describe('rate limit', () => {
  it('sends the standard headers, then 429 with Retry-After in the error shape', async () => {
    t = await makeApp({ config: testConfig({ RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_S: '30' }) });
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await t.app.inject({ method: 'GET', url: '/api/games' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['ratelimit-limit']).toBe('3');
      expect(Number(res.headers['ratelimit-reset'])).toBeGreaterThan(0);
      remaining.push(String(res.headers['ratelimit-remaining']));
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const limited = await t.app.inject({ method: 'GET', url: '/api/games/live' });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(30);
    expect(json<ErrorBody>(limited).error.code).toBe('RATE_LIMITED');
    // another address has its own budget; probes are never limited
    expect((await t.app.inject({ method: 'GET', url: '/api/games', remoteAddress: '10.9.9.9' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('never limits an allowlisted address or network', async () => {
    t = await makeApp({ config: testConfig({ RATE_LIMIT_MAX: '1', RATE_LIMIT_ALLOWLIST: '10.0.0.0/8,::1' }) });
    for (let i = 0; i < 5; i++) {
      expect((await t.app.inject({ method: 'GET', url: '/api/games', remoteAddress: '10.20.30.40' })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: '/api/games', remoteAddress: '::ffff:10.1.1.1' })).statusCode).toBe(200);
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/games', remoteAddress: '192.168.1.1' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/games', remoteAddress: '192.168.1.1' })).statusCode).toBe(429);
  });

  it('answers the allowlist the same for an address seen before, also after forgetting what it saw', () => {
    const allowed = addressMatcher(['10.0.0.0/8', '::1']);
    expect([allowed('10.1.2.3'), allowed('10.1.2.3'), allowed('::ffff:10.1.2.3'), allowed('::1'), allowed('192.168.0.1')]).toEqual([true, true, true, true, false]);
    for (let i = 0; i < 10_050; i++) allowed(`172.16.${i >> 8}.${i & 255}`);
    expect([allowed('10.1.2.3'), allowed('192.168.0.1'), allowed('not an address'), allowed('')]).toEqual([true, false, false, false]);
  });

  it('counts the forwarded client address only behind a trusted proxy', async () => {
    t = await makeApp({ config: testConfig({ RATE_LIMIT_MAX: '1', TRUST_PROXY: '1' }) });
    const via = (client: string) => t!.app.inject({ method: 'GET', url: '/api/games', remoteAddress: '10.0.0.1', headers: { 'x-forwarded-for': client } });
    expect((await via('203.0.113.1')).statusCode).toBe(200);
    expect((await via('203.0.113.2')).statusCode).toBe(200);
    expect((await via('203.0.113.1')).statusCode).toBe(429);
    await t.app.close();
    t = await makeApp({ config: testConfig({ RATE_LIMIT_MAX: '1' }) });
    expect((await via('203.0.113.1')).statusCode).toBe(200);
    expect((await via('203.0.113.2')).statusCode).toBe(429);
  });
});

describe('status, probes and docs', () => {
  it('reports live state, breaker, last poll, every service and its own dependencies', async () => {
    t = await makeApp({ games: [game({ id: 'a', kickoff: NOW - 3600_000, phase: 'in' })] });
    t.runtime.meta.onPoll(poll(NOW - 60_000, 1));
    t.runtime.meta.onBreaker(breaker('half-open', NOW - 30_000, 5), NOW);
    t.runtime.heartbeats.record(heartbeat('poller', 'p-1', NOW), NOW);
    t.runtime.heartbeats.record(heartbeat('grader', 'g-1', NOW - 60_000), NOW - 60_000);
    t.now.ms = NOW + 1000;
    t.health.add('postgres', () => Promise.reject(new Error('connection refused')));
    const res = await t.app.inject({ method: 'GET', url: '/api/status/' });
    expect(res.statusCode).toBe(200);
    const body = json<Record<string, unknown>>(res);
    expect(body).toMatchObject({
      liveState: { hasLiveGames: true, liveGameCount: 1, lastCheck: new Date(NOW - 60_000).toISOString() },
      breaker: { state: 'half-open', failures: 5 },
      lastPoll: new Date(NOW - 60_000).toISOString(),
      stale: true,
      games: { count: 1, live: 1, streamSequence: 1 },
      services: [
        { service: 'grader', status: 'down', instances: [{ instance: 'g-1', status: 'stale' }] },
        { service: 'poller', status: 'up', instances: [{ instance: 'p-1', status: 'up', ready: true }] },
      ],
      api: { instance: 'unit-1', ready: false, checks: { nats: { ok: true }, postgres: { ok: false, error: 'connection refused' } }, sseClients: 0 },
    });
    expect(res.headers.etag).toBeDefined();
  });

  it('answers liveness always and readiness by its checks', async () => {
    t = await makeApp();
    expect(json((await t.app.inject({ method: 'GET', url: '/healthz' })))).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    t.health.add('redis', () => Promise.reject(new Error('ECONNREFUSED')));
    const notReady = await t.app.inject({ method: 'GET', url: '/readyz/' });
    expect(notReady.statusCode).toBe(503);
    expect(json(notReady)).toMatchObject({ status: 'not ready', checks: { redis: { ok: false } } });
  });

  it('exposes Prometheus metrics: latency by route, SSE clients, snapshot size, dropped clients', async () => {
    t = await makeApp({ games: [game({ id: 'a', kickoff: NOW })] });
    await t.app.inject({ method: 'GET', url: '/api/games/a' });
    await t.app.inject({ method: 'HEAD', url: '/api/games/a/' });
    await t.app.inject({ method: 'GET', url: '/api/nowhere' });
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('scores_api_http_request_duration_seconds_count{method="GET",route="/api/games/:id",status_code="200"} 1');
    expect(res.body).toContain('scores_api_http_request_duration_seconds_count{method="HEAD",route="/api/games/:id",status_code="200"} 1');
    expect(res.body).toContain('scores_api_http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"} 1');
    expect(res.body).toContain('scores_api_sse_clients');
    expect(res.body).toContain('scores_api_snapshot_games');
    expect(res.body).toContain('scores_api_sse_dropped_total');
  });

  it('serves the OpenAPI document at /docs/json, with every route, and the UI at /docs', async () => {
    t = await makeApp();
    const doc = json<{ openapi: string; paths: Record<string, Record<string, { parameters?: { name: string }[] }>> }>(
      await t.app.inject({ method: 'GET', url: '/docs/json' }),
    );
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of ['/api/games', '/api/games/live', '/api/games/{id}', '/api/games/stream', '/api/status', '/api/leagues', '/api/leagues/{leagueId}/games/{gameId}', '/api/leagues/{leagueId}/standings', '/api/leagues/{leagueId}/picks', '/healthz', '/readyz', '/metrics']) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    expect(doc.paths['/api/games']!.get!.parameters!.map((p) => p.name).sort()).toEqual(['cursor', 'date', 'from', 'league', 'limit', 'live', 'status', 'team', 'to']);
    // one game is the game itself, not an envelope
    const one = (doc.paths['/api/games/{id}']!.get as unknown as { responses: Record<string, { content: Record<string, { schema: { properties: Record<string, unknown> } }> }> })
      .responses['200']!.content['application/json']!.schema;
    expect(Object.keys(one.properties)).toEqual(expect.arrayContaining(['id', 'revision', 'status', 'home', 'away']));
    expect(one.properties).not.toHaveProperty('game');
    const ui = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toContain('text/html');
  });
});
