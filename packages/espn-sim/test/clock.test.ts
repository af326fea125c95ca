import { describe, expect, it } from 'vitest';
import { SimClock } from '../src/clock.js';

function fakeReal(start = 1_000_000) {
  let now = start;
  return { now: () => now, tick: (ms: number) => (now += ms) };
}

describe('SimClock', () => {
  it('follows real time until it is moved', () => {
    const real = fakeReal();
    const c = new SimClock('real', real.now);
    expect(c.mode).toBe('real');
    real.tick(500);
    expect(c.now().getTime()).toBe(1_000_500);
  });

  it('starts paused at a given instant', () => {
    const real = fakeReal();
    const c = new SimClock(new Date('2026-11-28T17:00:00Z'), real.now);
    real.tick(60_000);
    expect(c.now().toISOString()).toBe('2026-11-28T17:00:00.000Z');
    expect(c.running).toBe(false);
    expect(c.speed).toBe(0);
  });

  it('sets and advances without changing whether it flows', () => {
    const real = fakeReal();
    const c = new SimClock(new Date('2026-11-28T17:00:00Z'), real.now);
    c.advance(90_000);
    expect(c.now().toISOString()).toBe('2026-11-28T17:01:30.000Z');
    c.set('2026-11-28T20:00:00Z');
    real.tick(10_000);
    expect(c.now().toISOString()).toBe('2026-11-28T20:00:00.000Z');

    const r = new SimClock('real', real.now);
    r.set(new Date('2026-11-28T17:00:00Z'));
    real.tick(1000);
    expect(r.now().toISOString()).toBe('2026-11-28T17:00:01.000Z');
    expect(r.mode).toBe('sim');
  });

  it('runs at speed× real time from now, and pauses where it is', () => {
    const real = fakeReal();
    const c = new SimClock(new Date('2026-11-28T17:00:00Z'), real.now);
    c.run(60);
    real.tick(1000);
    expect(c.now().toISOString()).toBe('2026-11-28T17:01:00.000Z');
    expect(c.speed).toBe(60);
    c.pause();
    real.tick(5000);
    expect(c.now().toISOString()).toBe('2026-11-28T17:01:00.000Z');
    c.run();
    real.tick(2000);
    expect(c.now().toISOString()).toBe('2026-11-28T17:01:02.000Z');
  });

  it('refuses nonsense', () => {
    const c = new SimClock(new Date('2026-11-28T17:00:00Z'));
    expect(() => c.set('tomorrow')).toThrow(/not a date/);
    expect(() => c.advance(Number.NaN)).toThrow(/finite/);
    expect(() => c.run(0)).toThrow(/positive/);
    expect(() => new SimClock(new Date('x'))).toThrow(/valid date/);
  });
});
