import { describe, expect, it } from 'vitest';
import { redisKeys, REDIS_TTL_S } from '../src/index.js';

describe('redis keys', () => {
  it('builds every SPEC key from the namespace', () => {
    const k = redisKeys('scores');
    expect(k.game('401520281')).toBe('scores:game:401520281');
    expect(k.liveState).toBe('scores:live_state');
    expect(k.circuitBreaker).toBe('scores:circuit_breaker');
    expect(k.lastPoll).toBe('scores:last_poll');
    expect(k.gamePattern).toBe('scores:game:*');
  });

  it('keeps two namespaces apart', () => {
    expect(redisKeys('a').game('1')).not.toBe(redisKeys('b').game('1'));
    expect(redisKeys('test_1').liveState).toBe('test_1:live_state');
  });

  it('has the TTLs of SPEC.md', () => {
    expect(REDIS_TTL_S).toEqual({ game: 120, liveState: 180, circuitBreaker: 600, lastPoll: 300 });
  });
});
