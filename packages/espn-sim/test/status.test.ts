import { describe, expect, it } from 'vitest';
import { readFixture } from '../src/fixtures.js';
import { statusPresets } from '../src/status.js';
import type { EspnEvent, EspnStatus } from '../src/types.js';

function firstStatus(fixture: string, name: string): EspnStatus {
  const events = (readFixture(fixture) as { events: EspnEvent[] }).events;
  const e = events.find((x) => x.status.type.name === name);
  if (!e) throw new Error(`${fixture} has no ${name}`);
  return e.status;
}

describe('statusPresets', () => {
  it('builds halftime exactly as ESPN sends it', () => {
    expect(statusPresets.halftime()).toEqual(firstStatus('cfb-scoreboard-2022-wk3-live-halftime', 'STATUS_HALFTIME'));
  });

  it('builds a final exactly as ESPN sends it', () => {
    expect(statusPresets.final()).toEqual(firstStatus('cfb-scoreboard-2022-wk3-live-halftime', 'STATUS_FINAL'));
  });

  it('builds an in-progress quarter with ESPN texts and clock seconds', () => {
    expect(statusPresets.inProgress(3, '8:36')).toEqual(firstStatus('cfb-scoreboard-2022-wk3-live-halftime', 'STATUS_IN_PROGRESS'));
    expect(statusPresets.inProgress(4, 48).type.shortDetail).toBe('0:48 - 4th');
  });

  it('gives postponed and suspended the type ESPN sends (state post, not completed)', () => {
    expect(statusPresets.postponed().type).toEqual(firstStatus('mlb-scoreboard-2025-06-04-live-final-postponed', 'STATUS_POSTPONED').type);
    const suspended = firstStatus('mlb-scoreboard-2025-06-06-final-suspended', 'STATUS_SUSPENDED');
    expect(statusPresets.suspended(7)).toEqual(suspended);
  });

  it('writes a scheduled kickoff like the fixtures', () => {
    expect(statusPresets.scheduled('2022-09-17T18:00Z')).toEqual(firstStatus('cfb-scoreboard-2022-wk3-live-halftime', 'STATUS_SCHEDULED'));
  });

  it('marks an overtime final Final/OT in period 5, and double overtime Final/2OT', () => {
    const ot = statusPresets.finalOT();
    expect(ot).toMatchObject({ period: 5, type: { name: 'STATUS_FINAL_OT', state: 'post', completed: true, detail: 'Final/OT', shortDetail: 'Final/OT' } });
    expect(statusPresets.finalOT(6).type.detail).toBe('Final/2OT');
    expect(statusPresets.finalOT(5, 'STATUS_FINAL').type.name).toBe('STATUS_FINAL');
  });

  it('keeps canceled, postponed and delayed games from being final', () => {
    for (const s of [statusPresets.canceled(), statusPresets.postponed(), statusPresets.delayed('pre'), statusPresets.delayed('in', 2, '5:00')]) {
      expect(s.type.completed).toBe(false);
    }
    expect(statusPresets.canceled().type).toMatchObject({ id: '5', name: 'STATUS_CANCELED', state: 'post' });
    expect(statusPresets.delayed('in', 2, '5:00')).toMatchObject({ period: 2, displayClock: '5:00', clock: 300, type: { state: 'in', name: 'STATUS_DELAYED' } });
  });

  it('names the end of a quarter like ESPN', () => {
    expect(statusPresets.endOfPeriod(3)).toMatchObject({ period: 3, type: { id: '22', name: 'STATUS_END_PERIOD', state: 'in', detail: 'End of 3rd Quarter', shortDetail: 'End of 3rd' } });
  });

  it('returns a fresh object on every call', () => {
    const a = statusPresets.final();
    a.type.detail = 'changed';
    expect(statusPresets.final().type.detail).toBe('Final');
  });
});
