import { mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGameDay, gameDayEventId, readRecording, startSimulator, writeRecording, writeSnapshot, type EspnEvent, type Simulator } from '../src/index.js';
import { getJson, scoreboardUrl } from './helpers.js';

const CFB = 'football/college-football';
const status = (body: { events: EspnEvent[] }, id: string) => body.events.find((e) => e.id === id)?.status.type.name;

describe('recordings on disk', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'espn-sim-rec-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one file per poll and reads back the same snapshots in time order', () => {
    const rec = buildGameDay({ day: '2026-11-28' });
    const paths = writeRecording(dir, { snapshots: [...rec.snapshots].reverse() });
    expect(paths).toHaveLength(rec.snapshots.length);
    expect(readdirSync(dir)).toContain('2026-11-28T16-30-00.000Z__football__college-football__20261128.json');
    writeFileSync(join(dir, 'NOTES.md'), 'not a snapshot');
    const back = readRecording(dir);
    expect(back.snapshots.map((s) => s.at.toISOString())).toEqual(rec.snapshots.map((s) => s.at.toISOString()));
    back.snapshots.forEach((s, i) => {
      const original = rec.snapshots[i]!;
      expect({ ...s, body: undefined }).toEqual({ ...original, body: undefined });
      expect(s.body).toEqual(JSON.parse(JSON.stringify(original.body)));
    });
  });

  it('refuses a missing directory and a snapshot that is not JSON, naming the file', () => {
    expect(() => readRecording(join(dir, 'nope'))).toThrow(/no recording directory/);
    const bad = mkdtempSync(join(tmpdir(), 'espn-sim-bad-'));
    try {
      writeFileSync(join(bad, '2026-11-28T16-30-00.000Z__football__nfl__20261128.json'), '{"events": [');
      expect(() => readRecording(bad)).toThrow(/__football__nfl__20261128\.json is not valid JSON/);
      writeFileSync(join(bad, '2026-11-28T16-30-00.000Z__football__nfl__20261128.json'), '{"leagues": []}');
      expect(() => readRecording(bad)).toThrow(/not a scoreboard/);
      expect(() => writeSnapshot(bad, { at: new Date(), league: 'football/nfl', day: '20261128', body: {} as never })).toThrow(/not a scoreboard/);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  describe('replayed by the simulator', () => {
    let sim: Simulator;
    const start = new Date('2030-03-01T15:00:00Z');
    beforeAll(async () => {
      sim = await startSimulator({ clock: start });
      sim.loadRecording(dir, { shiftToDay: '2030-03-02', startAt: start });
    });
    afterAll(() => sim.close());
    const day = async () => (await getJson(scoreboardUrl(sim, CFB, { dates: '20300302', limit: '500', groups: '80' }))).body;
    const id = (slot: number) => gameDayEventId('2026-11-28', slot);

    it('serves the first snapshot at startAt, moved to the asked day', async () => {
      const body = await day();
      expect(body.events).toHaveLength(10);
      expect(body.events.every((e) => e.status.type.name === 'STATUS_SCHEDULED')).toBe(true);
      expect(body.events[0]!.date).toBe('2030-03-02T17:00Z'); // noon EST
      expect(body.events[0]!.status.type.shortDetail).toBe('3/2 - 12:00 PM EST');
      expect((await getJson(scoreboardUrl(sim, CFB, { dates: '20261128' }))).body.events).toEqual([]);
    });

    it('plays the day forward as the sim clock moves, to the corrected and overtime finals', async () => {
      sim.clock.set(new Date(start.getTime() + 2 * 3600_000)); // 13:30 ET in recording time
      const mid = await day();
      expect(['STATUS_IN_PROGRESS', 'STATUS_HALFTIME', 'STATUS_END_PERIOD']).toContain(status(mid, id(1)));
      expect(status(mid, id(5))).toBe('STATUS_CANCELED');
      expect(status(mid, id(7))).toBe('STATUS_POSTPONED');
      sim.clock.set(new Date(start.getTime() + 6 * 3600_000));
      const end = await day();
      expect(status(end, id(6))).toBe('STATUS_FINAL_OT');
      expect(end.events.find((e) => e.id === id(2))?.competitions[0]!.competitors.map((c) => c.score)).toEqual(['24', '17']);
    });
  });
});
