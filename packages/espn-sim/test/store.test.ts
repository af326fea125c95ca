import { describe, expect, it } from 'vitest';
import { makeEvent } from '../src/events.js';
import { EventStore } from '../src/store.js';

const L = 'football/college-football';
const ev = (id: string, date: string, score = 0) =>
  makeEvent({ id, league: L, date, home: { id: '130', abbreviation: 'MICH', score }, away: { id: '194', abbreviation: 'OSU' } });
const t = (iso: string) => new Date(iso);

describe('EventStore', () => {
  it('serves the latest version at or before the asked time', () => {
    const s = new EventStore();
    s.put(L, ev('1', '2026-11-28T17:00Z', 0), t('2026-11-28T16:00:00Z'));
    s.put(L, ev('1', '2026-11-28T17:00Z', 7), t('2026-11-28T17:30:00Z'));
    const score = (at: string) => s.current(t(at))[0]?.event.competitions[0]!.competitors[0]!.score;
    expect(s.current(t('2026-11-28T15:59:59Z'))).toEqual([]);
    expect(score('2026-11-28T16:00:00Z')).toBe('0');
    expect(score('2026-11-28T17:29:59Z')).toBe('0');
    expect(score('2026-11-28T17:30:00Z')).toBe('7');
  });

  it('lets a later insertion at the same time win, and inserts out of order correctly', () => {
    const s = new EventStore();
    const at = t('2026-11-28T16:00:00Z');
    s.put(L, ev('1', '2026-11-28T17:00Z', 14), t('2026-11-28T18:00:00Z'));
    s.put(L, ev('1', '2026-11-28T17:00Z', 3), at);
    s.put(L, ev('1', '2026-11-28T17:00Z', 7), at);
    expect(s.current(at)[0]!.event.competitions[0]!.competitors[0]!.score).toBe('7');
    expect(s.current(t('2026-11-28T18:00:00Z'))[0]!.event.competitions[0]!.competitors[0]!.score).toBe('14');
  });

  it('hides a removed event from then on, and shows it again when a new version comes', () => {
    const s = new EventStore();
    s.put(L, ev('1', '2026-11-28T17:00Z'), t('2026-11-28T16:00:00Z'));
    s.remove('1', L, t('2026-11-28T17:00:00Z'));
    expect(s.current(t('2026-11-28T16:30:00Z'))).toHaveLength(1);
    expect(s.current(t('2026-11-28T17:00:00Z'))).toHaveLength(0);
    expect(s.base('1', t('2026-11-28T17:30:00Z'))).toBeNull();
    s.put(L, ev('1', '2026-11-28T17:00Z'), t('2026-11-28T18:00:00Z'));
    expect(s.current(t('2026-11-28T18:00:00Z'))).toHaveLength(1);
  });

  it('files events by Eastern day and orders them by kickoff', () => {
    const s = new EventStore();
    const at = t('2026-11-28T12:00:00Z');
    s.put(L, ev('late', '2026-11-29T03:30Z'), at); // 10:30 PM ET on the 28th
    s.put(L, ev('noon', '2026-11-28T17:00Z'), at);
    s.put(L, ev('sunday', '2026-11-29T18:00Z'), at);
    s.put('football/nfl', ev('nfl', '2026-11-28T17:00Z'), at);
    const day = s.current(at, (l, d) => l === L && d === '20261128');
    expect(day.map((c) => c.event.id)).toEqual(['noon', 'late']);
    expect(s.countsByLeague(at)).toEqual({ [L]: 3, 'football/nfl': 1 });
  });

  it('builds an edit on the version current at its time, else on the latest', () => {
    const s = new EventStore();
    s.put(L, ev('1', '2026-11-28T17:00Z', 3), t('2026-11-28T16:00:00Z'));
    s.put(L, ev('1', '2026-11-28T17:00Z', 10), t('2026-11-28T18:00:00Z'));
    expect(s.base('1', t('2026-11-28T17:00:00Z'))!.event.competitions[0]!.competitors[0]!.score).toBe('3');
    expect(s.base('1', t('2026-11-28T10:00:00Z'))!.event.competitions[0]!.competitors[0]!.score).toBe('10');
    expect(s.base('nope', t('2026-11-28T10:00:00Z'))).toBeNull();
  });
});
