import { describe, expect, it } from 'vitest';
import { makeEvent } from '../src/events.js';
import { parseSnapshotFileName, recordingFirstDay, recordingOps, snapshotFileName } from '../src/recording.js';
import type { EspnEvent, Recording, Snapshot } from '../src/types.js';

const L = 'football/college-football';
const game = (id: string, date: string, score = 0): EspnEvent =>
  makeEvent({ id, league: L, date, home: { id: '130', abbreviation: 'MICH', score }, away: { id: '194', abbreviation: 'OSU' } });
const snap = (at: string, day: string, events: EspnEvent[]): Snapshot => ({ at: new Date(at), league: L, day, body: { leagues: [{ slug: 'college-football', season: { year: 2026 } }], season: { type: 2, year: 2026 }, events } });

describe('snapshot file names', () => {
  it('round-trips time, league and day, with colons written as dashes', () => {
    const name = snapshotFileName({ at: new Date('2026-11-28T19:04:11.201Z'), league: L, day: '20261128' });
    expect(name).toBe('2026-11-28T19-04-11.201Z__football__college-football__20261128.json');
    expect(parseSnapshotFileName(name)).toEqual({ at: new Date('2026-11-28T19:04:11.201Z'), league: L, day: '20261128' });
  });

  it('ignores files that do not follow the naming', () => {
    expect(parseSnapshotFileName('README.md')).toBeNull();
    expect(parseSnapshotFileName('2026-11-28T19-04-11Z__football__nfl.json')).toBeNull();
  });

  it('refuses a league or day it could not read back', () => {
    expect(() => snapshotFileName({ at: new Date(), league: 'nfl', day: '20261128' })).toThrow(/sport\/league/);
    expect(() => snapshotFileName({ at: new Date(), league: L, day: '2026-11-28' })).toThrow(/YYYYMMDD/);
  });
});

describe('recordingOps', () => {
  const start = new Date('2030-01-01T00:00:00Z');

  it('maps snapshot times onto startAt and skips unchanged events', () => {
    const rec: Recording = {
      snapshots: [
        snap('2026-11-28T17:00:00Z', '20261128', [game('1', '2026-11-28T17:00Z', 0)]),
        snap('2026-11-28T17:02:00Z', '20261128', [game('1', '2026-11-28T17:00Z', 0)]),
        snap('2026-11-28T17:04:00Z', '20261128', [game('1', '2026-11-28T17:00Z', 7)]),
      ],
    };
    const puts = recordingOps(rec, { startAt: start }).filter((o) => o.kind === 'put');
    expect(puts.map((o) => o.at.toISOString())).toEqual(['2030-01-01T00:00:00.000Z', '2030-01-01T00:04:00.000Z']);
  });

  it('removes an event missing from a later snapshot of its day, but not one that moved to another day', () => {
    const rec: Recording = {
      snapshots: [
        snap('2026-11-28T17:00:00Z', '20261128', [game('gone', '2026-11-28T17:00Z'), game('moved', '2026-11-28T20:00Z')]),
        snap('2026-11-28T17:01:00Z', '20261129', [game('moved', '2026-11-29T20:00Z')]),
        snap('2026-11-28T17:02:00Z', '20261128', []),
      ],
    };
    const removes = recordingOps(rec, { startAt: start }).filter((o) => o.kind === 'remove');
    expect(removes).toEqual([{ kind: 'remove', at: new Date('2030-01-01T00:02:00Z'), league: L, id: 'gone' }]);
  });

  it('moves events and season years by the shift', () => {
    const rec: Recording = { snapshots: [snap('2026-11-28T17:00:00Z', '20261128', [game('1', '2026-11-28T17:00Z')])] };
    const ops = recordingOps(rec, { startAt: start, shiftDays: 365 * 2 + 1 });
    const put = ops.find((o) => o.kind === 'put');
    const meta = ops.find((o) => o.kind === 'meta');
    expect(put?.kind === 'put' && put.event.date).toBe('2028-11-28T17:00Z');
    expect(meta?.kind === 'meta' && meta.body.season?.year).toBe(2028);
  });

  it('takes the day the recording started on as its game day', () => {
    const rec: Recording = {
      snapshots: [snap('2026-11-28T16:00:00Z', '20261127', []), snap('2026-11-28T16:00:01Z', '20261128', [])],
    };
    expect(recordingFirstDay(rec)).toBe('2026-11-28');
    expect(recordingFirstDay({ snapshots: [snap('2026-11-28T16:00:00Z', '20261120', [])] })).toBe('2026-11-20');
    expect(() => recordingFirstDay({ snapshots: [] })).toThrow(/no snapshots/);
  });
});
