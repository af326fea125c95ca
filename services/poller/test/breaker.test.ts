import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BreakerChanged } from '@scores/contracts';
import { BreakerOpenError, createPollBreaker, memoryBreakerStore, type PollBreaker } from '../src/breaker.js';

const ok = () => Promise.resolve('polled');
const boom = () => Promise.reject(new Error('ESPN answered 500'));

describe('poll breaker on fake time', () => {
  let transitions: BreakerChanged[];
  let store: ReturnType<typeof memoryBreakerStore>;
  let breaker: PollBreaker;
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-11-28T19:00:00Z') });
    transitions = [];
    store = memoryBreakerStore();
    breaker = createPollBreaker({ failures: 3, openS: 300, store, onTransition: (t) => transitions.push(t) });
  });
  afterEach(() => {
    breaker.dispose();
    vi.useRealTimers();
  });

  it('stays closed while fewer than BREAKER_FAILURES polls in a row fail', async () => {
    await expect(breaker.run(boom)).rejects.toThrow('500');
    await expect(breaker.run(boom)).rejects.toThrow('500');
    await expect(breaker.run(ok)).resolves.toBe('polled');
    await expect(breaker.run(boom)).rejects.toThrow('500');
    await expect(breaker.run(boom)).rejects.toThrow('500');
    expect(transitions).toEqual([]);
    expect((await breaker.snapshot()).failures).toBe(2);
  });

  it('opens after BREAKER_FAILURES failed polls in a row and refuses polls while open', async () => {
    for (let i = 0; i < 3; i++) await expect(breaker.run(boom)).rejects.toThrow('500');
    expect(transitions).toHaveLength(1);
    expect(transitions[0]).toMatchObject({
      state: 'open',
      failures: 3,
      openedAt: '2026-11-28T19:00:00.000Z',
      retryAt: '2026-11-28T19:05:00.000Z',
    });
    const poll = vi.fn(ok);
    await expect(breaker.run(poll)).rejects.toBeInstanceOf(BreakerOpenError);
    expect(poll).not.toHaveBeenCalled();
  });

  it('goes half-open after BREAKER_OPEN_S, and one successful poll closes it', async () => {
    for (let i = 0; i < 3; i++) await expect(breaker.run(boom)).rejects.toThrow();
    await vi.advanceTimersByTimeAsync(299_000);
    await expect(breaker.run(ok)).rejects.toBeInstanceOf(BreakerOpenError);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(transitions.map((t) => t.state)).toEqual(['open', 'half-open']);
    await expect(breaker.run(ok)).resolves.toBe('polled');
    expect(transitions.map((t) => t.state)).toEqual(['open', 'half-open', 'closed']);
    expect(transitions[2]).toMatchObject({ failures: 0, openedAt: null, retryAt: null });
  });

  it('a failed trial poll in half-open opens it again for another period', async () => {
    for (let i = 0; i < 3; i++) await expect(breaker.run(boom)).rejects.toThrow();
    await vi.advanceTimersByTimeAsync(300_000);
    await expect(breaker.run(boom)).rejects.toThrow('500');
    expect(transitions.map((t) => t.state)).toEqual(['open', 'half-open', 'open']);
    expect(transitions[2]!.retryAt).toBe('2026-11-28T19:10:00.000Z');
    await expect(breaker.run(ok)).rejects.toBeInstanceOf(BreakerOpenError);
  });

  it('is shared: a replica that did not open it refuses polls, and half-opens it once the period is over', async () => {
    const other = createPollBreaker({ failures: 3, openS: 300, store });
    try {
      for (let i = 0; i < 3; i++) await expect(breaker.run(boom)).rejects.toThrow();
      const poll = vi.fn(ok);
      await expect(other.run(poll)).rejects.toBeInstanceOf(BreakerOpenError);
      expect(poll).not.toHaveBeenCalled();
      // the replica that opened it is gone: the other must not stay open forever
      breaker.dispose();
      vi.setSystemTime(new Date('2026-11-28T19:05:01Z'));
      await expect(other.run(poll)).resolves.toBe('polled');
      expect((await other.snapshot()).state).toBe('closed');
    } finally {
      other.dispose();
    }
  });

  it('counts failures across replicas', async () => {
    const other = createPollBreaker({ failures: 3, openS: 300, store });
    try {
      await expect(breaker.run(boom)).rejects.toThrow();
      await expect(other.run(boom)).rejects.toThrow();
      await expect(breaker.run(boom)).rejects.toThrow();
      expect((await breaker.snapshot()).state).toBe('open');
      await expect(other.run(ok)).rejects.toBeInstanceOf(BreakerOpenError);
    } finally {
      other.dispose();
    }
  });
});
