import { describe, expect, it } from 'vitest';
import { applyScore, applyStatus, makeEvent, shiftEvent, sides, templateEvent } from '../src/events.js';
import { readFixture } from '../src/fixtures.js';
import { statusPresets } from '../src/status.js';
import type { EspnEvent } from '../src/types.js';

const keysDeep = (o: unknown, prefix = ''): string[] =>
  typeof o === 'object' && o !== null && !Array.isArray(o) ? Object.entries(o).flatMap(([k, v]) => [prefix + k, ...keysDeep(v, `${prefix}${k}.`)]) : [];

describe('makeEvent', () => {
  const michigan = () =>
    makeEvent({
      id: '500000001',
      league: 'football/college-football',
      date: '2026-11-28T17:00:00Z',
      home: { id: '130', abbreviation: 'MICH' },
      away: { id: '194', abbreviation: 'OSU' },
      odds: { details: 'MICH -3.5', overUnder: 47.5 },
    });

  it('keeps every field of the real template event', () => {
    const template = templateEvent('football/college-football');
    const made = michigan();
    const missing = keysDeep(template)
      .filter((k) => !k.includes('competitors') && !k.startsWith('competitions') && !k.startsWith('links'))
      .filter((k) => !keysDeep(made).includes(k));
    expect(missing).toEqual([]);
    expect(Object.keys(made.competitions[0]!).sort()).toEqual(Object.keys(template.competitions[0]!).sort());
  });

  it('rewrites ids, names, logos and date, leaving no trace of the template event id', () => {
    const template = templateEvent('football/college-football');
    const e = michigan();
    expect(JSON.stringify(e)).not.toContain(template.id);
    expect(e).toMatchObject({ id: '500000001', uid: 's:20~l:23~e:500000001', date: '2026-11-28T17:00Z', name: 'Ohio State Buckeyes at Michigan Wolverines', shortName: 'OSU @ MICH' });
    const { home, away } = sides(e);
    expect(home.team).toMatchObject({ id: '130', abbreviation: 'MICH', displayName: 'Michigan Wolverines', logo: 'https://a.espncdn.com/i/teamlogos/ncaa/500/130.png' });
    expect(away.team.id).toBe('194');
    expect(e.competitions[0]!.startDate).toBe('2026-11-28T17:00Z');
    expect(e.season?.year).toBe(2026);
  });

  it('writes scheduled texts and string scores of "0" for a game not started', () => {
    const e = michigan();
    expect(e.status.type).toMatchObject({ name: 'STATUS_SCHEDULED', detail: 'Sat, November 28th at 12:00 PM EST', shortDetail: '11/28 - 12:00 PM EST' });
    expect(e.competitions[0]!.status).toEqual(e.status);
    expect(sides(e).home.score).toBe('0');
    expect(sides(e).home.winner).toBeUndefined();
  });

  it('derives the home spread and favourite from the odds details', () => {
    const odds = michigan().competitions[0]!.odds![0]!;
    expect(odds).toMatchObject({ details: 'MICH -3.5', overUnder: 47.5, spread: -3.5, homeTeamOdds: { favorite: true, team: { id: '130' } }, awayTeamOdds: { favorite: false, team: { id: '194' } } });
  });

  it('builds a final with string scores, linescores and winner flags', () => {
    const e = makeEvent({
      id: '9',
      league: 'football/nfl',
      date: '2026-11-29T18:00:00Z',
      home: { id: '12', abbreviation: 'KC', score: 27 },
      away: { id: '1', abbreviation: 'ATL', name: 'Atlanta Falcons', score: '24' },
      status: statusPresets.final(),
    });
    const { home, away } = sides(e);
    expect([home.score, away.score, home.winner, away.winner]).toEqual(['27', '24', true, false]);
    expect(home.linescores!.reduce((s, l) => s + l.value, 0)).toBe(27);
    expect(home.team.logo).toBe('https://a.espncdn.com/i/teamlogos/nfl/500/kc.png');
    expect(e.competitions[0]!.odds).toBeUndefined();
  });

  it('gives a live game a situation naming the team in possession', () => {
    const e = makeEvent({ id: '10', league: 'football/college-football', date: '2026-11-28T17:00Z', home: { id: '130', abbreviation: 'MICH', score: 7 }, away: { id: '194', abbreviation: 'OSU', score: 3 }, status: statusPresets.inProgress(2, '4:12') });
    expect(e.competitions[0]!.situation).toMatchObject({ possession: '130' });
  });

  it('names an unknown team from what it is given', () => {
    const e = makeEvent({ id: '11', league: 'football/college-football', date: '2026-11-28T17:00Z', home: { id: '999999', abbreviation: 'ZZZ', name: 'Zed State Zebras' }, away: { id: '194', abbreviation: 'OSU' } });
    expect(sides(e).home.team).toMatchObject({ id: '999999', displayName: 'Zed State Zebras', location: 'Zed State', name: 'Zebras', logo: 'https://a.espncdn.com/i/teamlogos/ncaa/500/999999.png' });
  });

  it('refuses an event without id or with a bad date', () => {
    expect(() => makeEvent({ id: '', league: 'football/nfl', date: '2026-11-28', home: { id: '1', abbreviation: 'A' }, away: { id: '2', abbreviation: 'B' } })).toThrow(/id/);
    expect(() => makeEvent({ id: '1', league: 'football/nfl', date: 'soon', home: { id: '1', abbreviation: 'A' }, away: { id: '2', abbreviation: 'B' } })).toThrow(/date/);
  });
});

describe('event edits', () => {
  const live = (): EspnEvent => structuredClone((readFixture('cfb-scoreboard-2022-wk3-live-halftime') as { events: EspnEvent[] }).events.find((e) => e.id === '401403884')!);

  it('writes scores as strings and keeps the running linescore consistent', () => {
    const e = applyScore(live(), { home: 35, away: '0' });
    const { home, away } = sides(e);
    expect([home.score, away.score]).toEqual(['35', '0']);
    expect(home.linescores!.map((l) => l.value)).toEqual([0, 21, 14]);
  });

  it('sets event and competition status together and adds winners only when final', () => {
    const e = applyStatus(live(), statusPresets.final());
    expect(e.status).toEqual(e.competitions[0]!.status);
    expect(sides(e).home.winner).toBe(true);
    expect(sides(e).away.winner).toBe(false);
    applyStatus(e, statusPresets.suspended(3));
    expect(sides(e).home.winner).toBeUndefined();
  });

  it('refuses a score that is not a number or a string', () => {
    expect(() => applyScore(live(), { home: NaN, away: 1 })).toThrow(/finite/);
    expect(() => applyScore(live(), { home: null as unknown as number, away: 1 })).toThrow(/number or a string/);
  });

  it('moves a fixture event to another day keeping its Eastern kickoff time and rewriting scheduled texts', () => {
    const scheduled = structuredClone((readFixture('cfb-scoreboard-2022-wk3-live-halftime') as { events: EspnEvent[] }).events.find((e) => e.id === '401404069')!);
    const moved = shiftEvent(scheduled, 1533); // 2022-09-17 -> 2026-11-28
    expect(moved.date).toBe('2026-11-28T19:00Z'); // 2:00 PM EDT -> 2:00 PM EST
    expect(moved.competitions[0]!.date).toBe('2026-11-28T19:00Z');
    expect(moved.competitions[0]!.startDate).toBe('2026-11-28T19:00Z');
    expect(moved.status.type.shortDetail).toBe('11/28 - 2:00 PM EST');
    expect(moved.competitions[0]!.status.type.detail).toBe('Sat, November 28th at 2:00 PM EST');
    expect(moved.season?.year).toBe(2026);
  });
});
