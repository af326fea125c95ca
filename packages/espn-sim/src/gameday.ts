/**
 * Generated game days. buildGameDay() scripts ten college games (real 2025 events as
 * templates) through a Saturday as a recording; busySaturday() makes a large seeded slate
 * for benchmarks. The script is documented in README.md ("Game-day script").
 */
import { SimError } from './errors.js';
import { applyStatus, competitionOf, makeEvent, seasonYear, sides, situationFor } from './events.js';
import { leagueTeams, readScoreboardFixture, type TeamInfo } from './fixtures.js';
import { hashString, seededRandom, shuffle } from './random.js';
import { statusPresets } from './status.js';
import { daysBetween, easternInstant, espnDate, isDay, toDates } from './time.js';
import type { EspnEvent, EspnScoreboard, EspnStatus, Recording, Snapshot } from './types.js';

const CFB = 'football/college-football';
const MINUTE = 60_000;

export type GameRole =
  | 'home-win'
  | 'corrected-final'
  | 'blowout'
  | 'delayed-start'
  | 'canceled'
  | 'overtime'
  | 'postponed'
  | 'away-win'
  | 'late-final'
  | 'night-scheduled';

interface ScriptedGame {
  slot: number;
  role: GameRole;
  /** event id in cfb-scoreboard-2025-wk1-sec-groups8-scheduled (teams, venue, broadcasts come from it) */
  template: string;
  kickoff: [number, number];
  odds: { details: string; overUnder: number; spread: number };
  /** points per period, home and away; a fifth entry is overtime */
  home?: number[];
  away?: number[];
  /** minutes the start is delayed after the scheduled kickoff (STATUS_DELAYED meanwhile) */
  delayMin?: number;
  /** Eastern time the game is called off */
  canceledAt?: [number, number];
  postponedAt?: [number, number];
  /** the final is corrected this many minutes after it first went final */
  correction?: { afterMin: number; home: number[]; away: number[] };
  description: string;
}

/** The scripted day (spread: the home side's, as ESPN's `spread`). */
const SCRIPT: ScriptedGame[] = [
  { slot: 1, role: 'home-win', template: '401752677', kickoff: [12, 0], odds: { details: 'OSU -3', overUnder: 47.5, spread: -3 },
    home: [7, 10, 0, 14], away: [3, 7, 7, 0], description: 'TEX @ OSU, 12:00: a plain game, OSU wins 31-17 (covers -3)' },
  { slot: 2, role: 'corrected-final', template: '401752665', kickoff: [12, 0], odds: { details: 'FSU -6.5', overUnder: 44.5, spread: -6.5 },
    home: [7, 7, 3, 7], away: [3, 7, 7, 3], correction: { afterMin: 10, home: [7, 7, 3, 7], away: [3, 7, 7, 0] },
    description: 'ALA @ FSU, 12:00: final 24-20 (FSU does not cover -6.5), corrected 10 minutes later to 24-17 (FSU covers)' },
  { slot: 3, role: 'blowout', template: '401752669', kickoff: [12, 0], odds: { details: 'UGA -38.5', overUnder: 52.5, spread: -38.5 },
    home: [14, 17, 7, 7], away: [0, 3, 7, 0], description: 'MRSH @ UGA, 12:00: UGA wins 45-10 (MRSH covers +38.5)' },
  { slot: 4, role: 'delayed-start', template: '401752671', kickoff: [12, 0], delayMin: 45, odds: { details: 'CLEM -3', overUnder: 51.5, spread: -3 },
    home: [0, 10, 7, 0], away: [7, 3, 0, 0], description: 'LSU @ CLEM, 12:00: STATUS_DELAYED (weather) 12:00-12:45, then plays; CLEM wins 17-10' },
  { slot: 5, role: 'canceled', template: '401752673', kickoff: [12, 0], canceledAt: [11, 40], odds: { details: 'MSST -14', overUnder: 55.5, spread: 14 },
    description: 'MSST @ USM, 12:00: STATUS_CANCELED from 11:40, scores "0"' },
  { slot: 6, role: 'overtime', template: '401752667', kickoff: [13, 30], odds: { details: 'AUB -2.5', overUnder: 56.5, spread: 2.5 },
    home: [7, 3, 7, 7, 0], away: [0, 10, 7, 7, 7], description: 'AUB @ BAY, 13:30: 24-24 after regulation, AUB wins 31-24 in overtime (STATUS_FINAL_OT, "Final/OT", period 5)' },
  { slot: 7, role: 'postponed', template: '401752670', kickoff: [13, 30], postponedAt: [12, 50], odds: { details: 'UK -11.5', overUnder: 48.5, spread: -11.5 },
    description: 'TOL @ UK, 13:30: STATUS_POSTPONED from 12:50, scores "0"' },
  { slot: 8, role: 'away-win', template: '401752678', kickoff: [13, 30], odds: { details: 'TA&M -21', overUnder: 58.5, spread: -21 },
    home: [7, 0, 3, 7], away: [0, 7, 6, 7], description: 'UTSA @ TA&M, 13:30: upset, UTSA wins 20-17' },
  { slot: 9, role: 'late-final', template: '401752672', kickoff: [14, 0], odds: { details: 'MISS -36.5', overUnder: 62.5, spread: -36.5 },
    home: [14, 10, 7, 7], away: [3, 0, 7, 3], description: 'GAST @ MISS, 14:00: MISS wins 38-13; the last game to end (16:34)' },
  { slot: 10, role: 'night-scheduled', template: '401752676', kickoff: [19, 0], odds: { details: 'TENN -11.5', overUnder: 50.5, spread: -11.5 },
    description: 'SYR VS TENN, 19:00, neutral site: still scheduled when the recording ends (the next kickoff)' },
];

/** Sim minutes of each phase (a compressed game: about 2h34m from kickoff to final). */
const QUARTER = 32;
const BREAK = 3;
const HALF = 20;
const OT = 10;
const RECORD_FROM: [number, number] = [11, 30];
const RECORD_MINUTES = 310; // to 16:40
const EVERY_MINUTES = 2;

/** Minute (from kickoff) each period starts, for periods 1-5. */
const PERIOD_START = [0, QUARTER + BREAK, 2 * QUARTER + BREAK + HALF, 3 * QUARTER + 2 * BREAK + HALF, 4 * QUARTER + 3 * BREAK + HALF];

export interface GameDayGame {
  slot: number;
  role: GameRole;
  eventId: string;
  shortName: string;
  kickoff: Date;
  description: string;
  /** the final score (after any correction), null for games that never finish */
  final: { home: number; away: number } | null;
}

/** Game-day event ids: '9' + YYMMDD + slot (two digits), so two days never collide. */
export const gameDayEventId = (day: string, slot: number): string => `9${toDates(day).slice(2)}${String(slot).padStart(2, '0')}`;

function checkDay(day: unknown, fn: string): string {
  if (typeof day !== 'string' || !isDay(day)) throw new SimError('bad_day', `${fn}: day must be YYYY-MM-DD, got ${JSON.stringify(day)}`);
  return day;
}

/** The ten games of buildGameDay(day): which game does what. */
export function gameDayScript(day: string): GameDayGame[] {
  checkDay(day, 'gameDayScript');
  const templates = new Map(readScoreboardFixture('cfb-scoreboard-2025-wk1-sec-groups8-scheduled').events.map((e) => [e.id, e]));
  return SCRIPT.map((g) => {
    const home = g.correction?.home ?? g.home;
    const away = g.correction?.away ?? g.away;
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    return {
      slot: g.slot,
      role: g.role,
      eventId: gameDayEventId(day, g.slot),
      shortName: templates.get(g.template)?.shortName ?? '',
      kickoff: easternInstant(day, g.kickoff[0], g.kickoff[1]),
      description: g.description,
      final: home && away ? { home: sum(home), away: sum(away) } : null,
    };
  });
}

/** Fields that bloat snapshots without telling a poller anything. */
function lean(e: EspnEvent): EspnEvent {
  if (Array.isArray(e.links)) e.links = e.links.slice(0, 1);
  const c = competitionOf(e);
  delete c.highlights;
  delete c.headlines;
  delete c.leaders;
  for (const t of c.competitors) {
    delete t.team.links;
    delete t.leaders;
    if (Array.isArray(t.statistics)) t.statistics = [];
  }
  const odds = c.odds?.[0];
  if (odds) {
    const { provider, details, overUnder, spread, awayTeamOdds, homeTeamOdds } = odds;
    c.odds = [{ provider, details, overUnder, spread, awayTeamOdds, homeTeamOdds }];
  }
  return e;
}

function decompose(points: number): number[] {
  for (let threes = 0; threes * 3 <= points; threes++) {
    const rest = points - threes * 3;
    if (rest % 7 === 0) return [...Array<number>(rest / 7).fill(7), ...Array<number>(threes).fill(3)];
  }
  return points > 0 ? [points] : [];
}

interface Play {
  side: 'home' | 'away';
  points: number;
  at: number; // fraction of the period
}

function playsOf(home: number[], away: number[], seed: number): Play[][] {
  const rand = seededRandom(seed);
  return home.map((_, p) => {
    const plays = shuffle(
      [...decompose(home[p] ?? 0).map((points) => ({ side: 'home' as const, points })), ...decompose(away[p] ?? 0).map((points) => ({ side: 'away' as const, points }))],
      rand,
    );
    return plays.map((x, j) => ({ ...x, at: (j + 1) / (plays.length + 1) }));
  });
}

type Phase =
  | { kind: 'pre' }
  | { kind: 'play'; period: number; fraction: number }
  | { kind: 'break'; period: number }
  | { kind: 'half' }
  | { kind: 'final'; period: number; sinceFinal: number };

function phaseAt(minute: number, overtime: boolean): Phase {
  if (minute < 0) return { kind: 'pre' };
  const periods = overtime ? 5 : 4;
  for (let p = periods; p >= 1; p--) {
    const start = PERIOD_START[p - 1]!;
    if (minute < start) continue;
    const length = p === 5 ? OT : QUARTER;
    if (minute < start + length) return { kind: 'play', period: p, fraction: (minute - start) / length };
    if (p === periods) return { kind: 'final', period: p, sinceFinal: minute - (start + length) };
    return p === 2 ? { kind: 'half' } : { kind: 'break', period: p };
  }
  return { kind: 'pre' };
}

function scoreAt(plays: Play[][], lines: { home: number[]; away: number[] }, period: number, fraction: number) {
  const out = { home: [] as number[], away: [] as number[] };
  for (let p = 1; p <= period; p++) {
    for (const side of ['home', 'away'] as const) {
      const value = p < period || fraction >= 1 ? (lines[side][p - 1] ?? 0) : (plays[p - 1] ?? []).filter((x) => x.side === side && x.at <= fraction).reduce((s, x) => s + x.points, 0);
      out[side].push(value);
    }
  }
  return out;
}

function setLines(e: EspnEvent, lines: { home: number[]; away: number[] } | null): void {
  const { home, away } = sides(e);
  for (const [c, values] of [
    [home, lines?.home],
    [away, lines?.away],
  ] as const) {
    if (!values) {
      c.score = '0';
      delete c.linescores;
      continue;
    }
    c.score = String(values.reduce((a, b) => a + b, 0));
    c.linescores = values.map((value, i) => ({ value, displayValue: String(value), period: i + 1 }));
  }
}

function eventAt(g: ScriptedGame, base: EspnEvent, day: string, at: number, plays: Play[][]): EspnEvent {
  const e = structuredClone(base);
  const c = competitionOf(e);
  const cutoff = (hm?: [number, number]) => (hm ? easternInstant(day, hm[0], hm[1]).getTime() : Infinity);
  const scheduled = easternInstant(day, g.kickoff[0], g.kickoff[1]).getTime();
  let status: EspnStatus;
  let lines: { home: number[]; away: number[] } | null = null;
  let live = false;
  let possessionHome = true;
  if (at >= cutoff(g.canceledAt)) status = statusPresets.canceled();
  else if (at >= cutoff(g.postponedAt)) status = statusPresets.postponed();
  else if (!g.home || !g.away) status = statusPresets.scheduled(new Date(scheduled));
  else {
    const kickoff = scheduled + (g.delayMin ?? 0) * MINUTE;
    const minute = (at - kickoff) / MINUTE;
    const phase = phaseAt(minute, g.home.length > 4);
    const regulation = { home: g.home, away: g.away };
    switch (phase.kind) {
      case 'pre':
        status = g.delayMin && at >= scheduled ? statusPresets.delayed('pre') : statusPresets.scheduled(new Date(scheduled));
        break;
      case 'play': {
        const secondsLeft = Math.round((1 - phase.fraction) * (phase.period === 5 ? 600 : 900));
        status = statusPresets.inProgress(phase.period, secondsLeft);
        lines = scoreAt(plays, regulation, phase.period, phase.fraction);
        live = true;
        possessionHome = Math.floor(minute / 4) % 2 === 0;
        break;
      }
      case 'break':
        status = statusPresets.endOfPeriod(phase.period);
        lines = scoreAt(plays, regulation, phase.period, 1);
        break;
      case 'half':
        status = statusPresets.halftime();
        lines = scoreAt(plays, regulation, 2, 1);
        break;
      case 'final': {
        const corrected = g.correction && phase.sinceFinal >= g.correction.afterMin;
        lines = corrected ? { home: g.correction!.home, away: g.correction!.away } : regulation;
        status = phase.period === 5 ? statusPresets.finalOT(5) : statusPresets.final(4);
        break;
      }
    }
  }
  setLines(e, lines);
  if (status.type.state !== 'pre') delete c.odds;
  applyStatus(e, status);
  if (live) c.situation = situationFor(e, CFB, possessionHome, Math.floor(at / MINUTE) + g.slot * 7);
  else delete c.situation;
  return e;
}

/** Week of the college season a day falls in (week 1 ends on the last Saturday-ish of August). */
function cfbWeek(day: string): number {
  const year = seasonYear(CFB, new Date(`${day}T17:00:00Z`));
  const weeks = Math.floor(daysBetween(`${year}-08-25`, day) / 7) + 1;
  return Math.max(1, Math.min(15, weeks));
}

/**
 * A scripted college-football Saturday as a recording: one snapshot of `day`'s scoreboard
 * every 2 sim minutes from 11:30 to 16:40 ET (or from `startAt`, same spacing).
 */
export function buildGameDay(opts: { day: string; league?: string; startAt?: Date }): Recording {
  const day = checkDay(opts.day, 'buildGameDay');
  const league = opts.league ?? CFB;
  if (league !== CFB) throw new SimError('bad_league', `buildGameDay scripts college football only, got ${league}`);
  const fixture = readScoreboardFixture('cfb-scoreboard-2025-wk1-sec-groups8-scheduled');
  const leaguesSource = readScoreboardFixture('cfb-scoreboard-2022-wk3-live-halftime');
  const year = seasonYear(CFB, new Date(`${day}T17:00:00Z`));
  const week = cfbWeek(day);
  const leagues = structuredClone(leaguesSource.leagues).map((l) => ({ ...l, season: { ...(l.season as object), year } }));
  const templates = new Map(fixture.events.map((e) => [e.id, e]));

  const games = SCRIPT.map((g) => {
    const t = templates.get(g.template);
    if (!t) throw new SimError('bad_template', `game-day template ${g.template} missing from the fixture`);
    const id = gameDayEventId(day, g.slot);
    const base = lean(JSON.parse(JSON.stringify(t).replaceAll(t.id, id)) as EspnEvent);
    const kickoff = espnDate(easternInstant(day, g.kickoff[0], g.kickoff[1]));
    base.date = kickoff;
    competitionOf(base).date = kickoff;
    competitionOf(base).startDate = kickoff;
    base.season = { year, type: 2, slug: 'regular-season' };
    base.week = { number: week };
    const c = competitionOf(base);
    const { home, away } = sides(base);
    const odds = c.odds?.[0] ?? { provider: { id: '58', name: 'ESPN BET', priority: 1 } };
    const ref = (x: typeof home) => ({ id: x.team.id, uid: x.team.uid, abbreviation: x.team.abbreviation, name: x.team.name, displayName: x.team.displayName, logo: x.team.logo });
    c.odds = [
      {
        ...odds,
        ...g.odds,
        awayTeamOdds: { favorite: g.odds.spread > 0, underdog: g.odds.spread < 0, team: ref(away) },
        homeTeamOdds: { favorite: g.odds.spread < 0, underdog: g.odds.spread > 0, team: ref(home) },
      },
    ];
    const plays = g.home && g.away ? playsOf(g.home, g.away, hashString(`${day}:${g.slot}`)) : [];
    return { g, base, plays };
  });

  const from = easternInstant(day, RECORD_FROM[0], RECORD_FROM[1]).getTime();
  const offset = opts.startAt ? opts.startAt.getTime() - from : 0;
  const snapshots: Snapshot[] = [];
  for (let m = 0; m <= RECORD_MINUTES; m += EVERY_MINUTES) {
    const simAt = from + m * MINUTE;
    const body: EspnScoreboard = {
      leagues,
      groups: ['80'],
      season: { type: 2, year },
      week: { number: week },
      day: { date: day },
      events: games.map(({ g, base, plays }) => eventAt(g, base, day, simAt, plays)),
    };
    snapshots.push({ at: new Date(simAt + offset), league, day: toDates(day), body: structuredClone(body) });
  }
  return { snapshots };
}

export interface BusySaturdayOptions {
  day: string;
  games?: number;
  league?: string;
  seed?: number;
}

/** Kickoff windows (ET) of a busy Saturday and the share of games in each. */
const WINDOWS: { hour: number; minutes: number[]; share: number }[] = [
  { hour: 12, minutes: [0, 0, 0, 30], share: 0.3 },
  { hour: 15, minutes: [30, 30, 0, 45], share: 0.35 },
  { hour: 19, minutes: [0, 0, 30], share: 0.25 },
  { hour: 22, minutes: [30, 0], share: 0.1 },
];

/**
 * `games` distinct games on `day` (default 300), cloned from the college fixtures' events
 * with real teams (771 to draw from): the noon window final, the afternoon one in progress
 * (some at halftime or between quarters), the evening ones scheduled. Deterministic: the
 * same day and seed give the same games.
 */
export function busySaturday(opts: BusySaturdayOptions): EspnEvent[] {
  const day = checkDay(opts.day, 'busySaturday');
  const count = opts.games ?? 300;
  if (!Number.isInteger(count) || count < 1 || count > 999) throw new SimError('bad_games', 'games must be an integer from 1 to 999');
  const league = opts.league ?? CFB;
  const rand = seededRandom(opts.seed ?? hashString(`busy:${day}`));
  const templates = [
    ...readScoreboardFixture('cfb-scoreboard-2022-wk3-live-halftime').events,
    ...readScoreboardFixture('cfb-scoreboard-2025-wk1-sec-groups8-scheduled').events,
  ];
  const known = shuffle(leagueTeams(CFB), rand);
  const teams: TeamInfo[] = Array.from({ length: count * 2 }, (_, i) => {
    const t = known[i];
    if (t) return t;
    const id = String(900000 + i);
    return { id, uid: `s:20~l:23~t:${id}`, location: `Team ${i}`, name: 'Squad', abbreviation: `T${i}`, displayName: `Team ${i} Squad`, shortDisplayName: `Team ${i}` };
  });
  const touchdowns = () => {
    let s = 0;
    const drives = Math.floor(rand() * 8);
    for (let i = 0; i < drives; i++) s += rand() < 0.65 ? 7 : 3;
    return s;
  };
  const events: EspnEvent[] = [];
  for (let i = 0; i < count; i++) {
    const pick = rand();
    let acc = 0;
    const window = WINDOWS.find((w) => (acc += w.share) >= pick) ?? WINDOWS[WINDOWS.length - 1]!;
    const kickoff = easternInstant(day, window.hour, window.minutes[Math.floor(rand() * window.minutes.length)] ?? 0);
    let status: EspnStatus;
    const r = rand();
    if (window.hour === 12) status = r < 0.9 ? statusPresets.final(4) : statusPresets.inProgress(4, Math.floor(rand() * 900));
    else if (window.hour === 15) {
      if (r < 0.2) status = statusPresets.halftime();
      else if (r < 0.3) status = statusPresets.endOfPeriod(r < 0.25 ? 1 : 3);
      else status = statusPresets.inProgress(1 + Math.floor(rand() * 4), Math.floor(rand() * 900));
    } else status = statusPresets.scheduled(kickoff);
    const pre = status.type.state === 'pre';
    const home = teams[2 * i]!;
    const away = teams[2 * i + 1]!;
    const spread = Math.round((rand() * 40 - 20) * 2) / 2;
    const e = makeEvent({
      id: `8${toDates(day).slice(2)}${String(i).padStart(3, '0')}`,
      league,
      date: kickoff,
      home: { id: home.id, abbreviation: home.abbreviation, name: home.displayName, score: pre ? 0 : touchdowns() },
      away: { id: away.id, abbreviation: away.abbreviation, name: away.displayName, score: pre ? 0 : touchdowns() },
      status,
      ...(pre && rand() < 0.7
        ? { odds: { details: spread === 0 ? 'EVEN' : `${spread < 0 ? home.abbreviation : away.abbreviation} ${-Math.abs(spread)}`, overUnder: 40 + Math.round(rand() * 30) + 0.5, spread } }
        : {}),
      template: templates[i % templates.length]!,
    });
    for (const c of competitionOf(e).competitors) {
      const info = c.homeAway === 'home' ? home : away;
      if (info.logo) c.team.logo = info.logo;
    }
    if (status.type.state === 'in' && status.type.name === 'STATUS_IN_PROGRESS') competitionOf(e).situation = situationFor(e, league, rand() < 0.5, i);
    events.push(lean(e));
  }
  return events;
}
