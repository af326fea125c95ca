import { describe, expect, it } from 'vitest';
import { BreakerChanged, check, GameChanged, PollCompleted } from '@scores/contracts';
import { CacheState, FINAL_RETENTION_MS, isCurrent, isFinished, trackedGame } from '../src/state.js';
import { breakerOrderMs, gameValue, lastPollMs, liveStateValue } from '../src/values.js';
import { breakerEvent, gameEvent, pollEvent } from './fixtures.js';

const NOW = Date.parse('2026-11-28T20:00:00.000Z');
const DAY = 24 * 3600_000;

describe('values', () => {
  it('the test events satisfy their contracts', () => {
    for (const phase of ['pre', 'in', 'final', 'postponed'] as const) check(GameChanged, gameEvent({ gameId: '1', revision: 2, phase }));
    check(PollCompleted, pollEvent(NOW, 0));
    check(BreakerChanged, breakerEvent('half-open', NOW, 5));
  });

  it('a game key holds the event game with its revision', () => {
    const ev = gameEvent({ gameId: '1', revision: 7 });
    expect(gameValue(ev)).toEqual({ ...ev.game, revision: 7 });
  });

  it('live_state carries the poll time as lastCheck and last_poll its epoch ms', () => {
    const ev = pollEvent(NOW, 3);
    expect(liveStateValue(ev)).toEqual({ hasLiveGames: true, liveGameCount: 3, lastCheck: '2026-11-28T20:00:00.000Z' });
    expect(lastPollMs(ev)).toBe(NOW);
  });

  it('orders a breaker transition by its own time, else by when the stream stored it', () => {
    expect(breakerOrderMs({ at: '2026-11-28T20:00:00.000Z' }, 5)).toBe(NOW);
    expect(breakerOrderMs({}, 5)).toBe(5);
  });
});

describe('which games are current', () => {
  const tracked = (phase: 'pre' | 'in' | 'final' | 'postponed', ageMs: number) =>
    trackedGame(gameEvent({ gameId: '1', revision: 1, phase, occurredAt: NOW - ageMs }), NOW);

  it('final and void games are finished; live and scheduled ones are not', () => {
    expect(isFinished(tracked('final', 0).value)).toBe(true);
    expect(isFinished(tracked('postponed', 0).value)).toBe(true);
    expect(isFinished(tracked('in', 0).value)).toBe(false);
    expect(isFinished(tracked('pre', 0).value)).toBe(false);
  });

  it('keeps a game final for less than a day', () => {
    expect(isCurrent(tracked('final', FINAL_RETENTION_MS - 1000), NOW)).toBe(true);
  });

  it('drops a game final or void for more than a day', () => {
    expect(isCurrent(tracked('final', FINAL_RETENTION_MS + 1000), NOW)).toBe(false);
    expect(isCurrent(tracked('postponed', 2 * DAY), NOW)).toBe(false);
  });

  it('keeps a game not final however old its last change', () => {
    expect(isCurrent(tracked('in', 3 * DAY), NOW)).toBe(true);
    expect(isCurrent(tracked('pre', 3 * DAY), NOW)).toBe(true);
  });
});

describe('CacheState', () => {
  it('keeps the newest revision whatever the arrival order', () => {
    const s = new CacheState(() => NOW);
    s.applyGame(gameEvent({ gameId: '1', revision: 3 }));
    expect(s.applyGame(gameEvent({ gameId: '1', revision: 2 }))?.value.revision).toBe(3);
    expect(s.applyGame(gameEvent({ gameId: '1', revision: 4 }))?.value.revision).toBe(4);
    expect(s.applyGame(gameEvent({ gameId: '1', revision: 4 }))?.value.revision).toBe(4);
    expect(s.size).toBe(1);
  });

  it('selects for cleanup only games final for more than a day', () => {
    const s = new CacheState(() => NOW);
    s.applyGame(gameEvent({ gameId: 'old-final', revision: 5, phase: 'final', occurredAt: NOW - 2 * DAY }));
    s.applyGame(gameEvent({ gameId: 'old-void', revision: 2, phase: 'postponed', occurredAt: NOW - 2 * DAY }));
    s.applyGame(gameEvent({ gameId: 'new-final', revision: 5, phase: 'final', occurredAt: NOW - 3600_000 }));
    s.applyGame(gameEvent({ gameId: 'live', revision: 9, phase: 'in', occurredAt: NOW - 2 * DAY }));
    s.applyGame(gameEvent({ gameId: 'future', revision: 1, phase: 'pre' }));
    expect(s.expired().map((t) => t.value.id).sort()).toEqual(['old-final', 'old-void']);
    expect(s.current().map((t) => t.value.id).sort()).toEqual(['future', 'live', 'new-final']);
  });

  it('a correction of a final restarts its day', () => {
    const s = new CacheState(() => NOW);
    s.applyGame(gameEvent({ gameId: '1', revision: 5, phase: 'final', occurredAt: NOW - 2 * DAY }));
    s.applyGame(gameEvent({ gameId: '1', revision: 6, phase: 'final', occurredAt: NOW - 60_000 }));
    expect(s.expired()).toEqual([]);
  });

  it('a dropped game does not come back from a redelivered older event, but does from a newer one', () => {
    const s = new CacheState(() => NOW);
    s.applyGame(gameEvent({ gameId: '1', revision: 5, phase: 'final', occurredAt: NOW - 2 * DAY }));
    s.drop('1', 5);
    expect(s.size).toBe(0);
    expect(s.applyGame(gameEvent({ gameId: '1', revision: 4 }))).toBeUndefined();
    expect(s.applyGame(gameEvent({ gameId: '1', revision: 5 }))).toBeUndefined();
    expect(s.size).toBe(0);
    expect(s.applyGame(gameEvent({ gameId: '1', revision: 6 }))?.value.revision).toBe(6);
  });

  it('drop keeps a game that got a newer revision meanwhile', () => {
    const s = new CacheState(() => NOW);
    s.applyGame(gameEvent({ gameId: '1', revision: 6 }));
    s.drop('1', 5);
    expect(s.game('1')?.value.revision).toBe(6);
  });

  it('keeps the newest poll and breaker transition', () => {
    const s = new CacheState(() => NOW);
    s.applyPoll(pollEvent(NOW, 2));
    expect(s.applyPoll(pollEvent(NOW - 60_000, 0)).liveState.liveGameCount).toBe(2);
    expect(s.applyPoll(pollEvent(NOW + 60_000, 0)).liveState.hasLiveGames).toBe(false);

    s.applyBreaker(breakerEvent('open', NOW, 5), 0);
    expect(s.applyBreaker(breakerEvent('closed', NOW - 1000, 0), 0).value.state).toBe('open');
    expect(s.applyBreaker(breakerEvent('half-open', NOW + 1000, 5), 0).value).toEqual({
      state: 'half-open',
      failures: 5,
      openedAt: new Date(NOW + 1000).toISOString(),
      retryAt: new Date(NOW + 301_000).toISOString(),
    });
  });
});
