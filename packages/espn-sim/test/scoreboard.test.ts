import { describe, expect, it } from 'vitest';
import { defaultLeagueMeta, eventCap, parseLimit, parseScoreboardPath, planDates, scoreboardJson, userAgentRefused } from '../src/scoreboard.js';

describe('user agents', () => {
  it.each([null, '', '   ', 'node', 'undici', 'got (https://github.com/sindresorhus/got)', 'node-fetch/1.0 (+https://github.com/bitinn/node-fetch)', 'axios/1.7.2',
    'python-requests/2.31.0', 'curl/8.5.0', 'Go-http-client/1.1', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36'])(
    'refuses %j',
    (ua) => expect(userAgentRefused(ua)).toBe(true),
  );

  it.each(['scores/0.1.0 (+https://github.com/example/scores)', 'scores-bench/1', 'my-poller/2.0'])('accepts %j', (ua) => expect(userAgentRefused(ua)).toBe(false));
});

describe('dates', () => {
  const now = new Date('2026-11-29T03:30:00Z'); // 10:30 PM ET on the 28th

  it('uses the sim clock\'s Eastern day without dates', () => {
    expect(planDates(null, now)).toEqual({ kind: 'day', dates: '20261128' });
    expect(planDates('', now)).toEqual({ kind: 'day', dates: '20261128' });
  });

  it('refuses ranges and impossible days like ESPN', () => {
    expect(planDates('20261128-20261129', now)).toEqual({ kind: 'bad', reason: 'range' });
    expect(planDates('20261128-20261128', now)).toEqual({ kind: 'bad', reason: 'range' });
    expect(planDates('20260230', now)).toEqual({ kind: 'bad', reason: 'invalid' });
    expect(planDates('2026-11-28', now)).toEqual({ kind: 'bad', reason: 'invalid' });
    expect(planDates('202613', now)).toEqual({ kind: 'bad', reason: 'invalid' });
  });

  it('answers a month or a year as ESPN still does', () => {
    expect(planDates('202611', now)).toEqual({ kind: 'prefix', prefix: '202611' });
    expect(planDates('2026', now)).toEqual({ kind: 'prefix', prefix: '2026' });
  });
});

describe('limit', () => {
  it('caps silently at 25 above 500 and not at or below', () => {
    expect(eventCap(501)).toBe(25);
    expect(eventCap(1000)).toBe(25);
    expect(eventCap(500)).toBeNull();
    expect(eventCap(null)).toBeNull();
    expect(parseLimit('500')).toBe(500);
    expect(parseLimit('many')).toBeNull();
  });
});

describe('routes and bodies', () => {
  it('reads sport and league from the scoreboard path', () => {
    expect(parseScoreboardPath('/apis/site/v2/sports/football/college-football/scoreboard')).toEqual({ sport: 'football', league: 'college-football' });
    expect(parseScoreboardPath('/apis/site/v2/sports/football/nfl/summary')).toBeNull();
    expect(parseScoreboardPath('/apis/site/v2/sports/football/scoreboard')).toBeNull();
  });

  it('stitches a body in ESPN key order with the league blocks of a real response', () => {
    const meta = defaultLeagueMeta('football/college-football');
    const text = scoreboardJson(meta, ['{"id":"1"}', '{"id":"2"}'], { day: '2026-11-28', groups: '80' });
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['leagues', 'groups', 'season', 'week', 'day', 'events']);
    expect(body).toMatchObject({ groups: ['80'], day: { date: '2026-11-28' }, events: [{ id: '1' }, { id: '2' }] });
    expect((body.leagues as { slug: string }[])[0]!.slug).toBe('college-football');
  });

  it('gives an unknown league a plain leagues block and an empty day', () => {
    const body = JSON.parse(scoreboardJson(defaultLeagueMeta('curling/world'), [], { day: '2026-11-28' })) as Record<string, unknown>;
    expect(body).toMatchObject({ leagues: [{ slug: 'world' }], day: { date: '2026-11-28' }, events: [] });
  });
});
