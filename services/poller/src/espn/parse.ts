import { check, Game, type TeamLine } from '@scores/contracts';
import { EspnEventError, EspnShapeError } from './errors.js';
import { parseOdds } from './odds.js';
import { arr, fail, idOf, int, isRecord, num, rec, str, type Rec } from './read.js';
import { readStatus, scoresVoid, settleStatus, type StatusKind } from './status.js';

export { EspnEventError, EspnShapeError } from './errors.js';

/** The two path segments of ESPN's URL: `football/college-football`. */
export interface LeagueRef {
  sport: string;
  league: string;
}

/** An event left out of `games`, with why. `eventId` is null when the event had no usable id. */
export interface Skipped {
  eventId: string | null;
  reason: string;
}

export interface ParsedScoreboard {
  /** Each one valid against the contracts' Game schema. */
  games: Game[];
  /** Events in the response, before skipping (ESPN's cap shows as exactly 25). */
  eventCount: number;
  /** Events that are not the shape we know: skipped, the rest of the response is used. */
  malformed: Skipped[];
  /** Well-formed but not publishable yet, e.g. a final without both scores. */
  suspicious: Skipped[];
}

export interface TeamRecord {
  id: string;
  abbreviation: string;
  name: string | null;
  shortName: string | null;
  logo: string | null;
  /** ESPN's hex colour without '#', e.g. "a40227". */
  color: string | null;
}

// Game ids, sports and leagues become NATS subject tokens.
const SUBJECT_SAFE = /^[A-Za-z0-9_-]+$/;

/** 'football/college-football' → { sport: 'football', league: 'college-football' }. */
export function leagueRef(path: string): LeagueRef {
  const parts = path.trim().split('/');
  const [sport, league] = parts;
  if (parts.length !== 2 || !sport || !league || !SUBJECT_SAFE.test(sport) || !SUBJECT_SAFE.test(league)) {
    throw new TypeError(`not a sport/league path: "${path}"`);
  }
  return { sport, league };
}

/** One `…/scoreboard` response. Throws EspnShapeError only when the whole body is unusable. */
export function parseScoreboard(body: unknown, league: LeagueRef): ParsedScoreboard {
  if (!isRecord(body)) throw new EspnShapeError('scoreboard response is not an object');
  const events = arr(body.events);
  if (!events) throw new EspnShapeError('scoreboard response has no events array');

  const fallback: Fallbacks = {
    season: seasonOf(body.season) ?? seasonOf(rec(arr(body.leagues)?.[0])?.season),
    week: weekOf(body.week),
  };
  const leagueProblem = leagueRefProblem(league);
  const out: ParsedScoreboard = { games: [], eventCount: events.length, malformed: [], suspicious: [] };
  const seen = new Set<string>();

  for (const raw of events) {
    const eventId = idOf(rec(raw)?.id) ?? null;
    try {
      if (leagueProblem) fail(leagueProblem);
      if (eventId !== null && seen.has(eventId)) fail('duplicate event id in one response');
      const { game, kind } = buildGame(sourceFromEvent(raw, fallback), league);
      if (eventId !== null) seen.add(eventId);
      if (kind === 'final' && !game.status.completed) {
        out.suspicious.push({ eventId, reason: 'final without both scores' });
      } else {
        out.games.push(game);
      }
    } catch (err) {
      // Anything thrown while reading one event costs that event only, never the poll.
      out.malformed.push({ eventId, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  return out;
}

/** One `…/summary?event=ID` response (its `header.competitions[0]`). */
export function parseSummary(body: unknown, league: LeagueRef): Game {
  if (!isRecord(body)) throw new EspnShapeError('summary response is not an object');
  const header = rec(body.header);
  const competition = rec(arr(header?.competitions)?.[0]);
  if (!header || !competition) throw new EspnShapeError('summary response has no header.competitions[0]');
  const problem = leagueRefProblem(league);
  if (problem) throw new EspnShapeError(problem);
  try {
    const { game, kind } = buildGame(
      {
        id: header.id ?? competition.id,
        date: competition.date,
        season: seasonOf(header.season),
        week: weekOf(header.week),
        competition,
        status: competition.status,
        odds: arr(body.pickcenter)?.[0] ?? arr(competition.odds)?.[0],
        situation: rec(competition.situation) ?? rec(body.situation),
      },
      league,
    );
    if (kind === 'final' && !game.status.completed) {
      throw new EspnEventError('final without both scores');
    }
    return game;
  } catch (err) {
    if (err instanceof EspnShapeError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new EspnShapeError(`summary event unusable: ${message}`, { cause: err });
  }
}

/**
 * A `…/teams` response (`sports[].leagues[].teams[].team`). Entries without an id or an
 * abbreviation are left out: one broken entry should not cost the whole list.
 */
export function parseTeams(body: unknown): TeamRecord[] {
  const lists: unknown[][] = [];
  for (const sport of arr(rec(body)?.sports) ?? []) {
    for (const lg of arr(rec(sport)?.leagues) ?? []) {
      const teams = arr(rec(lg)?.teams);
      if (teams) lists.push(teams);
    }
  }
  if (lists.length === 0) throw new EspnShapeError('teams response has no sports[].leagues[].teams array');

  const out: TeamRecord[] = [];
  const seen = new Set<string>();
  for (const entry of lists.flat()) {
    const t = rec(rec(entry)?.team) ?? rec(entry);
    const id = idOf(t?.id);
    const abbreviation = str(t?.abbreviation);
    if (!t || id === undefined || abbreviation === undefined || seen.has(id)) continue;
    seen.add(id);
    out.push({
      id,
      abbreviation,
      name: str(t.displayName) ?? null,
      shortName: str(t.shortDisplayName) ?? null,
      logo: logoOf(t),
      color: str(t.color) ?? null,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

interface Season {
  year: number;
  type: number;
}

interface Fallbacks {
  season: Season | undefined;
  week: number | null;
}

/** What a scoreboard event and a summary header have in common, already located. */
interface Source {
  id: unknown;
  date: unknown;
  season: Season | undefined;
  week: number | null;
  competition: Rec;
  status: unknown;
  odds: unknown;
  situation: Rec | undefined;
}

function leagueRefProblem(league: LeagueRef): string | undefined {
  if (!SUBJECT_SAFE.test(league.sport) || !SUBJECT_SAFE.test(league.league)) {
    return `sport/league not subject-safe: ${league.sport}/${league.league}`;
  }
  return undefined;
}

function sourceFromEvent(raw: unknown, fallback: Fallbacks): Source {
  const event = rec(raw) ?? fail('event is not an object');
  const competition = rec(arr(event.competitions)?.[0]) ?? fail('event has no competitions[0]');
  return {
    id: event.id,
    date: event.date ?? competition.date,
    season: seasonOf(event.season) ?? fallback.season,
    week: weekOf(event.week) ?? fallback.week,
    competition,
    status: competition.status ?? event.status,
    odds: arr(competition.odds)?.[0],
    situation: rec(competition.situation),
  };
}

function buildGame(src: Source, league: LeagueRef): { game: Game; kind: StatusKind } {
  const id = idOf(src.id) ?? fail('event has no id');
  if (!SUBJECT_SAFE.test(id)) fail(`event id not subject-safe: ${id}`);
  const season = src.season ?? fail('no season on the event or the response');
  const kickoff = kickoffOf(src.date);

  const competitors = arr(src.competition.competitors) ?? fail('competition has no competitors array');
  const home = sideOf(competitors, 'home');
  const away = sideOf(competitors, 'away');

  // The status first: in a game not played (pre, postponed, canceled) the scores are null
  // whatever ESPN sent ("0", "", "-", "TBD"...), so they are not even read there, and what
  // ESPN puts in them can never cost the game. Elsewhere they are read strictly.
  const read = readStatus(withPeriod(src.status, home, away));
  const noScores = scoresVoid(read);
  const homeScore = noScores ? null : scoreOf(home.score, 'home');
  const awayScore = noScores ? null : scoreOf(away.score, 'away');
  const { status, kind } = noScores ? read : settleStatus(read, { home: homeScore, away: awayScore });
  const [homeWins, awayWins] = status.completed ? winners(home, away, homeScore!, awayScore!) : [null, null];

  const homeLine = teamLineOf(home, homeScore, homeWins);
  const awayLine = teamLineOf(away, awayScore, awayWins);
  const game: Game = {
    id,
    sport: league.sport,
    league: league.league,
    season,
    week: src.week,
    kickoff,
    status,
    home: homeLine,
    away: awayLine,
    possession: status.state === 'in' ? possessionOf(src.situation, competitors, homeLine, awayLine) : null,
    broadcasts: broadcastsOf(src.competition),
    odds: parseOdds(src.odds, homeLine.abbreviation, awayLine.abbreviation),
  };
  try {
    return { game: check(Game, game), kind };
  } catch (err) {
    // The schema is the last guard: what it refuses is never published.
    throw new EspnEventError(err instanceof Error ? err.message : String(err), { cause: err });
  }
}

/**
 * Summaries leave `period` out of the status; the linescores still say how many periods were
 * played, so a game reads the same whether it came from a scoreboard or a summary.
 */
function withPeriod(status: unknown, home: Rec, away: Rec): unknown {
  const s = rec(status);
  if (!s || (s.period !== undefined && s.period !== null)) return status;
  const played = Math.max(arr(home.linescores)?.length ?? 0, arr(away.linescores)?.length ?? 0);
  return played > 0 ? { ...s, period: played } : status;
}

function seasonOf(v: unknown): Season | undefined {
  const s = rec(v);
  if (!s) return undefined;
  const year = int(s.year);
  // Event and top-level seasons carry `type: 2`; leagues[0].season carries `type: { type: 2 }`.
  const t = rec(s.type);
  const type = t ? (int(t.type) ?? int(t.id)) : int(s.type);
  return year === undefined || type === undefined ? undefined : { year, type };
}

/** Scoreboards carry `week: { number }`, summaries a bare number. */
function weekOf(v: unknown): number | null {
  const w = typeof v === 'object' ? int(rec(v)?.number) : int(v);
  return w ?? null;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** ESPN sends "2022-09-17T16:00Z"; we publish "2022-09-17T16:00:00.000Z". */
function kickoffOf(v: unknown): string {
  const s = str(v);
  if (s === undefined || !ISO_DATE.test(s)) fail(`event date is not an ISO 8601 time: ${String(v)}`);
  const ms = Date.parse(s);
  // Date.parse rolls "02-30" over into March; a calendar date must exist as written.
  const [y, m, d] = [Number(s.slice(0, 4)), Number(s.slice(5, 7)), Number(s.slice(8, 10))];
  if (Number.isNaN(ms) || new Date(Date.UTC(y, m - 1, d)).getUTCDate() !== d) fail(`event date is not a real time: ${s}`);
  return new Date(ms).toISOString();
}

function sideOf(competitors: unknown[], homeAway: 'home' | 'away'): Rec {
  let found: Rec | undefined;
  for (const c of competitors) {
    const r = rec(c);
    if (r?.homeAway !== homeAway) continue;
    if (found) fail(`two ${homeAway} competitors`);
    found = r;
  }
  return found ?? fail(`no ${homeAway} competitor`);
}

/**
 * A score of a game that is being or has been played (never called for pre, postponed or
 * canceled games). ESPN sends strings; numbers and `{ value, displayValue }` objects are
 * accepted too. Missing or empty is null (no score yet: a final without it is not completed);
 * anything else non-numeric, or negative, refuses the event.
 */
function scoreOf(v: unknown, side: string): number | null {
  const raw = isRecord(v) ? (v.value ?? v.displayValue) : v;
  if (raw === undefined || raw === null || raw === '') return null;
  const n = num(raw);
  if (n === undefined || n < 0) fail(`${side} score is not a number: ${JSON.stringify(v)}`);
  return n;
}

/** ESPN's `winner` flags when both sides carry one; otherwise from the scores (a tie: neither). */
function winners(home: Rec, away: Rec, homeScore: number, awayScore: number): [boolean, boolean] {
  if (typeof home.winner === 'boolean' && typeof away.winner === 'boolean') return [home.winner, away.winner];
  return [homeScore > awayScore, awayScore > homeScore];
}

function teamLineOf(c: Rec, score: number | null, winner: boolean | null): TeamLine {
  const team = rec(c.team) ?? fail('competitor has no team');
  const teamId = idOf(team.id) ?? idOf(c.id) ?? fail('team has no id');
  const abbreviation = str(team.abbreviation) ?? fail(`team ${teamId} has no abbreviation`);
  // Undecided teams (ids -1/-2, "TBD") have no name; never publish a placeholder as a name.
  const tbd = teamId.startsWith('-') || abbreviation === 'TBD';
  return {
    teamId,
    abbreviation,
    name: tbd ? null : (str(team.displayName) ?? null),
    score,
    winner,
    logo: logoOf(team),
  };
}

function logoOf(team: Rec): string | null {
  return str(team.logo) ?? str(rec(arr(team.logos)?.[0])?.href) ?? null;
}

/** Scoreboards: `situation.possession` (a team id). Summaries: a `possession: true` competitor. */
function possessionOf(
  situation: Rec | undefined,
  competitors: unknown[],
  home: TeamLine,
  away: TeamLine,
): 'home' | 'away' | null {
  const teamId = idOf(situation?.possession);
  if (teamId !== undefined) {
    if (teamId === home.teamId) return 'home';
    if (teamId === away.teamId) return 'away';
    return null;
  }
  let side: 'home' | 'away' | null = null;
  for (const c of competitors) {
    const r = rec(c);
    if (r?.possession !== true) continue;
    if (side !== null) return null;
    side = r.homeAway === 'home' ? 'home' : r.homeAway === 'away' ? 'away' : null;
  }
  return side;
}

/**
 * Network names, de-duplicated in ESPN's order: `broadcasts[].names` (scoreboards) or
 * `broadcasts[].media.shortName` (summaries); else the `broadcast` string; else
 * `geoBroadcasts[].media.shortName`. Radio is left out of the media forms, because the `names`
 * form (what the scoreboard shows) never lists radio.
 */
function broadcastsOf(competition: Rec): string[] {
  const out = new Set<string>();
  for (const b of arr(competition.broadcasts) ?? []) {
    const r = rec(b);
    if (!r) continue;
    const names = arr(r.names);
    if (names) {
      for (const n of names) {
        const s = str(n);
        if (s) out.add(s.trim());
      }
    } else {
      addMedia(r, out);
    }
  }
  if (out.size === 0) {
    const single = str(competition.broadcast)?.trim();
    if (single) out.add(single);
  }
  if (out.size === 0) {
    for (const g of arr(competition.geoBroadcasts) ?? []) {
      const r = rec(g);
      if (r) addMedia(r, out);
    }
  }
  out.delete('');
  return [...out];
}

function addMedia(r: Rec, out: Set<string>): void {
  if (str(rec(r.type)?.shortName)?.toLowerCase() === 'radio') return;
  const name = str(rec(r.media)?.shortName);
  if (name) out.add(name.trim());
}
