import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, Game, isVoid } from '@scores/contracts';
import { describe, expect, it } from 'vitest';
import { homeSpreadFromDetails } from '../src/espn/odds.js';
import {
  EspnShapeError,
  leagueRef,
  parseScoreboard,
  parseSummary,
  parseTeams,
  type LeagueRef,
  type ParsedScoreboard,
} from '../src/espn/parse.js';
import { normaliseStatus, type StatusKind } from '../src/espn/status.js';

type Json = Record<string, unknown>;

const REAL = fileURLToPath(new URL('../../../packages/espn-sim/fixtures/espn/', import.meta.url));
const SYNTHETIC = fileURLToPath(new URL('./fixtures/synthetic/', import.meta.url));

const cache = new Map<string, Json>();
function load(dir: string, name: string): Json {
  const path = join(dir, name);
  let body = cache.get(path);
  if (!body) {
    body = JSON.parse(readFileSync(path, 'utf8')) as Json;
    cache.set(path, body);
  }
  // Tests that edit a body get their own copy.
  return structuredClone(body);
}
const real = (name: string): Json => load(REAL, name);
const synthetic = (name: string): Json => load(SYNTHETIC, name);

const NFL: LeagueRef = { sport: 'football', league: 'nfl' };
const CFB: LeagueRef = { sport: 'football', league: 'college-football' };
const MLB: LeagueRef = { sport: 'baseball', league: 'mlb' };

function leagueOf(file: string): LeagueRef {
  if (file.includes('cfb')) return CFB;
  if (file.includes('mlb')) return MLB;
  return NFL;
}

function game(parsed: ParsedScoreboard, id: string): Game {
  const g = parsed.games.find((x) => x.id === id);
  if (!g) throw new Error(`no game ${id} among ${parsed.games.map((x) => x.id).join(',')}`);
  return g;
}

type Events = { id: string; date?: unknown; competitions: Json[] }[];
const eventsOf = (body: Json): Events => body.events as Events;

/** Kinds as normaliseStatus gives them for the events' raw statuses. */
function kindCounts(body: Json): Partial<Record<StatusKind, number>> {
  const out: Partial<Record<StatusKind, number>> = {};
  for (const e of eventsOf(body)) {
    const { kind } = normaliseStatus(e.competitions[0]!.status, { home: 0, away: 0 });
    out[kind] = (out[kind] ?? 0) + 1;
  }
  return out;
}

const SCOREBOARDS: { file: string; events: number; kinds: Partial<Record<StatusKind, number>> }[] = [
  { file: 'cfb-scoreboard-2022-wk3-live-halftime.json', events: 25, kinds: { halftime: 5, live: 12, final: 1, scheduled: 7 } },
  { file: 'cfb-scoreboard-2025-wk1-sec-groups8-scheduled.json', events: 16, kinds: { scheduled: 16 } },
  { file: 'mlb-scoreboard-2025-06-04-live-final-postponed.json', events: 15, kinds: { final: 8, live: 6, postponed: 1 } },
  { file: 'mlb-scoreboard-2025-06-06-final-suspended.json', events: 15, kinds: { final: 14, suspended: 1 } },
  { file: 'nfl-scoreboard-2022-wk1-sunday-live.json', events: 16, kinds: { live: 8, final: 2, scheduled: 6 } },
  { file: 'nfl-scoreboard-2024-12-15-final.json', events: 13, kinds: { final: 13 } },
  { file: 'nfl-scoreboard-2024-post-wk5-superbowl-final.json', events: 1, kinds: { final: 1 } },
  { file: 'nfl-scoreboard-2025-post-wk1-wildcard-final.json', events: 6, kinds: { final: 6 } },
  { file: 'nfl-scoreboard-2025-wk1-opener-final-rest-scheduled.json', events: 16, kinds: { final: 1, scheduled: 15 } },
  { file: 'nfl-scoreboard-2025-wk12-scheduled.json', events: 14, kinds: { scheduled: 14 } },
];

const SYNTHETIC_FILES = [
  'synthetic-cfb-final-ot.json',
  'synthetic-cfb-tbd-teams.json',
  'synthetic-mlb-rain-delay.json',
  'synthetic-nfl-canceled.json',
  'synthetic-nfl-delayed-in-game.json',
  'synthetic-nfl-delayed-start.json',
  'synthetic-nfl-drift-scores-as-numbers.json',
  'synthetic-nfl-drift-scores-as-objects.json',
  'synthetic-nfl-end-period.json',
  'synthetic-nfl-final-missing-score.json',
  'synthetic-nfl-final-ot-name.json',
  'synthetic-nfl-malformed-mix.json',
  'synthetic-nfl-status-unknown-names.json',
  'synthetic-nfl-tie-final-ot.json',
];

/** Rules every published game keeps, whatever ESPN sent. */
function expectInvariants(g: Game): void {
  expect(() => check(Game, g)).not.toThrow();
  expect(g.kickoff).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  const sides = [g.home, g.away];
  if (g.status.state === 'pre') {
    expect(sides.map((s) => s.score)).toEqual([null, null]);
    expect(g.status.clock).toBeNull();
    expect(g.status.period).toBe(0);
  }
  if (g.status.state !== 'in') {
    expect(g.status.clock).toBeNull();
    expect(g.possession).toBeNull();
  }
  if (g.status.completed) {
    expect(g.status.state).toBe('post');
    expect(sides.every((s) => typeof s.score === 'number' && typeof s.winner === 'boolean')).toBe(true);
  } else {
    expect(sides.map((s) => s.winner)).toEqual([null, null]);
  }
  if (isVoid(g)) {
    expect(g.status.completed).toBe(false);
    expect(sides.map((s) => s.score)).toEqual([null, null]);
  }
}

describe('parseScoreboard on every recorded scoreboard', () => {
  it.each(SCOREBOARDS)('parses $file with no malformed event', ({ file, events, kinds }) => {
    const body = real(file);
    const parsed = parseScoreboard(body, leagueOf(file));
    expect(parsed.eventCount).toBe(events);
    expect(parsed.malformed).toEqual([]);
    expect(parsed.suspicious).toEqual([]);
    expect(parsed.games).toHaveLength(events);
    expect(kindCounts(body)).toEqual(kinds);
    for (const g of parsed.games) expectInvariants(g);
  });

  it('keeps the live states: halftime and live games are in, finals post', () => {
    const parsed = parseScoreboard(real('cfb-scoreboard-2022-wk3-live-halftime.json'), CFB);
    const states = parsed.games.map((g) => g.status.state);
    expect(states.filter((s) => s === 'in')).toHaveLength(17);
    expect(states.filter((s) => s === 'post')).toHaveLength(1);
    expect(states.filter((s) => s === 'pre')).toHaveLength(7);
  });
});

describe('parseScoreboard spot checks on recorded games', () => {
  it('reads a college game at halftime: in, period 2, no clock, both scores', () => {
    const g = game(parseScoreboard(real('cfb-scoreboard-2022-wk3-live-halftime.json'), CFB), '401403888');
    expect(g).toEqual({
      id: '401403888',
      sport: 'football',
      league: 'college-football',
      season: { year: 2022, type: 2 },
      week: 3,
      kickoff: '2022-09-17T16:00:00.000Z',
      status: {
        state: 'in',
        name: 'STATUS_HALFTIME',
        detail: 'Halftime',
        shortDetail: 'Halftime',
        period: 2,
        clock: null,
        completed: false,
      },
      home: {
        teamId: '2579',
        abbreviation: 'SC',
        name: 'South Carolina Gamecocks',
        score: 0,
        winner: null,
        logo: 'https://a.espncdn.com/i/teamlogos/ncaa/500/2579.png',
      },
      away: {
        teamId: '61',
        abbreviation: 'UGA',
        name: 'Georgia Bulldogs',
        score: 24,
        winner: null,
        logo: 'https://a.espncdn.com/i/teamlogos/ncaa/500/61.png',
      },
      possession: null,
      broadcasts: ['ESPN'],
      odds: null,
    });
  });

  it('reads IND @ HOU tied 20-20 with 1:01 left in the 4th, Colts in possession', () => {
    const g = game(parseScoreboard(real('nfl-scoreboard-2022-wk1-sunday-live.json'), NFL), '401437637');
    expect(g.status).toMatchObject({ state: 'in', name: 'STATUS_IN_PROGRESS', period: 4, clock: '1:01', completed: false });
    expect(g.status.shortDetail).toBe('1:01 - 4th');
    expect([g.home.abbreviation, g.home.score, g.away.abbreviation, g.away.score]).toEqual(['HOU', 20, 'IND', 20]);
    expect(g.away.teamId).toBe('11');
    expect(g.possession).toBe('away');
    expect(g.week).toBe(1);
  });

  it('reads Super Bowl LIX: final 40-22, PHI (home) the winner, postseason week 5', () => {
    const parsed = parseScoreboard(real('nfl-scoreboard-2024-post-wk5-superbowl-final.json'), NFL);
    const g = game(parsed, '401671889');
    expect(g.status).toMatchObject({ state: 'post', name: 'STATUS_FINAL', completed: true, clock: null, period: 4 });
    expect(g.home).toMatchObject({ abbreviation: 'PHI', score: 40, winner: true, name: 'Philadelphia Eagles' });
    expect(g.away).toMatchObject({ abbreviation: 'KC', score: 22, winner: false });
    // The event's season (postseason), not leagues[0].season (regular season).
    expect(g.season).toEqual({ year: 2024, type: 3 });
    expect(g.week).toBe(5);
    expect(g.broadcasts).toEqual(['FOX']);
    expect(g.kickoff).toBe('2025-02-09T23:30:00.000Z');
  });

  it('reads the postponed MLB game as post, never completed, without scores', () => {
    const g = game(parseScoreboard(real('mlb-scoreboard-2025-06-04-live-final-postponed.json'), MLB), '401695827');
    expect(g.status).toMatchObject({ state: 'post', name: 'STATUS_POSTPONED', completed: false, clock: null });
    expect([g.home.score, g.away.score, g.home.winner, g.away.winner]).toEqual([null, null, null, null]);
    // A date query: no week anywhere.
    expect(g.week).toBeNull();
    expect(g.season).toEqual({ year: 2025, type: 2 });
  });

  it('keeps the suspended MLB game at 3-3 in the 7th, not completed', () => {
    const g = game(parseScoreboard(real('mlb-scoreboard-2025-06-06-final-suspended.json'), MLB), '401695844');
    expect(g.status).toMatchObject({ state: 'post', name: 'STATUS_SUSPENDED', completed: false, period: 7, clock: null });
    expect([g.home.score, g.away.score]).toEqual([3, 3]);
    expect([g.home.winner, g.away.winner]).toEqual([null, null]);
  });

  it('reads the Final/10 MLB game as a final in the 10th', () => {
    const g = game(parseScoreboard(real('mlb-scoreboard-2025-06-06-final-suspended.json'), MLB), '401695856');
    expect(g.status).toMatchObject({ state: 'post', completed: true, period: 10, shortDetail: 'Final/10' });
    expect(g.home).toMatchObject({ abbreviation: 'SF', score: 5, winner: true });
    expect(g.away).toMatchObject({ abbreviation: 'ATL', score: 4, winner: false });
  });

  it('reads NFL 2025 week 12: all scheduled, no scores, every game with a full line', () => {
    const parsed = parseScoreboard(real('nfl-scoreboard-2025-wk12-scheduled.json'), NFL);
    for (const g of parsed.games) {
      expect(g.status).toMatchObject({ state: 'pre', name: 'STATUS_SCHEDULED', period: 0, clock: null, completed: false });
      expect([g.home.score, g.away.score]).toEqual([null, null]);
      expect(g.week).toBe(12);
      expect(g.odds).not.toBeNull();
      expect(typeof g.odds!.homeSpread).toBe('number');
      expect(typeof g.odds!.overUnder).toBe('number');
      expect(g.odds!.details).toMatch(/^[A-Z]+ -\d+(\.5)?$/);
    }
    expect(game(parsed, '401772946').odds).toEqual({ homeSpread: 6, overUnder: 43.5, details: 'BUF -6' });
    expect(game(parsed, '401772780').odds).toEqual({ homeSpread: -2.5, overUnder: 45.5, details: 'CHI -2.5' });
    expect(game(parsed, '401772946').broadcasts).toEqual(['Prime Video']);
  });

  it('reads old-format scheduled games (period 1, clock 15:00, score "0") as period 0 without scores', () => {
    const g = game(parseScoreboard(real('nfl-scoreboard-2022-wk1-sunday-live.json'), NFL), '401437640');
    expect(g.status).toMatchObject({ state: 'pre', period: 0, clock: null });
    expect([g.home.score, g.away.score]).toEqual([null, null]);
    expect(g.odds).toEqual({ homeSpread: -5.5, overUnder: 44, details: 'TEN -5.5' });
  });

  it('takes the season from the event, then the response, then leagues[0]', () => {
    // A date query: only leagues and events at the top; the events carry season and week.
    const byDate = game(parseScoreboard(real('nfl-scoreboard-2024-12-15-final.json'), NFL), '401671854');
    expect(byDate.season).toEqual({ year: 2024, type: 2 });
    expect(byDate.week).toBe(15);

    const body = real('cfb-scoreboard-2025-wk1-sec-groups8-scheduled.json');
    for (const e of eventsOf(body) as Json[]) {
      delete e.season;
      delete e.week;
    }
    const fromTop = parseScoreboard(body, CFB).games[0]!;
    expect(fromTop.season).toEqual({ year: 2025, type: 2 });
    expect(fromTop.week).toBe(1);

    delete body.season;
    delete body.week;
    const fromLeagues = parseScoreboard(body, CFB).games[0]!;
    // leagues[0].season.type is an object: { id: "1", type: 1, name: "Preseason" }.
    expect(fromLeagues.season).toEqual({ year: 2025, type: 1 });
    expect(fromLeagues.week).toBeNull();

    delete body.leagues;
    const none = parseScoreboard(body, CFB);
    expect(none.games).toEqual([]);
    expect(none.malformed).toHaveLength(16);
    expect(none.malformed[0]!.reason).toMatch(/season/);
  });
});

describe('broadcasts', () => {
  const base = (): Json => real('cfb-scoreboard-2022-wk3-live-halftime.json');
  const firstCompetition = (body: Json): Json => eventsOf(body)[0]!.competitions[0]!;

  it('flattens every market in ESPN order, each name once', () => {
    const mlb = parseScoreboard(real('mlb-scoreboard-2025-06-04-live-final-postponed.json'), MLB);
    expect(game(mlb, '401695821').broadcasts).toEqual(['MLB.TV', 'Rockies.TV', 'FanDuel SN FL']);
    const body = base();
    firstCompetition(body).broadcasts = [
      { market: 'national', names: ['FOX', 'FS1'] },
      { market: 'home', names: ['FOX', 'Local 5'] },
    ];
    expect(parseScoreboard(body, CFB).games[0]!.broadcasts).toEqual(['FOX', 'FS1', 'Local 5']);
  });

  it('falls back to the broadcast string, then to TV and streaming geoBroadcasts', () => {
    const body = base();
    delete firstCompetition(body).broadcasts;
    // geoBroadcasts: ESPN (TV) and ESPNRM (Radio).
    expect(parseScoreboard(body, CFB).games[0]!.broadcasts).toEqual(['ESPN']);
    firstCompetition(body).broadcast = 'ABC';
    expect(parseScoreboard(body, CFB).games[0]!.broadcasts).toEqual(['ABC']);
  });

  it('is empty when ESPN names no network', () => {
    const body = base();
    const c = firstCompetition(body);
    c.broadcasts = [];
    c.broadcast = '';
    delete c.geoBroadcasts;
    expect(parseScoreboard(body, CFB).games[0]!.broadcasts).toEqual([]);
  });
});

describe('odds', () => {
  it('agrees with ESPN in every recorded game that has both a spread number and details', () => {
    let compared = 0;
    for (const { file } of SCOREBOARDS) {
      const body = real(file);
      const parsed = parseScoreboard(body, leagueOf(file));
      for (const e of eventsOf(body)) {
        const line = (e.competitions[0]!.odds as Json[] | undefined)?.[0];
        if (!line) {
          expect(game(parsed, e.id).odds).toBeNull();
          continue;
        }
        const g = game(parsed, e.id);
        const derived = homeSpreadFromDetails(line.details as string, g.home.abbreviation, g.away.abbreviation);
        expect(derived).not.toBeNull();
        expect(g.odds).toEqual({ homeSpread: derived, overUnder: line.overUnder, details: line.details });
        if (typeof line.spread === 'number') {
          expect(g.odds!.homeSpread).toBe(line.spread);
          compared++;
        }
        // When the favourite is flagged, a home favourite has a negative spread.
        const homeOdds = line.homeTeamOdds as Json | undefined;
        if (homeOdds && typeof homeOdds.favorite === 'boolean') {
          expect(g.odds!.homeSpread! < 0).toBe(homeOdds.favorite);
        }
      }
    }
    expect(compared).toBe(40);
  });

  it('derives the home spread from details alone: home named keeps the sign, away named flips it', () => {
    expect(homeSpreadFromDetails('MICH -3.5', 'MICH', 'OSU')).toBe(-3.5);
    expect(homeSpreadFromDetails('OSU -3.5', 'MICH', 'OSU')).toBe(3.5);
    expect(homeSpreadFromDetails('TA&M -21', 'TA&M', 'UTSA')).toBe(-21);
    expect(homeSpreadFromDetails('ISU -20.0', 'ISU', 'OHIO')).toBe(-20);
    expect(homeSpreadFromDetails('EVEN', 'A', 'B')).toBe(0);
    expect(homeSpreadFromDetails('PK', 'A', 'B')).toBe(0);
    expect(homeSpreadFromDetails('XYZ -3', 'A', 'B')).toBeNull();
    expect(homeSpreadFromDetails('Off the board', 'A', 'B')).toBeNull();
  });

  it('publishes no spread when the spread number and details disagree', () => {
    const body = real('nfl-scoreboard-2025-wk12-scheduled.json');
    const line = (eventsOf(body)[0]!.competitions[0]!.odds as Json[])[0]!;
    line.spread = -6; // details say "BUF -6" with BUF away: home +6.
    const g = game(parseScoreboard(body, NFL), '401772946');
    expect(g.odds).toEqual({ homeSpread: null, overUnder: 43.5, details: 'BUF -6' });
  });

  it('reads a pick-em line as 0 and no odds entry as null', () => {
    const body = real('nfl-scoreboard-2022-wk1-sunday-live.json');
    const competition = eventsOf(body).find((e) => e.id === '401437640')!.competitions[0]!;
    competition.odds = [{ provider: { id: '45' }, details: 'EVEN', overUnder: '44.5' }];
    expect(game(parseScoreboard(body, NFL), '401437640').odds).toEqual({ homeSpread: 0, overUnder: 44.5, details: 'EVEN' });
    competition.odds = [];
    expect(game(parseScoreboard(body, NFL), '401437640').odds).toBeNull();
  });
});

describe('parseScoreboard on synthetic variants', () => {
  it.each(SYNTHETIC_FILES)('keeps every rule on %s', (file) => {
    for (const g of parseScoreboard(synthetic(file), leagueOf(file)).games) expectInvariants(g);
  });

  it('reads a college overtime final (Final/OT, period 5) as completed with a winner', () => {
    const parsed = parseScoreboard(synthetic('synthetic-cfb-final-ot.json'), CFB);
    const g = game(parsed, '401411114');
    expect(g.status).toMatchObject({ state: 'post', name: 'STATUS_FINAL', detail: 'Final/OT', period: 5, completed: true });
    expect(g.home).toMatchObject({ abbreviation: 'VT', score: 34, winner: true });
    expect(g.away).toMatchObject({ abbreviation: 'WOF', score: 27, winner: false });
  });

  it('reads an overtime tie as final with no winner, derived from the scores', () => {
    const g = game(parseScoreboard(synthetic('synthetic-nfl-tie-final-ot.json'), NFL), '401437637');
    expect(g.status).toMatchObject({ state: 'post', completed: true, period: 5, shortDetail: 'Final/OT' });
    expect([g.home.score, g.away.score, g.home.winner, g.away.winner]).toEqual([20, 20, false, false]);
    expect(g.possession).toBeNull();
  });

  it('reads STATUS_FINAL_OT as a final', () => {
    const g = game(parseScoreboard(synthetic('synthetic-nfl-final-ot-name.json'), NFL), '401671681');
    expect(g.status).toMatchObject({ state: 'post', name: 'STATUS_FINAL_OT', completed: true, period: 5 });
    expect(g.away).toMatchObject({ abbreviation: 'BUF', score: 48, winner: true });
  });

  it('reads the end of a period as live with the clock at 0:00', () => {
    const g = game(parseScoreboard(synthetic('synthetic-nfl-end-period.json'), NFL), '401437648');
    expect(g.status).toEqual({
      state: 'in',
      name: 'STATUS_END_PERIOD',
      detail: 'End of 3rd Quarter',
      shortDetail: 'End of 3rd',
      period: 3,
      clock: '0:00',
      completed: false,
    });
    expect([g.home.score, g.away.score]).toEqual([28, 38]);
  });

  it('reads a delayed start as pre without scores and a delay mid-game as in with scores', () => {
    const start = game(parseScoreboard(synthetic('synthetic-nfl-delayed-start.json'), NFL), '401772946');
    expect(start.status).toMatchObject({ state: 'pre', name: 'STATUS_DELAYED', clock: null, period: 0 });
    expect([start.home.score, start.away.score]).toEqual([null, null]);
    expect(start.odds?.homeSpread).toBe(6);

    const mid = game(parseScoreboard(synthetic('synthetic-nfl-delayed-in-game.json'), NFL), '401437646');
    expect(mid.status).toMatchObject({ state: 'in', name: 'STATUS_DELAYED', clock: '4:25', period: 4, completed: false });
    expect([mid.home.score, mid.away.score]).toEqual([20, 22]);

    const rain = game(parseScoreboard(synthetic('synthetic-mlb-rain-delay.json'), MLB), '401695826');
    expect(rain.status).toMatchObject({ state: 'in', name: 'STATUS_RAIN_DELAY', completed: false });
    expect([rain.home.score, rain.away.score]).toEqual([3, 4]);
  });

  it('reads canceled games (both spellings) as post, never completed, without scores', () => {
    const parsed = parseScoreboard(synthetic('synthetic-nfl-canceled.json'), NFL);
    expect(parsed.games.map((g) => g.status.name)).toEqual(['STATUS_CANCELED', 'STATUS_CANCELLED']);
    for (const g of parsed.games) {
      expect(g.status).toMatchObject({ state: 'post', completed: false, clock: null });
      expect([g.home.score, g.away.score, g.home.winner, g.away.winner]).toEqual([null, null, null, null]);
      expect(isVoid(g)).toBe(true);
    }
  });

  it('reads undecided (TBD) teams with no name and no logo', () => {
    const g = parseScoreboard(synthetic('synthetic-cfb-tbd-teams.json'), CFB).games[0]!;
    expect(g.home).toEqual({ teamId: '-1', abbreviation: 'TBD', name: null, score: null, winner: null, logo: null });
    expect(g.away).toEqual({ teamId: '-2', abbreviation: 'TBD', name: null, score: null, winner: null, logo: null });
    expect(g.odds).toBeNull();
  });

  it('holds back a final without both scores as suspicious and publishes the rest', () => {
    const parsed = parseScoreboard(synthetic('synthetic-nfl-final-missing-score.json'), NFL);
    expect(parsed.eventCount).toBe(3);
    expect(parsed.malformed).toEqual([]);
    expect(parsed.suspicious).toEqual([
      { eventId: '401671854', reason: 'final without both scores' },
      { eventId: '401671825', reason: 'final without both scores' },
    ]);
    expect(parsed.games.map((g) => g.id)).toEqual(['401671737']);
  });

  it('reads scores sent as numbers or as { value, displayValue } exactly as strings', () => {
    const expected = parseScoreboard(real('nfl-scoreboard-2024-12-15-final.json'), NFL);
    expect(parseScoreboard(synthetic('synthetic-nfl-drift-scores-as-numbers.json'), NFL)).toEqual(expected);
    expect(parseScoreboard(synthetic('synthetic-nfl-drift-scores-as-objects.json'), NFL)).toEqual(expected);
  });

  it('skips and records each malformed event, uses the others, and ignores unknown keys', () => {
    const parsed = parseScoreboard(synthetic('synthetic-nfl-malformed-mix.json'), NFL);
    expect(parsed.eventCount).toBe(17);
    const reasons = Object.fromEntries(parsed.malformed.map((m) => [String(m.eventId), m.reason]));
    expect(Object.keys(reasons).sort()).toEqual(
      [
        '401437650',
        '401437647',
        'null',
        '401437648',
        '401437630',
        '401437632.1',
        '401437646',
        '401437651',
        '401437637',
        '401437655',
      ].sort(),
    );
    expect(reasons['401437650']).toMatch(/competitors/);
    expect(reasons['401437647']).toMatch(/status/);
    expect(reasons.null).toMatch(/no id/);
    expect(reasons['401437648']).toMatch(/date/);
    expect(reasons['401437630']).toMatch(/score is not a number/);
    expect(reasons['401437632.1']).toMatch(/subject-safe/);
    expect(reasons['401437646']).toMatch(/status\.type/);
    expect(reasons['401437651']).toMatch(/two home/);
    expect(reasons['401437637']).toMatch(/competitions/);
    expect(reasons['401437655']).toMatch(/duplicate/);
    expect(parsed.suspicious).toEqual([]);
    expect(parsed.games.map((g) => g.id)).toEqual([
      '401437640',
      '401437649',
      '401437653',
      '401437643',
      '401437644',
      '401437654',
      '401437655',
    ]);
    const original = parseScoreboard(real('nfl-scoreboard-2022-wk1-sunday-live.json'), NFL);
    expect(game(parsed, '401437654')).toEqual(game(original, '401437654'));
  });

  it('falls back on unknown or missing status names, and on the event-level status', () => {
    const parsed = parseScoreboard(synthetic('synthetic-nfl-status-unknown-names.json'), NFL);
    expect(parsed.malformed).toEqual([]);
    expect(game(parsed, '401437650').status).toMatchObject({ state: 'in', name: 'STATUS_SOMETHING_NEW', clock: '0:48' });
    expect(game(parsed, '401437630').status).toMatchObject({ state: 'post', name: 'STATUS_NEW_FINAL_KIND', completed: true });
    expect(game(parsed, '401437630').home).toMatchObject({ score: 20, winner: true });
    expect(game(parsed, '401437640').status).toMatchObject({ state: 'pre', name: '', completed: false });
    const abandoned = game(parsed, '401437647');
    expect(abandoned.status).toMatchObject({ state: 'post', name: 'STATUS_ABANDONED', completed: false });
    expect([abandoned.home.score, abandoned.away.score]).toEqual([19, 10]);
    expect(game(parsed, '401437649').status).toMatchObject({ state: 'pre', name: 'STATUS_SCHEDULED' });
  });
});

/** Sets (or, for `undefined`, removes) the score of both competitors of one event. */
function setScores(body: Json, id: string, score: unknown): void {
  const event = eventsOf(body).find((e) => e.id === id) ?? fail(`no event ${id}`);
  for (const c of event.competitions[0]!.competitors as Json[]) {
    if (score === undefined) delete c.score;
    else c.score = structuredClone(score);
  }
}
function fail(message: string): never {
  throw new Error(message);
}

// Whatever ESPN puts in the score of a game that has not been played, seen or imaginable.
const JUNK_SCORES: [string, unknown][] = [
  ['"0"', '0'],
  ['""', ''],
  ['" "', ' '],
  ['"-"', '-'],
  ['"TBD"', 'TBD'],
  ['"N/A"', 'N/A'],
  ['"-3"', '-3'],
  ['null', null],
  ['no score key', undefined],
  ['the number 0', 0],
  ['the number 7', 7],
  ['a negative number', -3],
  ['a fraction', 2.5],
  ['true', true],
  ['an array', []],
  ['an empty object', {}],
  ['{ value: "-" }', { value: '-', displayValue: '-' }],
];

// One game of each unplayed kind, from the recordings (synthetic ones where none is recorded).
const UNPLAYED: { what: string; body: () => Json; league: LeagueRef; id: string; name: string }[] = [
  { what: 'scheduled', body: () => real('nfl-scoreboard-2025-wk12-scheduled.json'), league: NFL, id: '401772946', name: 'STATUS_SCHEDULED' },
  { what: 'scheduled (college)', body: () => real('cfb-scoreboard-2022-wk3-live-halftime.json'), league: CFB, id: pickPre(), name: 'STATUS_SCHEDULED' },
  { what: 'delayed start', body: () => synthetic('synthetic-nfl-delayed-start.json'), league: NFL, id: '401772946', name: 'STATUS_DELAYED' },
  { what: 'postponed', body: () => real('mlb-scoreboard-2025-06-04-live-final-postponed.json'), league: MLB, id: '401695827', name: 'STATUS_POSTPONED' },
  { what: 'canceled', body: () => synthetic('synthetic-nfl-canceled.json'), league: NFL, id: '401772714', name: 'STATUS_CANCELED' },
  { what: 'cancelled', body: () => synthetic('synthetic-nfl-canceled.json'), league: NFL, id: '401772830', name: 'STATUS_CANCELLED' },
];
function pickPre(): string {
  const e = eventsOf(real('cfb-scoreboard-2022-wk3-live-halftime.json')).find(
    (x) => ((x.competitions[0]!.status as Json).type as Json).state === 'pre',
  );
  return e?.id ?? fail('no pre game in the college recording');
}

describe('scores of games not played', () => {
  const cases = UNPLAYED.flatMap((g) => JUNK_SCORES.map(([label, score]) => ({ ...g, label, score })));

  it.each(cases)('publishes the $what game with null scores when ESPN sends $label', ({ body: make, league, id, name, score }) => {
    const body = make();
    setScores(body, id, score);
    const parsed = parseScoreboard(body, league);
    expect(parsed.malformed).toEqual([]);
    expect(parsed.suspicious).toEqual([]);
    const g = game(parsed, id);
    expect(g.status.name).toBe(name);
    expect(g.status.completed).toBe(false);
    expect([g.home.score, g.away.score, g.home.winner, g.away.winner]).toEqual([null, null, null, null]);
    expectInvariants(g);
  });

  it.each(JUNK_SCORES)('reads a pre-game summary whose scores are %s', (_label, score) => {
    const body = real('nfl-summary-401772842-scheduled.json');
    for (const c of ((body.header as Json).competitions as Json[])[0]!.competitors as Json[]) {
      if (score === undefined) delete c.score;
      else c.score = structuredClone(score);
    }
    const g = parseSummary(body, NFL);
    expect([g.status.state, g.home.score, g.away.score]).toEqual(['pre', null, null]);
  });
});

describe('scores of games being or already played stay strict', () => {
  const LIVE = { file: 'nfl-scoreboard-2022-wk1-sunday-live.json', id: '401437650' }; // ATL 26, NO 24, live
  const FINAL = { file: 'nfl-scoreboard-2024-12-15-final.json', id: '401671854' }; // CLE 7, KC 21, final

  it.each([
    ['live', LIVE, 26, [26, 24]],
    ['live', LIVE, 0, [0, 24]],
    ['final', FINAL, 7, [7, 21]],
    ['final', FINAL, 0, [0, 21]],
  ] as const)('reads a %s home score sent as the number %d', (_what, { file, id }, value, scores) => {
    const body = real(file);
    const home = (eventsOf(body).find((e) => e.id === id)!.competitions[0]!.competitors as Json[]).find((c) => c.homeAway === 'home')!;
    home.score = value;
    const g = game(parseScoreboard(body, NFL), id);
    expect([g.home.score, g.away.score]).toEqual(scores);
  });

  it.each([
    ['live', LIVE],
    ['final', FINAL],
  ] as const)('reads every %s score sent as numbers, the same as strings', (_what, { file, id }) => {
    const body = real(file);
    for (const c of eventsOf(body).find((e) => e.id === id)!.competitions[0]!.competitors as Json[]) c.score = Number(c.score);
    expect(game(parseScoreboard(body, NFL), id)).toEqual(game(parseScoreboard(real(file), NFL), id));
  });

  // Not refused: no score yet ("", null, missing, {}) and numbers (a fraction is a number too).
  const junk = JUNK_SCORES.filter(([label]) => !['"0"', '""', 'null', 'no score key', 'the number 0', 'the number 7', 'a fraction', 'an empty object'].includes(label));
  it.each(junk.flatMap(([label, score]) => [LIVE, FINAL].map((g) => ({ ...g, label, score }))))(
    'skips $id (in $file) as malformed when a score is $label',
    ({ file, id, score }) => {
      const body = real(file);
      const home = (eventsOf(body).find((e) => e.id === id)!.competitions[0]!.competitors as Json[]).find((c) => c.homeAway === 'home')!;
      home.score = structuredClone(score);
      const parsed = parseScoreboard(body, NFL);
      expect(parsed.games.map((g) => g.id)).not.toContain(id);
      expect(parsed.malformed.map((m) => m.eventId)).toEqual([id]);
      expect(parsed.malformed[0]!.reason).toMatch(/score is not a number/);
    },
  );

  it.each([
    ['""', ''],
    ['null', null],
    ['no score key', undefined],
    ['an empty object', {}],
  ])('holds back a final whose score is %s as not final (suspicious), never malformed', (_label, score) => {
    const body = real(FINAL.file);
    setScores(body, FINAL.id, score);
    const parsed = parseScoreboard(body, NFL);
    expect(parsed.malformed).toEqual([]);
    expect(parsed.suspicious).toEqual([{ eventId: FINAL.id, reason: 'final without both scores' }]);
    expect(parsed.games.map((g) => g.id)).not.toContain(FINAL.id);
  });
});

describe('parseScoreboard refusals', () => {
  it.each([
    ['null', null],
    ['a string', 'Service Unavailable'],
    ['an array', []],
    ['an object without events', { leagues: [] }],
    ['events that are not an array', { events: { 0: {} } }],
  ])('throws a retryable EspnShapeError for %s', (_what, body) => {
    let caught: unknown;
    try {
      parseScoreboard(body, NFL);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(EspnShapeError);
    expect(caught).toMatchObject({ code: 'ESPN_SHAPE', retryable: true, name: 'EspnShapeError' });
  });

  it('leaves the response it reads untouched', () => {
    const body = synthetic('synthetic-nfl-malformed-mix.json');
    const before = JSON.stringify(body);
    parseScoreboard(body, NFL);
    expect(JSON.stringify(body)).toBe(before);
  });

  it('answers an empty day with no games', () => {
    expect(parseScoreboard({ events: [] }, NFL)).toEqual({ games: [], eventCount: 0, malformed: [], suspicious: [] });
  });

  it('records events that are not objects, or have no competition, as malformed', () => {
    const body = real('nfl-scoreboard-2024-post-wk5-superbowl-final.json');
    (body.events as unknown[]).push(null, 'x', { id: '1', competitions: [] });
    const parsed = parseScoreboard(body, NFL);
    expect(parsed.games).toHaveLength(1);
    expect(parsed.malformed).toEqual([
      { eventId: null, reason: 'event is not an object' },
      { eventId: null, reason: 'event is not an object' },
      { eventId: '1', reason: 'event has no competitions[0]' },
    ]);
  });

  it('refuses every event when the sport or league is not subject-safe', () => {
    const parsed = parseScoreboard(real('nfl-scoreboard-2024-post-wk5-superbowl-final.json'), {
      sport: 'football',
      league: 'nfl.extra',
    });
    expect(parsed.games).toEqual([]);
    expect(parsed.malformed[0]!.reason).toMatch(/subject-safe/);
  });

  it.each([['2022-02-30T16:00Z'], ['2022-13-01T16:00Z'], ['1662915600000'], ['']])('refuses the event date %j', (date) => {
    const body = real('nfl-scoreboard-2024-post-wk5-superbowl-final.json');
    eventsOf(body)[0]!.date = date;
    (eventsOf(body)[0]!.competitions[0] as Json).date = date;
    const parsed = parseScoreboard(body, NFL);
    expect(parsed.games).toEqual([]);
    expect(parsed.malformed[0]!.reason).toMatch(/date/);
  });

  it('accepts an event date with seconds or an offset, published in UTC with milliseconds', () => {
    const body = real('nfl-scoreboard-2024-post-wk5-superbowl-final.json');
    eventsOf(body)[0]!.date = '2025-02-09T18:30:00-05:00';
    expect(parseScoreboard(body, NFL).games[0]!.kickoff).toBe('2025-02-09T23:30:00.000Z');
  });

  it('refuses a negative score and a competitor without a team id', () => {
    const body = real('nfl-scoreboard-2024-12-15-final.json');
    const [first, second] = eventsOf(body);
    (first!.competitions[0]!.competitors as Json[])[0]!.score = '-3';
    delete ((second!.competitions[0]!.competitors as Json[])[1]!.team as Json).id;
    delete (second!.competitions[0]!.competitors as Json[])[1]!.id;
    const parsed = parseScoreboard(body, NFL);
    expect(parsed.games).toHaveLength(11);
    expect(parsed.malformed.map((m) => m.eventId)).toEqual([first!.id, second!.id]);
  });
});

describe('leagueRef', () => {
  it('splits sport/league and refuses anything else', () => {
    expect(leagueRef('football/college-football')).toEqual(CFB);
    expect(() => leagueRef('football')).toThrow(TypeError);
    expect(() => leagueRef('football/nfl/extra')).toThrow(TypeError);
    expect(() => leagueRef('football/n.fl')).toThrow(TypeError);
  });
});

describe('parseSummary', () => {
  it('reads a final NFL summary, the period from its linescores', () => {
    const g = parseSummary(real('nfl-summary-401547505-final.json'), NFL);
    expect(g).toMatchObject({
      id: '401547505',
      season: { year: 2023, type: 2 },
      week: 8,
      kickoff: '2023-10-29T17:00:00.000Z',
      status: { state: 'post', name: 'STATUS_FINAL', completed: true, period: 4, clock: null },
      home: { abbreviation: 'DAL', score: 43, winner: true, name: 'Dallas Cowboys', logo: 'https://a.espncdn.com/i/teamlogos/nfl/500/dal.png' },
      away: { abbreviation: 'LAR', score: 20, winner: false },
      possession: null,
      broadcasts: ['FOX'],
      odds: { homeSpread: -7.5, overUnder: 44.5, details: 'DAL -7.5' },
    });
  });

  it('reads a pre-game NFL summary whose competitors have no score key', () => {
    const g = parseSummary(real('nfl-summary-401772842-scheduled.json'), NFL);
    expect(g.status).toMatchObject({ state: 'pre', name: 'STATUS_SCHEDULED', period: 0, clock: null, completed: false });
    expect([g.home.abbreviation, g.home.score, g.away.abbreviation, g.away.score]).toEqual(['CLE', null, 'GB', null]);
    expect(g.week).toBe(3);
    expect(g.odds).toEqual({ homeSpread: 7.5, overUnder: 41.5, details: 'GB -7.5' });
  });

  it('reads a live college summary with possession and without the radio broadcast', () => {
    const g = parseSummary(real('cfb-summary-401769076-in-progress.json'), CFB);
    expect(g).toMatchObject({
      id: '401769076',
      season: { year: 2025, type: 3 },
      week: 1,
      kickoff: '2026-01-20T00:30:00.000Z',
      status: { state: 'in', period: 1, clock: '2:20', shortDetail: '2:20 - 1st', completed: false },
      home: { abbreviation: 'IU', score: 3 },
      away: { abbreviation: 'MIA', score: 0 },
      possession: 'away',
      broadcasts: ['ESPN'],
      odds: { homeSpread: -7.5, overUnder: 47.5, details: 'IU -7.5' },
    });
    expect(() => check(Game, g)).not.toThrow();
  });

  it.each([
    ['not an object', (): unknown => 42],
    ['without a header', (): unknown => ({ boxscore: {} })],
    ['without competitions', (): unknown => ({ header: { id: '1', competitions: [] } })],
    [
      'with an event missing its competitors',
      (): unknown => {
        const body = real('nfl-summary-401547505-final.json');
        delete ((body.header as Json).competitions as Json[])[0]!.competitors;
        return body;
      },
    ],
    [
      'with a final missing a score',
      (): unknown => {
        const body = real('nfl-summary-401547505-final.json');
        delete (((body.header as Json).competitions as Json[])[0]!.competitors as Json[])[0]!.score;
        return body;
      },
    ],
  ])('throws EspnShapeError for a summary %s', (_what, make) => {
    expect(() => parseSummary(make(), NFL)).toThrow(EspnShapeError);
  });
});

describe('parseTeams', () => {
  it('reads the 32 NFL teams', () => {
    const teams = parseTeams(real('nfl-teams.json'));
    expect(teams).toHaveLength(32);
    expect(new Set(teams.map((t) => t.id)).size).toBe(32);
    expect(teams[0]).toEqual({
      id: '22',
      abbreviation: 'ARI',
      name: 'Arizona Cardinals',
      shortName: 'Cardinals',
      logo: 'https://a.espncdn.com/i/teamlogos/nfl/500/ari.png',
      color: 'a40227',
    });
  });

  it('reads the 771 college teams, with null where ESPN has no logo or colour', () => {
    const teams = parseTeams(real('cfb-teams-limit1000.json'));
    expect(teams).toHaveLength(771);
    expect(teams.filter((t) => t.logo === null)).toHaveLength(105);
    expect(teams.filter((t) => t.color === null)).toHaveLength(56);
    expect(teams.find((t) => t.abbreviation === 'MICH')).toMatchObject({ id: '130', name: 'Michigan Wolverines' });
  });

  it('leaves out entries without an id or abbreviation and refuses a body without teams', () => {
    const body = real('nfl-teams.json');
    const list = (((body.sports as Json[])[0]!.leagues as Json[])[0]!.teams as Json[]);
    delete (list[0]!.team as Json).id;
    delete (list[1]!.team as Json).abbreviation;
    expect(parseTeams(body)).toHaveLength(30);
    expect(() => parseTeams({ sports: [] })).toThrow(EspnShapeError);
    expect(() => parseTeams('nope')).toThrow(EspnShapeError);
  });
});

describe('a busy Saturday', () => {
  // Speed is measured in bench/ (pnpm bench), against a baseline in the same run; never here.
  it('parses a 300-game scoreboard built from every real scoreboard', () => {
    const sources = SCOREBOARDS.map(({ file }) => eventsOf(real(file)));
    const events: Json[] = [];
    for (let i = 0; events.length < 300; i++) {
      const pool = sources[i % sources.length]!;
      // parseScoreboard never mutates its input, so a shallow copy with a fresh id will do.
      events.push({ ...pool[Math.floor(i / sources.length) % pool.length]!, id: String(900000000 + i) });
    }
    const parsed = parseScoreboard({ events }, NFL);
    expect(parsed.games).toHaveLength(300);
    expect(parsed.malformed).toEqual([]);
  });
});
