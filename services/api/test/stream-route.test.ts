import { waitFor } from '@scores/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameReader } from './sse.js';
import { json, makeApp, memoryReplay, NOW, testConfig, type TestApp } from './helpers.js';
import { breaker, game } from './fixtures.js';

const H = 3600_000;
let t: TestApp | undefined;
afterEach(async () => {
  await t?.app.close();
  t = undefined;
});

async function open(url: string, headers: Record<string, string> = {}) {
  const res = await t!.app.inject({ method: 'GET', url, headers, payloadAsStream: true });
  return { res, reader: new FrameReader(res.stream()) };
}

const rev = (id: string, revision: number, seq: number, phase: 'pre' | 'in' | 'final' = 'in', kickoff = NOW - H) =>
  t!.runtime.snapshot.apply(game({ id, kickoff, phase, revision }), seq);

describe('GET /api/games/stream', () => {
  it('sends the current games oldest sequence first, the position they reflect, then every change', async () => {
    t = await makeApp({ games: [game({ id: 'a', kickoff: NOW - H, phase: 'in' }), game({ id: 'b', kickoff: NOW + H })] });
    rev('a', 2, 3); // a is now at seq 3, b at seq 2
    const { res, reader } = await open('/api/games/stream');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache, no-transform');
    await waitFor(() => reader.frames.some((f) => f.id === '3' && f.event === undefined));
    expect(reader.frames[0]).toEqual({ retry: 2000 });
    expect(reader.frames[1]?.event).toBe('meta');
    expect(reader.games().map((g) => [g.id, g.game.id, g.game.revision])).toEqual([
      ['2', 'b', 1],
      ['3', 'a', 2],
    ]);
    rev('a', 3, 4);
    await waitFor(() => reader.games().length === 3);
    expect(reader.games()[2]).toMatchObject({ id: '4', game: { id: 'a', revision: 3, status: { state: 'in' } } });
  });

  it('applies the filters of /api/games to the snapshot and to changes', async () => {
    t = await makeApp({
      games: [game({ id: 'cfb', kickoff: NOW - H, phase: 'in' }), game({ id: 'nfl', kickoff: NOW - H, phase: 'in', league: 'nfl' }), game({ id: 'far', kickoff: NOW + 30 * 24 * H, league: 'nfl' })],
    });
    // any case, as /api/games
    const { reader } = await open('/api/games/stream?league=Football/NFL');
    await waitFor(() => reader.games().length === 1);
    expect(reader.games()[0]!.game.id).toBe('nfl');
    rev('cfb', 2, 10);
    t.runtime.snapshot.apply(game({ id: 'nfl', kickoff: NOW - H, phase: 'in', league: 'nfl', revision: 2 }), 11);
    await waitFor(() => reader.games().length === 2);
    expect(reader.games()[1]).toMatchObject({ id: '11', game: { id: 'nfl', revision: 2 } });
  });

  it('sends meta frames when the breaker changes', async () => {
    t = await makeApp();
    const { reader } = await open('/api/games/stream');
    await waitFor(() => reader.frames.length >= 2);
    t.runtime.meta.onBreaker(breaker('open', NOW, 5), NOW);
    await waitFor(() => reader.frames.filter((f) => f.event === 'meta').length === 2);
    expect(JSON.parse(reader.frames.filter((f) => f.event === 'meta')[1]!.data!)).toMatchObject({ stale: true, breaker: { state: 'open' } });
  });

  it('resumes after Last-Event-ID from memory, with nothing sent twice and nothing missed', async () => {
    t = await makeApp({ games: [game({ id: 'a', kickoff: NOW - H, phase: 'in' }), game({ id: 'b', kickoff: NOW - H, phase: 'in' })] });
    rev('a', 2, 3);
    rev('b', 2, 4);
    rev('a', 3, 5);
    const { reader } = await open('/api/games/stream', { 'last-event-id': '3' });
    await waitFor(() => reader.games().length === 2);
    expect(reader.games().map((g) => g.id)).toEqual(['4', '5']);
    rev('b', 3, 6);
    await waitFor(() => reader.games().length === 3);
    expect(reader.games().map((g) => g.id)).toEqual(['4', '5', '6']);

    const viaQuery = await open('/api/games/stream?lastEventId=5');
    rev('a', 4, 7);
    await waitFor(() => viaQuery.reader.games().length === 2);
    expect(viaQuery.reader.games().map((g) => g.id)).toEqual(['6', '7']);
  });

  it('resumes out of JetStream when memory does not reach back, then goes live without a gap', async () => {
    const replay = memoryReplay([
      { seq: 1, game: game({ id: 'a', kickoff: NOW - H, phase: 'pre', revision: 1 }) },
      { seq: 2, game: game({ id: 'a', kickoff: NOW - H, phase: 'in', revision: 2 }) },
      { seq: 3, game: game({ id: 'b', kickoff: NOW - H, phase: 'in', revision: 1 }) },
      { seq: 4, game: game({ id: 'a', kickoff: NOW - H, phase: 'in', revision: 3 }) },
    ]);
    // this replica started at seq 4: its memory holds nothing before
    t = await makeApp({ replay, stream: replay.messages });
    const { reader } = await open('/api/games/stream', { 'last-event-id': '1' });
    await waitFor(() => reader.games().length === 3);
    expect(reader.games().map((g) => [g.id, g.game.id, g.game.revision])).toEqual([
      ['2', 'a', 2],
      ['3', 'b', 1],
      ['4', 'a', 3],
    ]);
    rev('b', 2, 5);
    await waitFor(() => reader.games().length === 4);
    expect(reader.games()[3]!.id).toBe('5');
  });

  it('queues changes that arrive during a JetStream replay and writes them after it, once', async () => {
    const messages = [
      { seq: 1, game: game({ id: 'a', kickoff: NOW - H, phase: 'in', revision: 1 }) },
      { seq: 2, game: game({ id: 'a', kickoff: NOW - H, phase: 'in', revision: 2 }) },
    ];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const base = memoryReplay(messages);
    const replay = { ...base, read: async (...args: Parameters<typeof base.read>) => { await gate; return base.read(...args); } };
    t = await makeApp({ replay, stream: messages });
    const { reader } = await open('/api/games/stream', { 'last-event-id': '0' });
    await waitFor(() => t!.runtime.hub.clients.size === 1);
    // arrives while the replay is still reading: queued, not written before the replay
    rev('a', 3, 3);
    release();
    await waitFor(() => reader.games().length === 3);
    expect(reader.games().map((g) => g.id)).toEqual(['1', '2', '3']);
  });

  it('sends the current games again when the id is older than the stream holds, or ahead of it', async () => {
    const replay = memoryReplay([{ seq: 50, game: game({ id: 'a', kickoff: NOW - H, phase: 'in', revision: 9 }) }]);
    t = await makeApp({ replay, games: [game({ id: 'z', kickoff: NOW - H, phase: 'in' })], stream: replay.messages });
    for (const lastId of ['0', '10', '999']) {
      const { reader } = await open('/api/games/stream', { 'last-event-id': lastId });
      await waitFor(() => reader.frames.some((f) => f.id === '50' && f.event === undefined));
      expect(reader.games().map((g) => g.game.id), lastId).toEqual(['z', 'a']);
    }
  });

  it('answers 400 for a bad Last-Event-ID or filter, before any stream starts', async () => {
    t = await makeApp();
    for (const [url, headers, name] of [
      ['/api/games/stream', { 'last-event-id': 'abc' }, 'last-event-id'],
      ['/api/games/stream?lastEventId=-1', {}, 'lastEventId'],
      ['/api/games/stream?status=done', {}, 'status'],
      ['/api/games/stream?limit=5', {}, 'limit'],
    ] as const) {
      const res = await t.app.inject({ method: 'GET', url, headers });
      expect(res.statusCode, url).toBe(400);
      expect(json<{ error: { message: string } }>(res).error.message).toContain(`"${name}"`);
    }
  });

  it('carries the CORS and rate-limit headers of an ordinary response', async () => {
    t = await makeApp({ config: testConfig({ CORS_ORIGINS: 'https://scores.example' }) });
    const { res } = await open('/api/games/stream', { origin: 'https://scores.example' });
    expect(res.headers['access-control-allow-origin']).toBe('https://scores.example');
    expect(res.headers['ratelimit-limit']).toBe('600');
    expect((await t.app.inject({ method: 'HEAD', url: '/api/games/stream' })).statusCode).toBe(404);
  });

  it('sends heartbeats, and ends every stream when the app closes', async () => {
    t = await makeApp();
    const { reader } = await open('/api/games/stream/');
    await waitFor(() => t!.runtime.hub.clients.size === 1);
    t.runtime.hub.heartbeat();
    await waitFor(() => reader.frames.some((f) => f.comment === 'heartbeat'));
    await t.app.close();
    await waitFor(() => reader.ended);
    expect(t.runtime.hub.clients.size).toBe(0);
  });
});
