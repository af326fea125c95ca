import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent, startSimulator, statusPresets, type EspnEvent, type Simulator } from '../src/index.js';
import { get, getJson, rawGet, scoreboardUrl, UA, waitFor } from './helpers.js';

const CFB = 'football/college-football';
const NOON = new Date('2026-11-28T17:00:00Z'); // 12:00 ET, Saturday 2026-11-28

function game(id: string, date: string, extra: Partial<Parameters<typeof makeEvent>[0]> = {}): EspnEvent {
  return makeEvent({ id, league: CFB, date, home: { id: '130', abbreviation: 'MICH' }, away: { id: '194', abbreviation: 'OSU' }, ...extra });
}
const ids = (body: { events: EspnEvent[] }) => body.events.map((e) => e.id);
const homeScore = (body: { events: EspnEvent[] }, id: string) => body.events.find((e) => e.id === id)?.competitions[0]!.competitors.find((c) => c.homeAway === 'home')?.score;

describe('scoreboard route', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ clock: new Date('2026-11-28T16:00:00Z') });
  });
  afterAll(() => sim.close());

  it('serves the events of the asked Eastern day, late games included, ordered by kickoff', async () => {
    sim.setEvents(CFB, [game('d1-late', '2026-11-29T03:30Z'), game('d1-noon', '2026-11-28T17:00Z'), game('d2', '2026-11-29T18:00Z')]);
    const { status, body, res } = await getJson(scoreboardUrl(sim, CFB, { dates: '20261128', limit: '500', groups: '80' }));
    expect(status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(ids(body)).toEqual(['d1-noon', 'd1-late']);
    expect(Object.keys(body)).toEqual(['leagues', 'groups', 'season', 'week', 'day', 'events']);
    expect(body.day).toEqual({ date: '2026-11-28' });
    expect(ids((await getJson(scoreboardUrl(sim, CFB, { dates: '20261129' }))).body)).toEqual(['d2']);
  });

  it("serves the sim clock's Eastern day without dates", async () => {
    const { body } = await getJson(scoreboardUrl(sim, CFB));
    expect(body.day).toEqual({ date: '2026-11-28' });
    expect(ids(body)).toContain('d1-noon');
  });

  it('serves the version current at the sim time', async () => {
    sim.setEvents(CFB, [game('v1', '2026-11-28T17:00Z')]);
    sim.setStatus('v1', statusPresets.inProgress(1, '9:00'), new Date('2026-11-28T17:10:00Z'));
    sim.setScore('v1', { home: 7, away: 0 }, new Date('2026-11-28T17:10:00Z'));
    sim.setScore('v1', { home: '14', away: 3 }, new Date('2026-11-28T17:40:00Z'));
    const at = async () => homeScore((await getJson(scoreboardUrl(sim, CFB, { dates: '20261128' }))).body, 'v1');
    expect(await at()).toBe('0');
    sim.clock.set('2026-11-28T17:10:00Z');
    expect(await at()).toBe('7');
    sim.clock.advance(30 * 60_000);
    expect(await at()).toBe('14');
    sim.removeEvent('v1');
    expect(ids((await getJson(scoreboardUrl(sim, CFB, { dates: '20261128' }))).body)).not.toContain('v1');
  });

  it('lets sim time flow at a chosen speed', async () => {
    sim.clock.set('2026-11-28T18:00:00Z');
    sim.setEvents(CFB, [game('later', '2026-11-28T17:00Z', { home: { id: '130', abbreviation: 'MICH', score: 21 } })], new Date('2026-11-28T18:30:00Z'));
    expect(ids((await getJson(scoreboardUrl(sim, CFB, { dates: '20261128' }))).body)).not.toContain('later');
    sim.clock.run(36_000); // ten sim hours per real second
    await waitFor(async () => ids((await getJson(scoreboardUrl(sim, CFB, { dates: '20261128' }))).body).includes('later'));
    sim.clock.pause();
    expect(sim.clock.now().getTime()).toBeGreaterThanOrEqual(Date.parse('2026-11-28T18:30:00Z'));
  });

  it('answers an unknown league with an empty day, as ESPN does', async () => {
    const { status, body } = await getJson(scoreboardUrl(sim, 'curling/world', { dates: '20261128' }));
    expect(status).toBe(200);
    expect(body.events).toEqual([]);
  });

  it('answers 400 with an ESPN error body to date ranges and impossible dates', async () => {
    for (const dates of ['20261128-20261129', '20261128-20261128', '20260230', 'today']) {
      const { status, body } = await getJson(scoreboardUrl(sim, CFB, { dates }));
      expect(status).toBe(400);
      expect(body).toEqual({ code: 400, message: 'Failed to get events endpoint.' });
    }
  });

  it('returns exactly 25 events above limit=500 and all of them up to 500', async () => {
    sim.clock.set(NOON);
    const many = Array.from({ length: 30 }, (_, i) => game(`m${i}`, `2026-12-05T${String(12 + (i % 8)).padStart(2, '0')}:00Z`));
    sim.setEvents('football/nfl', many);
    const count = async (q: Record<string, string>) => (await getJson(scoreboardUrl(sim, 'football/nfl', { dates: '20261205', ...q }))).body.events.length;
    expect(await count({ limit: '1000' })).toBe(25);
    expect(await count({ limit: '501' })).toBe(25);
    expect(await count({ limit: '500' })).toBe(30);
    expect(await count({})).toBe(30);
  });

  it('refuses missing, browser and library-default user agents with 403', async () => {
    const url = scoreboardUrl(sim, CFB, { dates: '20261128' });
    expect((await rawGet(url)).status).toBe(403);
    expect((await rawGet(url, { 'user-agent': '' })).status).toBe(403);
    for (const ua of ['Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0', 'axios/1.7.2', 'got (https://github.com/sindresorhus/got)', 'python-requests/2.31', 'curl/8.5.0', 'node']) {
      expect((await get(url, { 'user-agent': ua })).status).toBe(403);
    }
    expect((await rawGet(url, { 'user-agent': UA })).status).toBe(200);
  });

  it('records every scoreboard request with what it asked and what it got', async () => {
    sim.resetRequests();
    await get(scoreboardUrl(sim, CFB, { dates: '20261128', limit: '500', groups: '80' }));
    await rawGet(scoreboardUrl(sim, CFB, { dates: '20261128' }));
    expect(sim.requests).toHaveLength(2);
    expect(sim.requests[0]).toMatchObject({ sport: 'football', league: CFB, dates: '20261128', limit: 500, groups: '80', userAgent: UA, status: 200, fault: null });
    expect(sim.requests[0]!.simAt).toEqual(sim.clock.now());
    expect(sim.requests[1]).toMatchObject({ userAgent: null, status: 403, limit: null, groups: null });
  });

  it('answers 404 JSON for other routes and 405 for other methods', async () => {
    const r = await rawGet(`${sim.origin}/apis/site/v2/sports/football/nfl/summary?event=1`, { 'user-agent': UA });
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body)).toEqual({ code: 404, message: 'Not Found' });
    const post = await fetch(scoreboardUrl(sim, CFB), { method: 'POST', headers: { 'user-agent': UA } });
    expect(post.status).toBe(405);
  });

  it('gzips only for clients that accept it', async () => {
    const url = scoreboardUrl(sim, CFB, { dates: '20261128' });
    const plain = await rawGet(url, { 'user-agent': UA });
    expect(plain.headers['content-encoding']).toBeUndefined();
    const zipped = await new Promise<Buffer>((resolve, reject) => {
      void import('node:http').then(({ get: httpGet }) =>
        httpGet(url, { headers: { 'user-agent': UA, 'accept-encoding': 'gzip' } }, (res) => {
          expect(res.headers['content-encoding']).toBe('gzip');
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks)));
        }).on('error', reject),
      );
    });
    expect(JSON.parse(gunzipSync(zipped).toString('utf8'))).toEqual(JSON.parse(plain.body));
  });

  it('re-dates a fixture so its game day becomes the asked day, keeping Eastern kickoff times', async () => {
    const events = sim.loadFixture('cfb-scoreboard-2022-wk3-live-halftime', { shiftToDay: '2026-10-03' });
    expect(events).toHaveLength(25);
    const { body } = await getJson(scoreboardUrl(sim, CFB, { dates: '20261003', limit: '500' }));
    expect(body.events).toHaveLength(25);
    const scheduled = body.events.find((e) => e.id === '401404069')!;
    expect(scheduled.date).toBe('2026-10-03T18:00Z'); // 2:00 PM EDT, as on 2022-09-17
    expect(scheduled.status.type.shortDetail).toBe('10/3 - 2:00 PM EDT');
    expect(body.season?.year).toBe(2026);
    expect((await getJson(scoreboardUrl(sim, CFB, { dates: '20220917' }))).body.events).toEqual([]);
  });
});

describe('faults', () => {
  let sim: Simulator;
  const url = () => scoreboardUrl(sim, CFB, { dates: '20261128' });
  beforeAll(async () => {
    sim = await startSimulator({ clock: NOON });
    sim.setEvents(CFB, Array.from({ length: 30 }, (_, i) => game(`f${i}`, '2026-11-28T17:00Z')));
  });
  afterEach(() => sim.clearFaults());
  afterAll(() => sim.close());

  it('answers a status fault once by default, with Retry-After when asked', async () => {
    sim.fault({ kind: 'status', status: 429, retryAfterS: 30 });
    const r = await get(url());
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('30');
    expect(await r.json()).toEqual({ code: 429, message: 'Too Many Requests' });
    expect((await get(url())).status).toBe(200);
    expect(sim.requests.at(-2)).toMatchObject({ status: 429, fault: 'status' });
  });

  it('applies a fault `times` times, then serves normally', async () => {
    sim.fault({ kind: 'status', status: 503, times: 2 });
    expect([(await get(url())).status, (await get(url())).status, (await get(url())).status]).toEqual([503, 503, 200]);
  });

  it('keeps a times: Infinity fault until clearFaults()', async () => {
    sim.fault({ kind: 'status', status: 500, times: Infinity });
    for (let i = 0; i < 5; i++) expect((await get(url())).status).toBe(500);
    sim.clearFaults();
    expect((await get(url())).status).toBe(200);
  });

  it('applies only to matching requests, the first matching fault first', async () => {
    sim.fault({ kind: 'status', status: 502, match: { league: 'football/nfl' } });
    sim.fault({ kind: 'status', status: 403, match: { dates: '20261129' } });
    sim.fault({ kind: 'status', status: 500, match: { league: CFB } });
    sim.fault({ kind: 'status', status: 503 });
    expect((await get(url())).status).toBe(500);
    expect((await get(scoreboardUrl(sim, CFB, { dates: '20261129' }))).status).toBe(403);
    expect((await get(scoreboardUrl(sim, 'football/nfl', { dates: '20261128' }))).status).toBe(502);
    expect((await get(url())).status).toBe(503);
    expect((await get(url())).status).toBe(200);
  });

  it('takes precedence over the user-agent rule', async () => {
    sim.fault({ kind: 'status', status: 503 });
    expect((await get(url(), { 'user-agent': 'Mozilla/5.0' })).status).toBe(503);
  });

  it('answers 200 with an HTML page for malformed', async () => {
    sim.fault({ kind: 'malformed' });
    const r = await get(url());
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).toMatch(/^<!DOCTYPE html>/);
    expect(() => JSON.parse(text) as unknown).toThrow();
  });

  it('answers 200 with JSON cut short, Content-Length matching the short body, for truncated', async () => {
    const full = (await rawGet(url(), { 'user-agent': UA })).body;
    sim.fault({ kind: 'truncated' });
    const r = await rawGet(url(), { 'user-agent': UA, 'accept-encoding': 'gzip' });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(Number(r.headers['content-length'])).toBe(Buffer.byteLength(r.body));
    expect(r.body.length).toBeLessThan(full.length);
    expect(full.startsWith(r.body)).toBe(true);
    expect(() => JSON.parse(r.body) as unknown).toThrow();
  });

  it('sends headers then drops the connection mid-body for reset', async () => {
    sim.fault({ kind: 'reset' });
    const r = await get(url());
    expect(r.status).toBe(200);
    await expect(r.text()).rejects.toThrow();
    expect(sim.requests.at(-1)).toMatchObject({ fault: 'reset', status: 200 });
  });

  it('returns exactly the first 25 events for limit25', async () => {
    sim.fault({ kind: 'limit25' });
    const cut = (await getJson(scoreboardUrl(sim, CFB, { dates: '20261128', limit: '500' }))).body;
    expect(ids(cut)).toEqual(Array.from({ length: 25 }, (_, i) => `f${i}`));
    expect((await getJson(url())).body.events).toHaveLength(30);
  });

  it('responds normally after a delay for slow', async () => {
    sim.fault({ kind: 'slow', ms: 200 });
    const started = Date.now();
    const r = await get(url());
    expect(r.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(((await r.json()) as { events: unknown[] }).events).toHaveLength(30);
  });

  it('drops the connection without a response after ms for a timed hang', async () => {
    sim.fault({ kind: 'hang', ms: 150 });
    const started = Date.now();
    await expect(get(url())).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(sim.requests.at(-1)).toMatchObject({ fault: 'hang', status: 0 });
  });

  it('rewrites the body with a mutate fault', async () => {
    sim.fault({
      kind: 'mutate',
      mutate: (body: { events: EspnEvent[] }) => {
        body.events = body.events.slice(0, 2);
        for (const e of body.events) (e as Record<string, unknown>).surprise = { nested: true };
      },
    });
    const { body } = await getJson(url());
    expect(body.events).toHaveLength(2);
    expect(body.events[0]!.surprise).toEqual({ nested: true });
    sim.fault({ kind: 'mutate', mutate: () => ({ totally: 'different' }) });
    expect((await getJson(url())).body).toEqual({ totally: 'different' });
  });

  it('applies each built-in drift variant', async () => {
    sim.fault({ kind: 'drift', variant: 'scores-as-numbers' });
    expect(typeof (await getJson(url())).body.events[0]!.competitions[0]!.competitors[0]!.score).toBe('number');
    sim.fault({ kind: 'drift', variant: 'renamed-competitors' });
    const renamed = (await getJson(url())).body.events[0]!.competitions[0]!;
    expect(renamed.competitors).toBeUndefined();
    expect(renamed.participants).toHaveLength(2);
    sim.fault({ kind: 'drift', variant: 'missing-status' });
    const missing = (await getJson(url())).body.events[0]!;
    expect(missing.status).toBeUndefined();
    expect(missing.competitions[0]!.status).toBeUndefined();
    sim.fault({ kind: 'drift', variant: 'extra-nesting' });
    const nested = (await getJson<{ events?: unknown; content: { sbData: { events: unknown[] } } }>(url())).body;
    expect(nested.events).toBeUndefined();
    expect(nested.content.sbData.events).toHaveLength(30);
    expect(sim.requests.at(-1)?.fault).toBe('drift:extra-nesting');
  });

  it('refuses a malformed fault in-process', () => {
    expect(() => sim.fault({ kind: 'status', status: 1000 })).toThrow(/HTTP status/);
    expect(() => sim.fault({ kind: 'drift', variant: 'nope' as 'missing-status' })).toThrow(/variant/);
  });
});

describe('hang until close', () => {
  it('holds the request until close(), which ends it', async () => {
    const sim = await startSimulator({ clock: NOON });
    sim.fault({ kind: 'hang' });
    const pending = get(scoreboardUrl(sim, CFB, { dates: '20261128' }));
    const settled = pending.then(
      () => 'answered',
      () => 'failed',
    );
    await waitFor(() => sim.requests.length === 1);
    expect(sim.requests[0]).toMatchObject({ fault: 'hang', status: 0 });
    const started = Date.now();
    await sim.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await settled).toBe('failed');
  });

  it('lets a client give up on a hang', async () => {
    const sim = await startSimulator({ clock: NOON });
    try {
      sim.fault({ kind: 'hang' });
      await expect(get(scoreboardUrl(sim, CFB, { dates: '20261128' }), {}, AbortSignal.timeout(100))).rejects.toThrow();
      expect((await get(scoreboardUrl(sim, CFB, { dates: '20261128' }))).status).toBe(200);
    } finally {
      await sim.close();
    }
  });
});
