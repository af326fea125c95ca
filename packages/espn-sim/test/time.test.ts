import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, easternDay, easternInstant, espnDate, scheduledTexts, shiftInstant } from '../src/time.js';

describe('Eastern time', () => {
  it('files a late-night kickoff under its Eastern day, not its UTC day', () => {
    expect(easternDay('2026-11-29T03:30:00Z')).toBe('2026-11-28');
    expect(easternDay('2026-11-29T05:00:00Z')).toBe('2026-11-29');
  });

  it('finds the instant of an Eastern wall time on both sides of DST', () => {
    expect(easternInstant('2026-09-12', 12).toISOString()).toBe('2026-09-12T16:00:00.000Z');
    expect(easternInstant('2026-11-28', 12).toISOString()).toBe('2026-11-28T17:00:00.000Z');
  });

  it('moves an instant by whole days keeping its Eastern time of day across a DST change', () => {
    // 12:00 PM EDT in September stays 12:00 PM, now EST, in November
    const moved = shiftInstant(new Date('2022-09-17T16:00:00Z'), daysBetween('2022-09-17', '2026-11-28'));
    expect(moved.toISOString()).toBe('2026-11-28T17:00:00.000Z');
    expect(shiftInstant(new Date('2026-11-29T00:30:00Z'), 1).toISOString()).toBe('2026-11-30T00:30:00.000Z');
  });

  it('writes instants the way ESPN does, to the minute', () => {
    expect(espnDate(new Date('2026-11-28T17:00:00.000Z'))).toBe('2026-11-28T17:00Z');
  });

  it("writes a scheduled game's texts like ESPN", () => {
    expect(scheduledTexts(new Date('2022-09-17T18:00Z'))).toEqual({ detail: 'Sat, September 17th at 2:00 PM EDT', shortDetail: '9/17 - 2:00 PM EDT' });
    expect(scheduledTexts(new Date('2025-11-21T01:15Z'))).toEqual({ detail: 'Thu, November 20th at 8:15 PM EST', shortDetail: '11/20 - 8:15 PM EST' });
    expect(scheduledTexts(new Date('2025-11-23T18:00Z')).detail).toBe('Sun, November 23rd at 1:00 PM EST');
  });

  it('counts calendar days', () => {
    expect(daysBetween('2026-11-28', '2026-12-01')).toBe(3);
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });
});
