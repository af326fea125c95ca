import { describe, expect, it } from 'vitest';
import { ResponseCache, type Cached } from '../src/http/response-cache.js';

const answer = (bytes: number): Cached => ({ body: Buffer.alloc(bytes), etag: '"x"', cacheControl: 'public, max-age=60' });

describe('the response cache', () => {
  it('keeps answers until the snapshot, the meta or the day changes', () => {
    const cache = new ResponseCache();
    const a = answer(10);
    expect(cache.get(1, 1, '2026-11-28', '/api/games')).toBeUndefined();
    cache.set('/api/games', a);
    expect(cache.get(1, 1, '2026-11-28', '/api/games')).toBe(a);
    expect(cache.get(2, 1, '2026-11-28', '/api/games')).toBeUndefined();
    cache.set('/api/games', a);
    expect(cache.get(2, 2, '2026-11-28', '/api/games')).toBeUndefined();
    cache.set('/api/games', a);
    expect(cache.get(2, 2, '2026-11-29', '/api/games')).toBeUndefined();
  });

  it('is bounded in bytes as well as entries: unlimited lists can be large', () => {
    const cache = new ResponseCache({ entries: 10, bytes: 100 });
    cache.get(1, 1, 'd', 'a');
    cache.set('a', answer(60));
    cache.set('b', answer(30));
    expect(cache.size).toBe(2);
    // 60 + 30 + 20 > 100: the cache starts over rather than grow past its budget
    cache.set('c', answer(20));
    expect([cache.get(1, 1, 'd', 'a'), cache.get(1, 1, 'd', 'c')?.body.length]).toEqual([undefined, 20]);
    // bigger than the whole budget: served, never kept
    const huge = answer(101);
    expect(cache.set('huge', huge)).toBe(huge);
    expect(cache.get(1, 1, 'd', 'huge')).toBeUndefined();
    expect(cache.get(1, 1, 'd', 'c')).toBeDefined();
  });

  it('starts over once it holds its number of entries', () => {
    const cache = new ResponseCache({ entries: 2, bytes: 1000 });
    cache.get(1, 1, 'd', 'a');
    cache.set('a', answer(1));
    cache.set('b', answer(1));
    cache.set('c', answer(1));
    expect(cache.size).toBe(1);
    expect(cache.get(1, 1, 'd', 'c')).toBeDefined();
  });
});
