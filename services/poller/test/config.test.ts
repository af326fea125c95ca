import { describe, expect, it } from 'vitest';
import { ConfigError } from '@scores/service-kit';
import { loadConfig } from '../src/config.js';
import { scoreboardUrl } from '../src/espn/client.js';

describe('poller config', () => {
  it('has the SPEC defaults', () => {
    const c = loadConfig({});
    expect(c.espn.baseUrl).toBe('https://site.api.espn.com/apis/site/v2/sports');
    expect(c.espn.leagues).toEqual([{ sport: 'football', league: 'college-football' }]);
    expect(c.espn.timeoutMs).toBe(5000);
    expect(c.espn.userAgent).toMatch(/^scores\/\d+\.\d+\.\d+ \(\+https:\/\/.+\)$/);
    expect(c.minGapS).toBe(30);
    expect(c.breaker).toEqual({ failures: 5, openS: 300 });
  });

  it('reads comma-separated leagues', () => {
    expect(loadConfig({ ESPN_LEAGUES: 'football/nfl, football/college-football' }).espn.leagues).toHaveLength(2);
  });

  it('names every bad variable at once', () => {
    const env = {
      ESPN_LEAGUES: 'nfl',
      ESPN_TIMEOUT_MS: 'fast',
      ESPN_BASE_URL: 'ftp://espn',
      ESPN_USER_AGENT: 'Mozilla/5.0',
      BREAKER_FAILURES: '0',
      POLL_MIN_GAP_S: '-1',
    };
    let message = '';
    try {
      loadConfig(env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    for (const name of Object.keys(env)) expect(message).toContain(name);
  });
});

describe('ESPN URLs', () => {
  it('asks for one day with limit 500, and all of FBS for college football', () => {
    expect(scoreboardUrl('https://x/apis/site/v2/sports', { sport: 'football', league: 'nfl' }, '2026-11-28')).toBe(
      'https://x/apis/site/v2/sports/football/nfl/scoreboard?dates=20261128&limit=500',
    );
    expect(scoreboardUrl('https://x', { sport: 'football', league: 'college-football' }, '2026-11-28')).toMatch(/&groups=80$/);
  });
});
