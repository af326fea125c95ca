import { describe, expect, it } from 'vitest';
import { decode, GameChanged } from '@scores/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mapLimit, planPoll, summarise } from '../src/games/plan.js';
import type { GameRecord } from '../src/games/revisions.js';

const sample = decode(GameChanged, readFileSync(join(import.meta.dirname, '../../../packages/contracts/test/fixtures/game.changed.v1.json'))).game;
const NOW = Date.parse('2026-11-28T19:04:11Z'); // 14:04 in New York
const nfl = { sport: 'football', league: 'nfl' };
const cfb = { sport: 'football', league: 'college-football' };
const rec = (over: Partial<GameRecord['game']>, finalAt: string | null = null): GameRecord => ({
  revision: 1,
  seq: 1,
  finalAt,
  game: { ...sample, ...over },
});

describe('planPoll', () => {
  it('asks for yesterday and today in US Eastern time, per league', () => {
    const plan = planPoll({ now: NOW, leagues: [nfl, cfb], records: [], includeFuture: false });
    expect(plan.map((p) => `${p.league.league} ${p.day}`)).toEqual([
      'nfl 2026-11-27',
      'nfl 2026-11-28',
      'college-football 2026-11-27',
      'college-football 2026-11-28',
    ]);
  });

  it('uses the Eastern date after midnight UTC', () => {
    const plan = planPoll({ now: Date.parse('2026-11-29T03:30:00Z'), leagues: [nfl], records: [], includeFuture: false });
    expect(plan.map((p) => p.day)).toEqual(['2026-11-27', '2026-11-28']);
  });

  it('adds the day of each game that went final in the last 72 hours, in its own league', () => {
    const records = [
      rec({ league: 'nfl', kickoff: '2026-11-26T18:00:00.000Z' }, '2026-11-26T21:30:00.000Z'),
      rec({ league: 'nfl', kickoff: '2026-11-20T18:00:00.000Z' }, '2026-11-20T21:30:00.000Z'), // too old
      rec({ league: 'college-football', kickoff: '2026-11-25T23:00:00.000Z' }, '2026-11-26T02:00:00.000Z'),
    ];
    const plan = planPoll({ now: NOW, leagues: [nfl], records, includeFuture: false });
    expect(plan.map((p) => p.day)).toEqual(['2026-11-26', '2026-11-27', '2026-11-28']);
  });

  it('adds the next 7 days when they are due', () => {
    const plan = planPoll({ now: NOW, leagues: [nfl], records: [], includeFuture: true });
    expect(plan.filter((p) => p.future).map((p) => p.day)).toEqual([
      '2026-11-29', '2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05',
    ]);
  });
});

describe('summarise', () => {
  it('counts live games of today and yesterday, halftime included', () => {
    const halftime = { ...sample.status, name: 'STATUS_HALFTIME' };
    const records = [
      rec({ id: '1', league: 'nfl', kickoff: '2026-11-28T18:00:00.000Z' }),
      rec({ id: '2', league: 'nfl', kickoff: '2026-11-28T18:00:00.000Z', status: halftime }),
      rec({ id: '3', league: 'nfl', kickoff: '2026-11-20T18:00:00.000Z' }), // stuck "in" a week ago
      rec({ id: '4', league: 'college-football', kickoff: '2026-11-28T18:00:00.000Z' }), // not polled
    ];
    expect(summarise({ now: NOW, leagues: [nfl], records }).liveGameCount).toBe(2);
  });

  it('finds the next kickoff, ignoring postponed games', () => {
    const pre = { ...sample.status, state: 'pre' as const, name: 'STATUS_SCHEDULED', completed: false };
    const postponed = { ...pre, name: 'STATUS_POSTPONED' };
    const records = [
      rec({ id: '1', league: 'nfl', kickoff: '2026-11-29T18:00:00.000Z', status: pre }),
      rec({ id: '2', league: 'nfl', kickoff: '2026-11-28T20:00:00.000Z', status: postponed }),
      rec({ id: '3', league: 'nfl', kickoff: '2026-11-29T01:15:00.000Z', status: pre }),
      rec({ id: '4', league: 'nfl', kickoff: '2026-11-28T06:00:00.000Z', status: pre }), // still pre 13 h on: stale
    ];
    expect(summarise({ now: NOW, leagues: [nfl], records }).nextKickoff).toBe('2026-11-29T01:15:00.000Z');
  });

  describe('a delayed start (still pre after its kickoff)', () => {
    const pre = { ...sample.status, state: 'pre' as const, name: 'STATUS_SCHEDULED', completed: false };
    const delayed = { ...pre, name: 'STATUS_DELAYED' };
    const tomorrow = rec({ id: '1', league: 'nfl', kickoff: '2026-11-29T18:00:00.000Z', status: pre });
    const next = (records: GameRecord[], now = NOW) => summarise({ now, leagues: [nfl], records }).nextKickoff;

    it.each([
      ['scheduled, kickoff 4 minutes ago', pre, '2026-11-28T19:00:00.000Z'],
      ['delayed, kickoff 1 hour ago', delayed, '2026-11-28T18:00:00.000Z'],
      ['scheduled, kickoff 11 h 59 min ago', pre, '2026-11-28T07:05:00.000Z'],
    ])('stays the next kickoff, in the past, before a later game: %s', (_what, status, kickoff) => {
      expect(next([tomorrow, rec({ id: '2', league: 'nfl', kickoff, status })])).toBe(kickoff);
    });

    it('is the next kickoff even when no other game is known (the scheduler would otherwise sleep an hour)', () => {
      expect(next([rec({ id: '2', league: 'nfl', kickoff: '2026-11-28T18:30:00.000Z', status: delayed })])).toBe('2026-11-28T18:30:00.000Z');
    });

    it('is stale data, not a kickoff, once its kickoff is more than 12 hours past', () => {
      const stale = rec({ id: '2', league: 'nfl', kickoff: '2026-11-28T07:04:00.000Z', status: pre }); // 12 h 0 min 11 s
      expect(next([tomorrow, stale])).toBe('2026-11-29T18:00:00.000Z');
      expect(next([stale])).toBeNull();
    });

    it('never counts a postponed game, nor a game of a league not polled', () => {
      const postponed = { ...pre, name: 'STATUS_POSTPONED' };
      expect(next([rec({ id: '2', league: 'nfl', kickoff: '2026-11-28T18:00:00.000Z', status: postponed })])).toBeNull();
      expect(next([rec({ id: '3', league: 'college-football', kickoff: '2026-11-28T18:00:00.000Z', status: delayed })])).toBeNull();
    });
  });
});

describe('mapLimit', () => {
  it('keeps the order of results and never runs more than the limit', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, n));
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });
});
