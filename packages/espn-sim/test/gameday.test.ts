import { describe, expect, it } from 'vitest';
import { buildGameDay, busySaturday, gameDayEventId, gameDayScript } from '../src/gameday.js';
import { easternDay } from '../src/time.js';
import type { EspnEvent, Recording } from '../src/types.js';

const DAY = '2026-11-28';
const rec: Recording = buildGameDay({ day: DAY });
const statusesOf = (id: string) => rec.snapshots.map((s) => s.body.events.find((e) => e.id === id)).filter((e): e is EspnEvent => e !== undefined);
const scores = (e: EspnEvent) => e.competitions[0]!.competitors.map((c) => `${c.homeAway}:${c.score}`).join(' ');

describe('buildGameDay', () => {
  it('records one scoreboard of the day every 2 minutes for about five hours', () => {
    expect(rec.snapshots.length).toBeGreaterThan(100);
    const span = rec.snapshots.at(-1)!.at.getTime() - rec.snapshots[0]!.at.getTime();
    expect(span / 3_600_000).toBeGreaterThanOrEqual(4.5);
    expect(span / 3_600_000).toBeLessThanOrEqual(6);
    expect(rec.snapshots[0]!.at.toISOString()).toBe('2026-11-28T16:30:00.000Z'); // 11:30 ET
    for (const s of rec.snapshots) expect(s).toMatchObject({ league: 'football/college-football', day: '20261128' });
  });

  it('writes every snapshot as valid JSON of the scoreboard shape, 8 to 12 games', () => {
    for (const s of rec.snapshots) {
      const body = JSON.parse(JSON.stringify(s.body)) as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(['leagues', 'groups', 'season', 'week', 'day', 'events']);
      const events = body.events as EspnEvent[];
      expect(events.length).toBeGreaterThanOrEqual(8);
      expect(events.length).toBeLessThanOrEqual(12);
      for (const e of events) {
        const c = e.competitions[0]!;
        expect(e.status).toEqual(c.status);
        expect(c.competitors.map((x) => x.homeAway).sort()).toEqual(['away', 'home']);
        for (const x of c.competitors) expect(typeof x.score).toBe('string');
        expect(easternDay(e.date)).toBe(DAY);
      }
    }
  });

  it('plays the games through quarters, ends of period and halftime with changing scores and clocks', () => {
    const game = statusesOf(gameDayEventId(DAY, 1));
    const names = new Set(game.map((e) => e.status.type.name));
    for (const n of ['STATUS_SCHEDULED', 'STATUS_IN_PROGRESS', 'STATUS_END_PERIOD', 'STATUS_HALFTIME', 'STATUS_FINAL']) expect(names).toContain(n);
    expect(new Set(game.map((e) => e.status.period))).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(new Set(game.map(scores)).size).toBeGreaterThan(5);
    expect(new Set(game.map((e) => e.status.displayClock)).size).toBeGreaterThan(20);
    // state never goes backwards
    const order = { pre: 0, in: 1, post: 2 };
    const states = game.map((e) => order[e.status.type.state]);
    expect(states).toEqual([...states].sort());
  });

  it('has an overtime final: Final/OT in period 5 after a tie at the end of the 4th', () => {
    const last = statusesOf(gameDayEventId(DAY, 6)).at(-1)!;
    expect(last.status).toMatchObject({ period: 5, type: { name: 'STATUS_FINAL_OT', detail: 'Final/OT', completed: true } });
    const end4 = statusesOf(gameDayEventId(DAY, 6)).find((e) => e.status.type.name === 'STATUS_END_PERIOD' && e.status.period === 4)!;
    const [h, a] = end4.competitions[0]!.competitors.map((c) => c.score);
    expect(h).toBe(a);
  });

  it('has a postponed and a canceled game that are never final and score "0"', () => {
    for (const [slot, name] of [
      [7, 'STATUS_POSTPONED'],
      [5, 'STATUS_CANCELED'],
    ] as const) {
      const last = statusesOf(gameDayEventId(DAY, slot)).at(-1)!;
      expect(last.status.type).toMatchObject({ name, state: 'post', completed: false });
      expect(scores(last)).toBe('home:0 away:0');
    }
  });

  it('has a delayed start that goes on to be played', () => {
    const names = statusesOf(gameDayEventId(DAY, 4)).map((e) => e.status.type.name);
    expect(names).toContain('STATUS_DELAYED');
    expect(names.indexOf('STATUS_DELAYED')).toBeLessThan(names.indexOf('STATUS_IN_PROGRESS'));
    expect(names.at(-1)).toBe('STATUS_FINAL');
  });

  it('corrects a final score about ten minutes after the first final', () => {
    const finals = rec.snapshots
      .map((s) => ({ at: s.at, e: s.body.events.find((e) => e.id === gameDayEventId(DAY, 2))! }))
      .filter((x) => x.e.status.type.completed);
    const distinct = [...new Set(finals.map((x) => scores(x.e)))];
    expect(distinct).toEqual(['home:24 away:20', 'home:24 away:17']);
    const firstFinal = finals[0]!.at.getTime();
    const corrected = finals.find((x) => scores(x.e) === 'home:24 away:17')!.at.getTime();
    expect((corrected - firstFinal) / 60_000).toBeGreaterThanOrEqual(8);
    expect((corrected - firstFinal) / 60_000).toBeLessThanOrEqual(12);
  });

  it('leaves the night game scheduled with odds', () => {
    const last = statusesOf(gameDayEventId(DAY, 10)).at(-1)!;
    expect(last.status.type.name).toBe('STATUS_SCHEDULED');
    expect(last.competitions[0]!.odds?.[0]).toMatchObject({ details: 'TENN -11.5' });
  });

  it('describes its script with the final scores it produces', () => {
    const script = gameDayScript(DAY);
    const last = rec.snapshots.at(-1)!.body.events;
    for (const g of script) {
      const e = last.find((x) => x.id === g.eventId)!;
      expect(e.shortName).toBe(g.shortName);
      if (g.final) expect(scores(e)).toBe(`home:${g.final.home} away:${g.final.away}`);
    }
    expect(script.map((g) => g.role)).toEqual(expect.arrayContaining(['overtime', 'postponed', 'canceled', 'delayed-start', 'corrected-final']));
  });

  it('starts at startAt when given, keeping the spacing', () => {
    const moved = buildGameDay({ day: DAY, startAt: new Date('2030-01-01T00:00:00Z') });
    expect(moved.snapshots[0]!.at.toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(moved.snapshots[1]!.at.toISOString()).toBe('2030-01-01T00:02:00.000Z');
  });

  it('refuses a bad day', () => {
    expect(() => buildGameDay({ day: '2026-02-30' })).toThrow(/YYYY-MM-DD/);
  });
});

describe('busySaturday', () => {
  const games = busySaturday({ day: DAY, games: 300 });

  it('makes 300 distinct games with distinct teams', () => {
    expect(games).toHaveLength(300);
    expect(new Set(games.map((e) => e.id)).size).toBe(300);
    expect(new Set(games.flatMap((e) => e.competitions[0]!.competitors.map((c) => c.team.id))).size).toBe(600);
  });

  it('mixes scheduled, in progress, halftime and final games over the day', () => {
    const count = (name: string) => games.filter((e) => e.status.type.name === name).length;
    for (const name of ['STATUS_SCHEDULED', 'STATUS_IN_PROGRESS', 'STATUS_HALFTIME', 'STATUS_FINAL']) expect(count(name)).toBeGreaterThan(10);
    const kickoffs = new Set(games.map((e) => e.date));
    expect(kickoffs.size).toBeGreaterThan(5);
    for (const e of games) expect(easternDay(e.date)).toBe(DAY);
  });

  it('gives the same games for the same day and seed', () => {
    expect(JSON.stringify(busySaturday({ day: DAY, games: 300 }))).toBe(JSON.stringify(games));
    expect(JSON.stringify(busySaturday({ day: DAY, games: 300, seed: 7 }))).not.toBe(JSON.stringify(games));
  });
});
