import { describe, expect, it } from 'vitest';
import { GameSnapshot, type GameUpdate } from '../src/index.js';
import { game } from './fixtures.js';

describe('game snapshot', () => {
  it('keeps the highest revision whatever order revisions arrive in, and tells listeners only of news', () => {
    const s = new GameSnapshot();
    const seen: GameUpdate[] = [];
    s.onChange((u) => seen.push(u));
    s.apply(game({ id: 'a', kickoff: '2026-11-28T17:00:00Z', revision: 3 }), 30);
    expect(s.apply(game({ id: 'a', kickoff: '2026-11-28T17:00:00Z', revision: 2 }), 20)).toBeUndefined();
    expect(s.apply(game({ id: 'a', kickoff: '2026-11-28T17:00:00Z', revision: 3 }), 31)).toBeUndefined();
    const u = s.apply(game({ id: 'a', kickoff: '2026-11-28T17:00:00Z', revision: 4, phase: 'in' }), 40);
    expect(u?.previous?.game.revision).toBe(3);
    expect(s.get('a')?.game.revision).toBe(4);
    expect(s.get('a')?.seq).toBe(40);
    expect(seen.map((x) => x.entry.game.revision)).toEqual([3, 4]);
    expect(s.position).toBe(40);
    expect(s.version).toBe(2);
  });

  it('records the stream sequence of a revision first known from Postgres', () => {
    const s = new GameSnapshot();
    s.apply(game({ id: 'a', kickoff: '2026-11-28T17:00:00Z', revision: 5 }), 0);
    const v = s.version;
    s.apply(game({ id: 'a', kickoff: '2026-11-28T17:00:00Z', revision: 5 }), 77);
    expect(s.get('a')?.seq).toBe(77);
    expect(s.version).toBe(v);
  });

  it('counts live games as they start and end', () => {
    const s = new GameSnapshot();
    s.apply(game({ id: 'a', kickoff: '2026-11-28T17:00:00Z', phase: 'pre' }), 1);
    s.apply(game({ id: 'b', kickoff: '2026-11-28T17:00:00Z', phase: 'in' }), 2);
    expect(s.liveCount).toBe(1);
    s.apply(game({ id: 'a', kickoff: '2026-11-28T17:00:00Z', phase: 'in', revision: 2 }), 3);
    expect(s.liveCount).toBe(2);
    s.apply(game({ id: 'b', kickoff: '2026-11-28T17:00:00Z', phase: 'final', revision: 2 }), 4);
    expect(s.liveCount).toBe(1);
  });

  it('lists games by kickoff then id, also after a kickoff moves', () => {
    const s = new GameSnapshot();
    s.apply(game({ id: 'b', kickoff: '2026-11-28T17:00:00Z' }), 1);
    s.apply(game({ id: 'a', kickoff: '2026-11-28T17:00:00Z' }), 2);
    s.apply(game({ id: 'c', kickoff: '2026-11-28T12:00:00Z' }), 3);
    expect(s.entries().map((e) => e.game.id)).toEqual(['c', 'a', 'b']);
    s.apply(game({ id: 'b', kickoff: '2026-11-28T17:00:00Z', revision: 2, phase: 'in' }), 4);
    expect(s.entries().map((e) => `${e.game.id}${e.game.revision}`)).toEqual(['c1', 'a1', 'b2']);
    s.apply(game({ id: 'c', kickoff: '2026-11-29T12:00:00Z', revision: 2 }), 5);
    expect(s.entries().map((e) => e.game.id)).toEqual(['a', 'b', 'c']);
  });

  it('files a game under the US Eastern day of its kickoff', () => {
    const s = new GameSnapshot();
    // 02:00 UTC on the 29th is 21:00 Eastern on the 28th
    s.apply(game({ id: 'late', kickoff: '2026-11-29T02:00:00Z' }), 1);
    expect(s.get('late')?.day).toBe('2026-11-28');
  });
});
