/**
 * Pure edits of ESPN events: scores, status, re-dating, and building a new event from a
 * real one as template (so every field ESPN sends is present).
 */
import { SimError } from './errors.js';
import { LEAGUE_SOURCES, leagueTeams, readScoreboardFixture, type TeamInfo } from './fixtures.js';
import { statusPresets } from './status.js';
import { easternDay, espnDate, scheduledTexts, shiftInstant } from './time.js';
import type { EspnCompetition, EspnCompetitor, EspnEvent, EspnStatus } from './types.js';

export const cloneEvent = (e: EspnEvent): EspnEvent => structuredClone(e);

export function competitionOf(e: EspnEvent): EspnCompetition {
  const c = e.competitions?.[0];
  if (!c) throw new SimError('bad_event', `event ${e.id} has no competitions[0]`);
  return c;
}

export function sides(e: EspnEvent): { home: EspnCompetitor; away: EspnCompetitor } {
  const cs = competitionOf(e).competitors ?? [];
  const home = cs.find((c) => c.homeAway === 'home') ?? cs[0];
  const away = cs.find((c) => c.homeAway === 'away') ?? cs[1];
  if (!home || !away) throw new SimError('bad_event', `event ${e.id} lacks two competitors`);
  return { home, away };
}

/** The Eastern calendar day (YYYY-MM-DD) ESPN files the event under. */
export const eventDay = (e: EspnEvent): string => easternDay(e.date);

function toScoreString(v: number | string, side: string): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new SimError('bad_score', `${side} score must be a finite number or a string`);
    return String(v);
  }
  if (typeof v === 'string') return v;
  throw new SimError('bad_score', `${side} score must be a number or a string`);
}

function setWinners(e: EspnEvent): void {
  const { home, away } = sides(e);
  if (!e.status?.type?.completed) {
    delete home.winner;
    delete away.winner;
    return;
  }
  const h = Number(home.score);
  const a = Number(away.score);
  home.winner = Number.isFinite(h) && Number.isFinite(a) && h > a;
  away.winner = Number.isFinite(h) && Number.isFinite(a) && a > h;
}

/** Keeps the running period's linescore consistent with a new total (ESPN sends both). */
function fitLinescores(c: EspnCompetitor, total: number, period: number): void {
  if (!Number.isFinite(total)) return;
  const lines = c.linescores ?? [];
  const n = Math.max(1, Math.min(period || 1, 20));
  while (lines.length < n) lines.push({ value: 0, displayValue: '0', period: lines.length + 1 });
  const last = lines[lines.length - 1]!;
  const others = lines.slice(0, -1).reduce((s, l) => s + (Number(l.value) || 0), 0);
  const value = total - others;
  if (value < 0) return;
  last.value = value;
  if ('displayValue' in last) last.displayValue = String(value);
  c.linescores = lines;
}

/** Scores as ESPN writes them (strings); linescores and winners follow. Mutates `e`. */
export function applyScore(e: EspnEvent, score: { home: number | string; away: number | string }): EspnEvent {
  const { home, away } = sides(e);
  home.score = toScoreString(score.home, 'home');
  away.score = toScoreString(score.away, 'away');
  if (e.status?.type?.state !== 'pre') {
    const period = e.status?.period ?? 0;
    fitLinescores(home, Number(home.score), period);
    fitLinescores(away, Number(away.score), period);
  }
  setWinners(e);
  return e;
}

/** Sets event.status and competitions[0].status together. Mutates `e`. */
export function applyStatus(e: EspnEvent, status: EspnStatus): EspnEvent {
  const s = structuredClone(status);
  if (s.type?.name === 'STATUS_SCHEDULED' && s.type.detail === 'Scheduled') Object.assign(s.type, scheduledTexts(new Date(e.date)));
  e.status = s;
  competitionOf(e).status = structuredClone(s);
  setWinners(e);
  return e;
}

/** Football seasons run August to February and carry the year they started in. */
export function seasonYear(league: string, at: Date): number {
  const y = Number(easternDay(at).slice(0, 4));
  const m = Number(easternDay(at).slice(5, 7));
  return league.startsWith('football/') && m <= 6 ? y - 1 : y;
}

/**
 * Moves an event by whole Eastern days keeping its Eastern time of day: event.date,
 * every competition's date/startDate, a scheduled game's kickoff texts, and the season
 * year by whole years moved (a 2022 game moved to 2026 is a 2026-season game). Mutates `e`.
 */
export function shiftEvent(e: EspnEvent, days: number): EspnEvent {
  if (days === 0) return e;
  const before = new Date(e.date);
  e.date = espnDate(shiftInstant(before, days));
  for (const c of e.competitions ?? []) {
    if (typeof c.date === 'string') c.date = espnDate(shiftInstant(new Date(c.date), days));
    if (typeof c.startDate === 'string') c.startDate = espnDate(shiftInstant(new Date(c.startDate), days));
    if (c.status?.type?.name === 'STATUS_SCHEDULED') Object.assign(c.status.type, scheduledTexts(new Date(c.date)));
  }
  if (e.status?.type?.name === 'STATUS_SCHEDULED') Object.assign(e.status.type, scheduledTexts(new Date(e.date)));
  const years = Math.round(days / 365.25);
  if (years !== 0 && e.season && typeof e.season.year === 'number') e.season.year += years;
  return e;
}

export interface MakeEventTeam {
  id: string;
  abbreviation: string;
  /** display name, e.g. 'Michigan Wolverines'; looked up in the league's team list when absent */
  name?: string;
  score?: number | string;
}

export interface MakeEventOptions {
  id: string;
  /** 'sport/league' */
  league: string;
  date: Date | string;
  home: MakeEventTeam;
  away: MakeEventTeam;
  status?: EspnStatus;
  /** spread is the home side's (ESPN's `spread`: +2.5 means the away side gives 2.5); parsed from details when absent */
  odds?: { details: string; overUnder: number; spread?: number };
  /** a fixture event to copy instead of the league's default template */
  template?: EspnEvent;
}

const templateCache = new Map<string, EspnEvent>();

/** A real pre-game event of the league (with odds), the shape new events copy. */
export function templateEvent(league: string): EspnEvent {
  const key = LEAGUE_SOURCES[league] ? league : 'football/college-football';
  let t = templateCache.get(key);
  if (!t) {
    const events = readScoreboardFixture(LEAGUE_SOURCES[key]!.template).events;
    t = events.find((e) => e.status?.type?.state === 'pre' && e.competitions?.[0]?.odds) ?? events[0]!;
    templateCache.set(key, t);
  }
  return structuredClone(t);
}

const slugOf = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

function teamInfoFor(league: string, t: MakeEventTeam): TeamInfo {
  const known = leagueTeams(league).find((x) => x.id === t.id);
  if (known && (t.name === undefined || t.name === known.displayName)) return { ...known, abbreviation: t.abbreviation || known.abbreviation };
  const displayName = t.name ?? known?.displayName ?? t.abbreviation;
  const words = displayName.split(' ');
  const nickname = words.length > 1 ? words[words.length - 1]! : displayName;
  const location = words.length > 1 ? words.slice(0, -1).join(' ') : displayName;
  return {
    id: t.id,
    uid: known?.uid ?? '',
    location,
    name: nickname,
    abbreviation: t.abbreviation,
    displayName,
    shortDisplayName: nickname,
    color: known?.color,
    alternateColor: known?.alternateColor,
    logo: known?.logo,
  };
}

function rewriteTeam(c: EspnCompetitor, info: TeamInfo): void {
  const old = c.team;
  const oldId = old.id;
  const oldSlug = slugOf(old.displayName ?? '');
  const uidPrefix = (old.uid ?? c.uid ?? 's:20~l:23~t:0').replace(/~t:[^~]*$/, '');
  const uid = info.uid || `${uidPrefix}~t:${info.id}`;
  const idPattern = new RegExp(`([/:=])${oldId}(?![0-9])`, 'g');
  const href = (h: string) => h.replaceAll(`/${oldId}/${oldSlug}`, `/${info.id}/${slugOf(info.displayName)}`).replace(idPattern, `$1${info.id}`);
  let logo = info.logo;
  if (!logo && typeof old.logo === 'string') {
    logo = old.logo.includes(`/${oldId}.png`)
      ? old.logo.replace(`/${oldId}.png`, `/${info.id}.png`)
      : old.logo.replace(/\/[a-z0-9]+\.png$/, `/${info.abbreviation.toLowerCase()}.png`);
  }
  c.id = info.id;
  c.uid = uid;
  c.team = {
    ...old,
    id: info.id,
    uid,
    location: info.location,
    name: info.name,
    abbreviation: info.abbreviation,
    displayName: info.displayName,
    shortDisplayName: info.shortDisplayName,
    ...(info.color ? { color: info.color } : {}),
    ...(info.alternateColor ? { alternateColor: info.alternateColor } : {}),
    ...(Array.isArray(old.links) ? { links: (old.links as { href?: string }[]).map((l) => (typeof l.href === 'string' ? { ...l, href: href(l.href) } : l)) } : {}),
    ...(logo ? { logo } : {}),
  };
  if ('curatedRank' in c) c.curatedRank = { current: 99 };
}

/** Splits a total over the periods played so far (synthetic but consistent). */
export function spreadLinescores(total: number, periods: number): { value: number; displayValue: string; period: number }[] {
  const n = Math.max(1, periods);
  const base = Math.floor(total / n);
  return Array.from({ length: n }, (_, i) => {
    const value = i === n - 1 ? total - base * (n - 1) : base;
    return { value, displayValue: String(value), period: i + 1 };
  });
}

/** A minimal live-play situation like ESPN's (possession, down and distance, timeouts). */
export function situationFor(e: EspnEvent, league: string, possessionHome = true, seed = 0): Record<string, unknown> {
  const { home, away } = sides(e);
  const [sport, slug] = league.split('/');
  const offense = possessionHome ? home : away;
  const defense = possessionHome ? away : home;
  const down = 1 + (seed % 4);
  const distance = [10, 7, 3, 1, 10, 5][seed % 6]!;
  const yardLine = 20 + ((seed * 7) % 70); // distance from the offense's own goal line
  const own = yardLine <= 50;
  const spot = own ? yardLine : 100 - yardLine;
  const side = own ? offense.team.abbreviation : defense.team.abbreviation;
  const ord = ['1st', '2nd', '3rd', '4th'][down - 1]!;
  return {
    $ref: `http://sports.core.api.espn.pvt/v2/sports/${sport}/leagues/${slug}/events/${e.id}/competitions/${e.id}/situation?lang=en&region=us`,
    down,
    yardLine: possessionHome ? 100 - yardLine : yardLine,
    distance,
    downDistanceText: `${ord} & ${distance} at ${side} ${spot}`,
    shortDownDistanceText: `${ord} & ${distance}`,
    possessionText: `${side} ${spot}`,
    isRedZone: !own && spot <= 20,
    homeTimeouts: 3 - (seed % 2),
    awayTimeouts: 3 - (seed % 3 === 0 ? 1 : 0),
    possession: offense.team.id,
  };
}

function buildOdds(template: Record<string, unknown> | undefined, home: TeamInfo, away: TeamInfo, odds: NonNullable<MakeEventOptions['odds']>) {
  let spread = odds.spread;
  if (spread === undefined) {
    const m = /^([A-Z0-9&]+)\s+([-+]?\d+(?:\.\d+)?)$/i.exec(odds.details.trim());
    const line = m ? Math.abs(Number(m[2])) : 0;
    spread = m?.[1] === away.abbreviation ? line : m?.[1] === home.abbreviation ? -line : 0;
  }
  const ref = (t: TeamInfo) => ({ id: t.id, uid: t.uid, abbreviation: t.abbreviation, name: t.name, displayName: t.displayName, ...(t.logo ? { logo: t.logo } : {}) });
  const side = (t: TeamInfo, favorite: boolean) => ({ favorite, underdog: !favorite && spread !== 0, team: ref(t) });
  return {
    ...(template ?? { provider: { id: '58', name: 'ESPN BET', priority: 1 } }),
    details: odds.details,
    overUnder: odds.overUnder,
    spread,
    awayTeamOdds: { ...((template?.awayTeamOdds as object) ?? {}), ...side(away, spread > 0) },
    homeTeamOdds: { ...((template?.homeTeamOdds as object) ?? {}), ...side(home, spread < 0) },
  };
}

/**
 * A realistic event: a real fixture event of the league with ids, teams, names, logos,
 * date, status and scores rewritten. Unknown teams get the given names; known ids get
 * ESPN's real names, colours and logos.
 */
export function makeEvent(opts: MakeEventOptions): EspnEvent {
  if (typeof opts.id !== 'string' || opts.id === '') throw new SimError('bad_event', 'makeEvent needs a string id');
  const when = new Date(opts.date);
  if (Number.isNaN(when.getTime())) throw new SimError('bad_event', `makeEvent: bad date ${String(opts.date)}`);
  const template = opts.template ? structuredClone(opts.template) : templateEvent(opts.league);
  const e = JSON.parse(JSON.stringify(template).replaceAll(template.id, opts.id)) as EspnEvent;
  const c = competitionOf(e);
  const { home, away } = sides(e);
  const homeInfo = teamInfoFor(opts.league, opts.home);
  const awayInfo = teamInfoFor(opts.league, opts.away);
  rewriteTeam(home, homeInfo);
  rewriteTeam(away, awayInfo);

  e.date = espnDate(when);
  c.date = e.date;
  c.startDate = e.date;
  e.name = `${awayInfo.displayName} at ${homeInfo.displayName}`;
  e.shortName = `${awayInfo.abbreviation} @ ${homeInfo.abbreviation}`;
  if (e.season) e.season.year = seasonYear(opts.league, when);

  const status = opts.status ?? statusPresets.scheduled(when);
  applyStatus(e, status);
  const state = status.type.state;
  const periods = Math.max(1, Math.min(status.period || 1, 20));
  for (const [comp, team] of [
    [home, opts.home],
    [away, opts.away],
  ] as const) {
    const score = team.score === undefined ? '0' : toScoreString(team.score, comp.homeAway);
    comp.score = score;
    if (state === 'pre' || !Number.isFinite(Number(score))) delete comp.linescores;
    else comp.linescores = spreadLinescores(Number(score), periods);
    delete comp.leaders;
    if (Array.isArray(comp.statistics)) comp.statistics = [];
  }
  setWinners(e);

  if (opts.odds) c.odds = [buildOdds(c.odds?.[0], homeInfo, awayInfo, opts.odds)];
  else delete c.odds;
  delete c.leaders;
  if (state === 'in') c.situation = situationFor(e, opts.league);
  else delete c.situation;
  return e;
}
