import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/http/errors.js';
import { decodeCursor, pageOf, resolveFilter, dayRange } from '../src/games/query.js';
import { GameSnapshot } from '../src/index.js';
import { game } from './fixtures.js';

const TODAY = '2026-11-28';

function snapshotOf(...games: ReturnType<typeof game>[]) {
  const s = new GameSnapshot();
  games.forEach((g, i) => s.apply(g, i + 1));
  return s;
}

const ids = (p: { entries: { game: { id: string } }[] }) => p.entries.map((e) => e.game.id);

const badParam = (fn: () => unknown, name: string) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    expect((err as ApiError).message).toContain(`"${name}"`);
    return;
  }
  throw new Error('no error');
};

describe('game filters', () => {
  const s = snapshotOf(
    game({ id: 'two-days-ago', kickoff: '2026-11-26T18:00:00Z', phase: 'final' }),
    game({ id: 'yesterday', kickoff: '2026-11-27T18:00:00Z', phase: 'final' }),
    // 00:30 UTC on the 29th is still the 28th in Eastern time
    game({ id: 'tonight', kickoff: '2026-11-29T00:30:00Z', phase: 'pre', league: 'nfl', home: { teamId: '1', abbreviation: 'ATL' }, away: { teamId: '2', abbreviation: 'BUF' } }),
    game({ id: 'now', kickoff: '2026-11-28T17:00:00Z', phase: 'in' }),
    game({ id: 'in-a-week', kickoff: '2026-12-05T18:00:00Z' }),
    game({ id: 'in-8-days', kickoff: '2026-12-06T18:00:00Z' }),
  );

  it('without filters covers yesterday through the next 7 days (US Eastern)', () => {
    expect(dayRange(resolveFilter({}), TODAY)).toEqual({ from: '2026-11-27', to: '2026-12-05' });
    expect(ids(pageOf(s.entries(), resolveFilter({}), TODAY, 100))).toEqual(['yesterday', 'now', 'tonight', 'in-a-week']);
  });

  it('narrows to one Eastern day, a range, or an open-ended range', () => {
    expect(ids(pageOf(s.entries(), resolveFilter({ date: '2026-11-28' }), TODAY, 100))).toEqual(['now', 'tonight']);
    expect(ids(pageOf(s.entries(), resolveFilter({ from: '2026-11-26', to: '2026-11-27' }), TODAY, 100))).toEqual(['two-days-ago', 'yesterday']);
    expect(ids(pageOf(s.entries(), resolveFilter({ from: '2026-12-01' }), TODAY, 100))).toEqual(['in-a-week', 'in-8-days']);
    expect(ids(pageOf(s.entries(), resolveFilter({ to: '2026-11-26' }), TODAY, 100))).toEqual(['two-days-ago']);
  });

  it('filters by state, live, team (abbreviation any case, or id) and league', () => {
    const all = { from: '2026-01-01' };
    expect(ids(pageOf(s.entries(), resolveFilter({ ...all, status: 'post' }), TODAY, 100))).toEqual(['two-days-ago', 'yesterday']);
    expect(ids(pageOf(s.entries(), resolveFilter({ ...all, live: true }), TODAY, 100))).toEqual(['now']);
    expect(ids(pageOf(s.entries(), resolveFilter({ ...all, live: false }), TODAY, 100))).toHaveLength(5);
    expect(ids(pageOf(s.entries(), resolveFilter({ ...all, team: 'buf' }), TODAY, 100))).toEqual(['tonight']);
    expect(ids(pageOf(s.entries(), resolveFilter({ ...all, team: '1' }), TODAY, 100))).toEqual(['tonight']);
    expect(ids(pageOf(s.entries(), resolveFilter({ ...all, league: 'football/nfl' }), TODAY, 100))).toEqual(['tonight']);
    expect(ids(pageOf(s.entries(), resolveFilter({ ...all, league: 'basketball/nfl' }), TODAY, 100))).toEqual([]);
  });

  it('matches league and team abbreviation in any case, team ids as given', () => {
    const all = { from: '2026-01-01' };
    expect(ids(pageOf(s.entries(), resolveFilter({ ...all, league: 'Football/NFL' }), TODAY))).toEqual(['tonight']);
    expect(ids(pageOf(s.entries(), resolveFilter({ ...all, league: 'FOOTBALL/nfl' }), TODAY))).toEqual(['tonight']);
    expect(ids(pageOf(s.entries(), resolveFilter({ ...all, team: 'Buf' }), TODAY))).toEqual(['tonight']);
    expect(ids(pageOf(s.entries(), resolveFilter({ ...all, team: ' 2 ' }), TODAY))).toEqual(['tonight']);
    // a game filed under a mixed-case path (the contract allows it) is found as well
    const mixed = snapshotOf(game({ id: 'mixed', kickoff: '2026-11-28T17:00:00Z', league: 'NFL' }));
    expect(ids(pageOf(mixed.entries(), resolveFilter({ ...all, league: 'football/nfl' }), TODAY))).toEqual(['mixed']);
    badParam(() => resolveFilter({ team: '   ' }), 'team');
  });

  it('without a limit, answers every matching game and no cursor', () => {
    const many = snapshotOf(...Array.from({ length: 1500 }, (_, i) => game({ id: `g${i}`, kickoff: Date.parse('2026-11-28T17:00:00Z') + i * 1000 })));
    const page = pageOf(many.entries(), resolveFilter({ date: '2026-11-28' }), TODAY);
    expect(page.entries).toHaveLength(1500);
    expect(page.nextCursor).toBeNull();
  });

  it('pages with a cursor that stays valid when games are added before it', () => {
    const all = resolveFilter({ from: '2026-01-01' });
    const first = pageOf(s.entries(), all, TODAY, 2);
    expect(ids(first)).toEqual(['two-days-ago', 'yesterday']);
    expect(first.nextCursor).not.toBeNull();
    s.apply(game({ id: 'earlier', kickoff: '2026-11-20T18:00:00Z' }), 99);
    const second = pageOf(s.entries(), all, TODAY, 2, decodeCursor(first.nextCursor!));
    expect(ids(second)).toEqual(['now', 'tonight']);
    const third = pageOf(s.entries(), all, TODAY, 2, decodeCursor(second.nextCursor!));
    expect(ids(third)).toEqual(['in-a-week', 'in-8-days']);
    expect(third.nextCursor).toBeNull();
  });

  it('refuses impossible days, mixed day filters, a reversed range and a forged cursor, naming the parameter', () => {
    badParam(() => resolveFilter({ date: '2026-02-30' }), 'date');
    badParam(() => resolveFilter({ from: '2026-13-01' }), 'from');
    badParam(() => resolveFilter({ to: '2026-00-10' }), 'to');
    badParam(() => resolveFilter({ date: '2026-11-28', from: '2026-11-27' }), 'date');
    badParam(() => resolveFilter({ from: '2026-11-28', to: '2026-11-27' }), 'from');
    badParam(() => decodeCursor('not-a-cursor'), 'cursor');
    badParam(() => decodeCursor(Buffer.from('["yesterday","x"]').toString('base64url')), 'cursor');
  });
});
