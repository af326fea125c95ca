import { ConfigError } from '@scores/service-kit';
import { describe, expect, it } from 'vitest';
import { isAddressOrCidr, loadConfig } from '../src/index.js';

const problems = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('api config', () => {
  it('has the SPEC defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      host: '0.0.0.0',
      port: 3000,
      databaseUrl: 'postgres://127.0.0.1:5432/scores',
      redisUrl: 'redis://127.0.0.1:6379/1',
      rateLimit: { max: 600, windowS: 60, allowlist: [] },
      corsOrigins: [],
      apiKeys: [],
      pollLiveS: 60,
      pollIdleS: 300,
      trustProxy: false,
      bodyLimitBytes: 16 * 1024,
      sse: { heartbeatS: 15 },
    });
  });

  it('reads every variable', () => {
    const c = loadConfig({
      HOST: '127.0.0.1',
      PORT: '8080',
      RATE_LIMIT_MAX: '10',
      RATE_LIMIT_WINDOW_S: '5',
      RATE_LIMIT_ALLOWLIST: '127.0.0.1, 10.0.0.0/8,::1,fd00::/8',
      CORS_ORIGINS: 'https://scores.example,http://localhost:5173',
      API_KEYS: 'aaaaaaaaaaaaaaaa,bbbbbbbbbbbbbbbbbbbb',
      POLL_LIVE_S: '30',
      POLL_IDLE_S: '120',
      TRUST_PROXY: '10.0.0.1,10.1.0.0/16',
    });
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(8080);
    expect(c.rateLimit).toEqual({ max: 10, windowS: 5, allowlist: ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8'] });
    expect(c.corsOrigins).toEqual(['https://scores.example', 'http://localhost:5173']);
    expect(c.apiKeys).toEqual(['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbb']);
    expect([c.pollLiveS, c.pollIdleS]).toEqual([30, 120]);
    expect(c.trustProxy).toEqual(['10.0.0.1', '10.1.0.0/16']);
  });

  it('reads TRUST_PROXY as a switch or a hop count', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: 'off' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false);
  });

  it('names every bad variable at once', () => {
    const p = problems({
      PORT: 'http',
      RATE_LIMIT_MAX: '0',
      RATE_LIMIT_WINDOW_S: '1.5',
      RATE_LIMIT_ALLOWLIST: '10.0.0.0/33,example.com',
      CORS_ORIGINS: 'https://ok.example,https://bad.example/path',
      TRUST_PROXY: 'maybe',
      POLL_LIVE_S: '-1',
      DATABASE_URL: 'mysql://x',
      REDIS_URL: 'nope',
    });
    for (const name of ['PORT', 'RATE_LIMIT_MAX', 'RATE_LIMIT_WINDOW_S', 'RATE_LIMIT_ALLOWLIST', 'CORS_ORIGINS', 'TRUST_PROXY', 'POLL_LIVE_S', 'DATABASE_URL', 'REDIS_URL']) {
      expect(p.some((m) => m.startsWith(name)), name).toBe(true);
    }
    expect(p.find((m) => m.startsWith('RATE_LIMIT_ALLOWLIST'))).toContain('"10.0.0.0/33", "example.com"');
    expect(p.find((m) => m.startsWith('CORS_ORIGINS'))).toContain('https://bad.example/path');
    expect(p.find((m) => m.startsWith('CORS_ORIGINS'))).not.toContain('https://ok.example,');
  });

  it('takes any non-empty API key, trimmed around commas, ignoring empty entries', () => {
    expect(loadConfig({ API_KEYS: ' short , ,k,, long-enough-key-123456 ,' }).apiKeys).toEqual(['short', 'k', 'long-enough-key-123456']);
    // nothing but separators: no key, so the write routes answer 401
    expect(loadConfig({ API_KEYS: ' , ,' }).apiKeys).toEqual([]);
  });

  it('refuses a key holding whitespace or a control character, naming API_KEYS without echoing any key', () => {
    for (const bad of ['inner space', 'tab\there', 'nul\u0000byte']) {
      const p = problems({ API_KEYS: `${bad},other-good-key-xyz` });
      expect(p, JSON.stringify(bad)).toHaveLength(1);
      expect(p[0]).toMatch(/^API_KEYS: 1 key\(s\) holding whitespace/);
      for (const fragment of ['inner', 'tab', 'nul', 'other-good-key-xyz']) expect(p.join(), fragment).not.toContain(fragment);
    }
  });

  it('tells addresses and CIDRs from anything else', () => {
    for (const ok of ['127.0.0.1', '10.0.0.0/8', '0.0.0.0/0', '::1', '2001:db8::/32', '::ffff:10.0.0.1']) expect(isAddressOrCidr(ok), ok).toBe(true);
    for (const bad of ['', 'localhost', '10.0.0.0/', '10.0.0.0/33', '::1/129', '10.0.0.0/8/8', '1.2.3', '10.0.0.0/x']) expect(isAddressOrCidr(bad), bad).toBe(false);
  });
});
