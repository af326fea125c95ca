import { describe, expect, it } from 'vitest';
import { makeEvent } from '../src/events.js';
import { applyDrift, FaultQueue, validateFault } from '../src/faults.js';

const body = () => ({
  leagues: [],
  events: [makeEvent({ id: '1', league: 'football/nfl', date: '2026-11-29T18:00Z', home: { id: '12', abbreviation: 'KC', score: 21 }, away: { id: '1', abbreviation: 'ATL', score: 17 } })],
});

describe('validateFault', () => {
  it('fills in times = 1 and keeps the rest', () => {
    expect(validateFault({ kind: 'status', status: 429, retryAfterS: 30 }, { allowMutate: false })).toEqual({ kind: 'status', status: 429, retryAfterS: 30, times: 1 });
    expect(validateFault({ kind: 'hang', times: 'Infinity', match: { league: 'football/nfl' } }, { allowMutate: false })).toEqual({ kind: 'hang', times: Infinity, match: { league: 'football/nfl' } });
  });

  it.each([
    [{ kind: 'explode' }, /kind must be one of/],
    [{ kind: 'status' }, /HTTP status code/],
    [{ kind: 'status', status: 700 }, /HTTP status code/],
    [{ kind: 'status', status: 429, retryAfterS: -1 }, /retryAfterS/],
    [{ kind: 'slow' }, /ms must be/],
    [{ kind: 'hang', ms: -5 }, /ms must be/],
    [{ kind: 'limit25', times: 0 }, /times must be/],
    [{ kind: 'limit25', times: 1.5 }, /times must be/],
    [{ kind: 'drift', variant: 'everything' }, /variant must be one of/],
    [{ kind: 'malformed', match: { sport: 'football' } }, /unknown key/],
    [{ kind: 'malformed', match: { league: 'nfl' } }, /sport\/league/],
    [{ kind: 'mutate', mutate: () => 1 }, /only available in-process/],
    ['status', /object with a kind/],
  ])('refuses %j', (input, message) => {
    expect(() => validateFault(input, { allowMutate: false })).toThrow(message);
  });

  it('accepts a mutate function in-process only', () => {
    expect(validateFault({ kind: 'mutate', mutate: (b: unknown) => b }, { allowMutate: true }).kind).toBe('mutate');
    expect(() => validateFault({ kind: 'mutate', mutate: 'x' }, { allowMutate: true })).toThrow(/function/);
  });
});

describe('FaultQueue', () => {
  const req = { league: 'football/nfl', dates: '20261129' };

  it('applies the first matching fault and spends its times', () => {
    const q = new FaultQueue();
    q.add(validateFault({ kind: 'status', status: 503, times: 2, match: { league: 'football/college-football' } }, { allowMutate: false }));
    q.add(validateFault({ kind: 'malformed', times: 2 }, { allowMutate: false }));
    q.add(validateFault({ kind: 'truncated' }, { allowMutate: false }));
    expect(q.take(req)?.kind).toBe('malformed');
    expect(q.take(req)?.kind).toBe('malformed');
    expect(q.take(req)?.kind).toBe('truncated');
    expect(q.take(req)).toBeNull();
    expect(q.take({ league: 'football/college-football', dates: '20261128' })?.kind).toBe('status');
    expect(q.size).toBe(1);
  });

  it('matches on dates as well as league', () => {
    const q = new FaultQueue();
    q.add(validateFault({ kind: 'reset', match: { league: 'football/nfl', dates: '20261128' } }, { allowMutate: false }));
    expect(q.take(req)).toBeNull();
    expect(q.take({ league: 'football/nfl', dates: '20261128' })?.kind).toBe('reset');
  });

  it('keeps an Infinity fault until cleared', () => {
    const q = new FaultQueue();
    q.add(validateFault({ kind: 'limit25', times: Infinity }, { allowMutate: false }));
    for (let i = 0; i < 100; i++) expect(q.take(req)?.kind).toBe('limit25');
    expect(q.describe()).toEqual([{ kind: 'limit25', times: 'Infinity' }]);
    expect(q.clear()).toBe(1);
    expect(q.take(req)).toBeNull();
  });
});

describe('applyDrift', () => {
  it('turns string scores into numbers', () => {
    const out = applyDrift('scores-as-numbers', body()) as ReturnType<typeof body>;
    expect(out.events[0]!.competitions[0]!.competitors.map((c) => c.score)).toEqual([21, 17]);
  });

  it('renames competitors to participants', () => {
    const c = (applyDrift('renamed-competitors', body()) as { events: { competitions: Record<string, unknown>[] }[] }).events[0]!.competitions[0]!;
    expect(c.competitors).toBeUndefined();
    expect(Array.isArray(c.participants)).toBe(true);
  });

  it('drops the status blocks', () => {
    const e = (applyDrift('missing-status', body()) as ReturnType<typeof body>).events[0]!;
    expect(e.status).toBeUndefined();
    expect(e.competitions[0]!.status).toBeUndefined();
  });

  it('nests the scoreboard one level down, as the web API does', () => {
    const b = body();
    expect(applyDrift('extra-nesting', b)).toEqual({ content: { sbData: b } });
  });
});
