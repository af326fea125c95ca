import { describe, expect, it } from 'vitest';
import { ConfigError } from '@scores/service-kit';
import { loadConfig } from '../src/index.js';

describe('loadConfig', () => {
  it('defaults to Redis DB 1 on localhost and a 30 s refresh', () => {
    const cfg = loadConfig({});
    expect(cfg.redisUrl).toBe('redis://127.0.0.1:6379/1');
    expect(cfg.refreshS).toBe(30);
    expect(cfg.common.namespace).toBe('scores');
  });

  it('keeps a password in REDIS_URL', () => {
    expect(loadConfig({ REDIS_URL: 'redis://:s3cret@cache:6380/2' }).redisUrl).toBe('redis://:s3cret@cache:6380/2');
  });

  it('names every bad variable at once', () => {
    let err: unknown;
    try {
      loadConfig({ REDIS_URL: 'http://x', CACHE_REFRESH_S: '600', NAMESPACE: 'a.b' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    expect(problems).toMatch(/REDIS_URL/);
    expect(problems).toMatch(/CACHE_REFRESH_S/);
    expect(problems).toMatch(/NAMESPACE/);
  });

  it('refuses a refresh period a game key would not survive', () => {
    expect(() => loadConfig({ CACHE_REFRESH_S: '120' })).toThrow(/CACHE_REFRESH_S/);
    expect(() => loadConfig({ CACHE_REFRESH_S: '0' })).toThrow(/CACHE_REFRESH_S/);
  });

  it('refuses a REDIS_URL whose path is not a database number', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379/cache' })).toThrow(/database number/);
  });
});
