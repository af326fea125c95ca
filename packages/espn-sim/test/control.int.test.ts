import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGameDay, gameDayEventId, makeEvent, startSimulator, writeRecording, type EspnEvent, type Simulator } from '../src/index.js';
import { control, get, getJson, scoreboardUrl } from './helpers.js';
import type { RequestRecord } from '../src/index.js';

const CFB = 'football/college-football';
const game = (id: string) => makeEvent({ id, league: CFB, date: '2026-11-28T17:00Z', home: { id: '130', abbreviation: 'MICH' }, away: { id: '194', abbreviation: 'OSU' } });

describe('control API', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ clock: new Date('2026-11-28T16:00:00Z') });
  });
  afterAll(() => sim.close());

  it('reports the state: clock, speed, events by league, queued faults, requests', async () => {
    sim.setEvents(CFB, [game('c1'), game('c2')]);
    await get(scoreboardUrl(sim, CFB));
    const { status, body } = await control(sim, 'GET', '/_sim/state');
    expect(status).toBe(200);
    expect(body).toMatchObject({ clock: '2026-11-28T16:00:00.000Z', day: '2026-11-28', speed: 0, running: false, events: { [CFB]: 2 }, faults: [], baseUrl: sim.baseUrl });
    expect(body.requests).toBeGreaterThanOrEqual(1);
  });

  it('sets, advances, runs and pauses the clock', async () => {
    expect((await control(sim, 'POST', '/_sim/clock', { set: '2026-11-28T17:00:00Z', advance: 90_000 })).body.clock).toBe('2026-11-28T17:01:30.000Z');
    const running = await control(sim, 'POST', '/_sim/clock', { speed: 60 });
    expect(running.body).toMatchObject({ speed: 60, running: true });
    const paused = await control(sim, 'POST', '/_sim/clock', { pause: true });
    expect(paused.body).toMatchObject({ speed: 0, running: false });
    expect(Date.parse(paused.body.clock)).toBeGreaterThanOrEqual(Date.parse('2026-11-28T17:01:30.000Z'));
    await control(sim, 'POST', '/_sim/clock', { set: '2026-11-28T16:00:00Z' });
  });

  it.each([
    [{ set: 'noon' }, 'bad_time'],
    [{ advance: '1h' }, 'bad_advance'],
    [{ speed: 0 }, 'bad_speed'],
    [{ speed: -2 }, 'bad_speed'],
    [{ pause: 'yes' }, 'bad_pause'],
    [{ pause: true, speed: 2 }, 'bad_body'],
    [{ rewind: true }, 'bad_body'],
  ])('refuses clock body %j with 400 %s', async (input, code) => {
    const { status, body } = await control(sim, 'POST', '/_sim/clock', input);
    expect(status).toBe(400);
    expect(body.error.code).toBe(code);
    expect(body.error.message).toEqual(expect.any(String));
  });

  it('queues faults, including drift, and clears them', async () => {
    expect((await control(sim, 'POST', '/_sim/faults', { kind: 'status', status: 503, times: 'Infinity', match: { league: 'football/nfl' } })).status).toBe(201);
    const added = await control(sim, 'POST', '/_sim/faults', { kind: 'drift', variant: 'missing-status' });
    expect(added.body.faults).toEqual([
      { kind: 'status', times: 'Infinity', match: { league: 'football/nfl' } },
      { kind: 'drift:missing-status', times: 1 },
    ]);
    expect((await getJson(scoreboardUrl(sim, CFB, { dates: '20261128' }))).body.events[0]!.status).toBeUndefined();
    expect((await get(scoreboardUrl(sim, 'football/nfl'))).status).toBe(503);
    expect((await control(sim, 'DELETE', '/_sim/faults')).body).toEqual({ cleared: 1 });
    expect((await get(scoreboardUrl(sim, 'football/nfl'))).status).toBe(200);
  });

  it.each([
    [{ kind: 'mutate' }, 'bad_fault'],
    [{ kind: 'status', status: 'five hundred' }, 'bad_fault'],
    [{ kind: 'drift', variant: 'chaos' }, 'bad_fault'],
    [{ kind: 'slow' }, 'bad_fault'],
    [[{ kind: 'reset' }], 'bad_body'],
  ])('refuses fault %j with 400 %s', async (input, code) => {
    const { status, body } = await control(sim, 'POST', '/_sim/faults', input);
    expect(status).toBe(400);
    expect(body.error.code).toBe(code);
  });

  it('refuses a body that is not JSON', async () => {
    const { status, body } = await control(sim, 'POST', '/_sim/faults', '{"kind": ');
    expect(status).toBe(400);
    expect(body.error.code).toBe('bad_json');
  });

  it('stores events, sets scores and statuses by preset', async () => {
    expect((await control(sim, 'POST', '/_sim/events', { league: CFB, events: [game('h1')] })).status).toBe(201);
    const scored = await control(sim, 'POST', '/_sim/events/h1/score', { home: 21, away: '17' });
    expect(scored.status).toBe(200);
    expect(scored.body.event.competitions[0]!.competitors.map((c) => c.score)).toEqual(['21', '17']);
    const finalOT = await control(sim, 'POST', '/_sim/events/h1/status', { preset: 'finalOT', args: [5] });
    expect(finalOT.body.event.status.type).toMatchObject({ name: 'STATUS_FINAL_OT', detail: 'Final/OT' });
    expect(finalOT.body.event.competitions[0]!.status.type.name).toBe('STATUS_FINAL_OT');
    await control(sim, 'POST', '/_sim/events/h1/status', { preset: 'inProgress', args: [3, '4:12'] });
    const served = (await getJson(scoreboardUrl(sim, CFB, { dates: '20261128' }))).body.events.find((e) => e.id === 'h1');
    expect(served?.status.type.shortDetail).toBe('4:12 - 3rd');
    expect((await control(sim, 'DELETE', '/_sim/events/h1')).body).toEqual({ removed: 'h1' });
    expect((await control<{ events: EspnEvent[] }>(sim, 'GET', `/_sim/events?league=${CFB}`)).body.events.map((e) => e.id)).not.toContain('h1');
  });

  it.each([
    ['/_sim/events', { league: 'nfl', events: [] }, 400, 'bad_league'],
    ['/_sim/events', { league: CFB, events: [{ id: 'x' }] }, 400, 'bad_event'],
    ['/_sim/events', { league: CFB }, 400, 'bad_event'],
    ['/_sim/events/none/score', { home: 1, away: 2 }, 404, 'unknown_event'],
    ['/_sim/events/c1/score', { home: 1 }, 400, 'bad_score'],
    ['/_sim/events/c1/score', { home: 1, away: 2, at: 'later' }, 400, 'bad_time'],
    ['/_sim/events/c1/status', { preset: 'exploded' }, 400, 'bad_preset'],
    ['/_sim/events/c1/status', { preset: 'inProgress', args: [3] }, 400, 'bad_args'],
    ['/_sim/events/c1/status', { preset: 'delayed', args: ['soon'] }, 400, 'bad_args'],
    ['/_sim/recording', { dir: '/nonexistent/recording' }, 404, 'recording_not_found'],
    ['/_sim/recording', {}, 400, 'bad_dir'],
    ['/_sim/recording', { dir: '/tmp', shiftToDay: 'monday' }, 400, 'bad_day'],
    ['/_sim/fixture', { name: 'nfl-teams' }, 400, 'not_a_scoreboard'],
    ['/_sim/fixture', { name: 'no-such-fixture' }, 400, 'unknown_fixture'],
    ['/_sim/game-day', { day: '2026-13-01' }, 400, 'bad_day'],
  ])('POST %s %j answers %i %s', async (path, input, status, code) => {
    const res = await control(sim, 'POST', path, input);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
  });

  it('answers 404 for unknown control routes and 405 for wrong methods', async () => {
    expect((await control(sim, 'GET', '/_sim/nothing')).status).toBe(404);
    const wrong = await control(sim, 'PUT', '/_sim/clock', {});
    expect(wrong.status).toBe(405);
    expect(wrong.body.error.code).toBe('method_not_allowed');
  });

  it('lists and clears recorded requests', async () => {
    await control(sim, 'DELETE', '/_sim/requests');
    await get(scoreboardUrl(sim, CFB, { dates: '20261128', limit: '500', groups: '80' }));
    const { body } = await control<{ requests: (Omit<RequestRecord, 'at' | 'simAt'> & { simAt: string })[] }>(sim, 'GET', '/_sim/requests');
    expect(body.requests).toHaveLength(1);
    expect(body.requests[0]).toMatchObject({ league: CFB, dates: '20261128', limit: 500, groups: '80', status: 200, simAt: '2026-11-28T16:00:00.000Z' });
    expect((await control(sim, 'DELETE', '/_sim/requests')).body).toEqual({ cleared: 1 });
    expect(sim.requests).toHaveLength(0);
  });

  it('loads a fixture moved to another day', async () => {
    const { status, body } = await control(sim, 'POST', '/_sim/fixture', { name: 'nfl-scoreboard-2024-12-15-final', shiftToDay: '2026-12-06' });
    expect(status).toBe(201);
    expect(body.stored).toBe(13);
    expect((await getJson(scoreboardUrl(sim, 'football/nfl', { dates: '20261206' }))).body.events).toHaveLength(13);
  });
});

describe('control API: recordings and game days', () => {
  let sim: Simulator;
  let dir: string;
  beforeAll(async () => {
    sim = await startSimulator({ clock: new Date('2031-09-06T15:00:00Z') });
    dir = mkdtempSync(join(tmpdir(), 'espn-sim-ctl-'));
    writeRecording(dir, buildGameDay({ day: '2026-11-28' }));
  });
  afterAll(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads a recording directory moved to a day and lets it play at a speed', async () => {
    const { status, body } = await control(sim, 'POST', '/_sim/recording', { dir, shiftToDay: '2031-09-06', speed: 600 });
    expect(status).toBe(201);
    expect(body).toMatchObject({ running: true, speed: 600, events: { [CFB]: 10 } });
    const served = await getJson(scoreboardUrl(sim, CFB, { dates: '20310906', limit: '500', groups: '80' }));
    expect(served.body.events.map((e) => e.id)).toContain(gameDayEventId('2026-11-28', 6));
    await control(sim, 'POST', '/_sim/clock', { pause: true });
  });

  it('loads a generated game day for the sim day', async () => {
    const { status } = await control(sim, 'POST', '/_sim/game-day', { day: '2031-09-13', startAt: '2031-09-13T15:30:00Z' });
    expect(status).toBe(201);
    await control(sim, 'POST', '/_sim/clock', { set: '2031-09-13T15:30:00Z' });
    const served = await getJson(scoreboardUrl(sim, CFB, { dates: '20310913' }));
    expect(served.body.events).toHaveLength(10);
  });

  it('loads a busy Saturday', async () => {
    const { status, body } = await control(sim, 'POST', '/_sim/busy-saturday', { day: '2031-09-20', games: 300 });
    expect(status).toBe(201);
    expect(body.stored).toBe(300);
    expect((await getJson(scoreboardUrl(sim, CFB, { dates: '20310920', limit: '500' }))).body.events).toHaveLength(300);
  });
});
