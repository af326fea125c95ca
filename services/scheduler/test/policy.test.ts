import { describe, expect, it } from 'vitest';
import { decide, intervalFor } from '../src/policy.js';

const cfg = { liveS: 60, idleS: 300, offseasonS: 3600 };
const at = (iso: string) => Date.parse(iso);
const NOW = at('2026-11-28T19:04:11.201Z');

describe('interval policy', () => {
  it('polls every 60 s while games are live', () => {
    expect(intervalFor({ hasLiveGames: true, nextKickoff: null }, NOW, cfg)).toEqual({ intervalS: 60, reason: 'live' });
  });

  it('polls every 300 s with no live game but one in the next 7 days', () => {
    expect(intervalFor({ hasLiveGames: false, nextKickoff: '2026-12-01T01:00:00Z' }, NOW, cfg)).toEqual({ intervalS: 300, reason: 'idle' });
  });

  it('polls hourly in the offseason (no game in the next 7 days)', () => {
    expect(intervalFor({ hasLiveGames: false, nextKickoff: '2026-12-06T19:04:12Z' }, NOW, cfg).reason).toBe('offseason');
    expect(intervalFor({ hasLiveGames: false, nextKickoff: null }, NOW, cfg)).toEqual({ intervalS: 3600, reason: 'offseason' });
  });

  it('polls at the live pace until it has heard from a poll', () => {
    expect(intervalFor(undefined, NOW, cfg)).toEqual({ intervalS: 60, reason: 'unknown' });
  });

  it.each([
    ['just now', '2026-11-28T19:04:11.201Z'],
    ['4 minutes ago', '2026-11-28T19:00:00Z'],
    ['2 hours ago', '2026-11-28T17:04:11Z'],
    ['exactly 12 hours ago', '2026-11-28T07:04:11.201Z'],
  ])('polls at the live pace for a kickoff that came %s with no game live yet (a delayed start)', (_when, kickoff) => {
    expect(intervalFor({ hasLiveGames: false, nextKickoff: kickoff }, NOW, cfg)).toEqual({ intervalS: 60, reason: 'kickoff' });
  });

  it('never sleeps through the offseason interval for a kickoff that came less than 12 hours ago', () => {
    for (let agoMin = 0; agoMin <= 12 * 60; agoMin += 7) {
      const kickoff = new Date(NOW - agoMin * 60_000).toISOString();
      expect(intervalFor({ hasLiveGames: false, nextKickoff: kickoff }, NOW, cfg).intervalS).toBe(60);
    }
  });

  it('takes a kickoff more than 12 hours past as stale, not imminent: the idle pace, as before', () => {
    expect(intervalFor({ hasLiveGames: false, nextKickoff: '2026-11-28T07:04:11.200Z' }, NOW, cfg)).toEqual({ intervalS: 300, reason: 'idle' });
    expect(intervalFor({ hasLiveGames: false, nextKickoff: '2026-11-20T00:00:00Z' }, NOW, cfg)).toEqual({ intervalS: 300, reason: 'idle' });
  });

  it('honours configured intervals', () => {
    expect(intervalFor({ hasLiveGames: true, nextKickoff: null }, NOW, { ...cfg, liveS: 15 }).intervalS).toBe(15);
  });
});

describe('slots', () => {
  it('aligns slots to the epoch so every replica picks the same one', () => {
    const d = decide({ hasLiveGames: true, nextKickoff: null }, NOW, cfg);
    expect(new Date(d.nextSlotMs).toISOString()).toBe('2026-11-28T19:05:00.000Z');
    expect(decide({ hasLiveGames: true, nextKickoff: null }, NOW + 30_000, cfg).nextSlotMs).toBe(d.nextSlotMs);
  });

  it('ticks strictly after now, even exactly on a boundary', () => {
    const d = decide({ hasLiveGames: true, nextKickoff: null }, at('2026-11-28T19:05:00.000Z'), cfg);
    expect(new Date(d.nextSlotMs).toISOString()).toBe('2026-11-28T19:06:00.000Z');
  });

  it('idle slots are also live slots, so replicas that disagree for a moment still dedup', () => {
    const idle = decide({ hasLiveGames: false, nextKickoff: '2026-11-30T00:00:00Z' }, NOW, cfg);
    expect(new Date(idle.nextSlotMs).toISOString()).toBe('2026-11-28T19:05:00.000Z');
    expect(idle.nextSlotMs % 60_000).toBe(0);
  });

  it('wakes for the next kickoff instead of sleeping past it', () => {
    const d = decide({ hasLiveGames: false, nextKickoff: '2026-11-28T19:30:00Z' }, at('2026-11-28T19:01:00Z'), {
      ...cfg,
      idleS: 3600,
    });
    expect(d.reason).toBe('kickoff');
    expect(new Date(d.nextSlotMs).toISOString()).toBe('2026-11-28T19:30:00.000Z');
  });

  it('wakes at the first live slot at or after an off-minute kickoff', () => {
    const d = decide({ hasLiveGames: false, nextKickoff: '2026-11-28T19:02:30Z' }, at('2026-11-28T19:01:00Z'), cfg);
    expect(new Date(d.nextSlotMs).toISOString()).toBe('2026-11-28T19:03:00.000Z');
  });

  it('does not wake for a kickoff that comes after the next slot anyway', () => {
    const d = decide({ hasLiveGames: false, nextKickoff: '2026-11-28T20:00:00Z' }, NOW, cfg);
    expect(d.reason).toBe('idle');
    expect(new Date(d.nextSlotMs).toISOString()).toBe('2026-11-28T19:05:00.000Z');
  });

  it('ticks at the next live slot while a game is late to start', () => {
    const d = decide({ hasLiveGames: false, nextKickoff: '2026-11-28T18:30:00Z' }, NOW, cfg);
    expect(d).toMatchObject({ intervalS: 60, reason: 'kickoff' });
    expect(new Date(d.nextSlotMs).toISOString()).toBe('2026-11-28T19:05:00.000Z');
  });

  it('sleeps an hour in the offseason, aligned to the hour', () => {
    const d = decide({ hasLiveGames: false, nextKickoff: null }, NOW, cfg);
    expect(new Date(d.nextSlotMs).toISOString()).toBe('2026-11-28T20:00:00.000Z');
  });
});
