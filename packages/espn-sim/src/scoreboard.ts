/** What ESPN's scoreboard route decides from a request alone: route, user agent, dates, limit. */
import { LEAGUE_SOURCES, readScoreboardFixture } from './fixtures.js';
import { easternDates, fromDates } from './time.js';
import type { EspnScoreboard } from './types.js';

export const SCOREBOARD_PREFIX = '/apis/site/v2/sports';

export function parseScoreboardPath(pathname: string): { sport: string; league: string } | null {
  const m = /^\/apis\/site\/v2\/sports\/([^/]+)\/([^/]+)\/scoreboard$/.exec(pathname);
  if (!m) return null;
  try {
    return { sport: decodeURIComponent(m[1]!), league: decodeURIComponent(m[2]!) };
  } catch {
    return null;
  }
}

/** Substrings of library-default user agents ESPN answers 403 (matched case-insensitively). */
const REFUSED_AGENTS = ['mozilla/', 'got (', 'got/', 'node-fetch', 'axios/', 'undici', 'python-requests', 'python-urllib', 'curl/', 'go-http-client', 'okhttp', 'wget/'];

/**
 * ESPN refuses empty, browser-like and library-default agents. `node` is what Node's
 * built-in fetch sends when nobody sets one.
 */
export function userAgentRefused(ua: string | null | undefined): boolean {
  const v = (ua ?? '').trim().toLowerCase();
  if (v === '' || v === 'node' || v === 'got' || v === 'undici') return true;
  return REFUSED_AGENTS.some((s) => v.includes(s));
}

export type DatesPlan =
  | { kind: 'day'; dates: string }
  | { kind: 'prefix'; prefix: string } // YYYYMM or YYYY: ESPN answers a month or a year
  | { kind: 'bad'; reason: 'range' | 'invalid' };

function realDay(yyyymmdd: string): boolean {
  const d = new Date(`${fromDates(yyyymmdd)}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === fromDates(yyyymmdd);
}

/** `dates` as ESPN reads it; without it, the sim clock's Eastern day. */
export function planDates(dates: string | null, now: Date): DatesPlan {
  if (dates === null || dates === '') return { kind: 'day', dates: easternDates(now) };
  if (/^\d{8}-\d{8}$/.test(dates)) return { kind: 'bad', reason: 'range' };
  if (/^\d{8}$/.test(dates)) return realDay(dates) ? { kind: 'day', dates } : { kind: 'bad', reason: 'invalid' };
  if (/^\d{6}$/.test(dates)) {
    const month = Number(dates.slice(4, 6));
    return month >= 1 && month <= 12 ? { kind: 'prefix', prefix: dates } : { kind: 'bad', reason: 'invalid' };
  }
  if (/^\d{4}$/.test(dates)) return { kind: 'prefix', prefix: dates };
  return { kind: 'bad', reason: 'invalid' };
}

/** ESPN silently caps a `limit` above 500 at 25 events; up to 500 it returns the whole day. */
export function eventCap(limit: number | null): number | null {
  return limit !== null && limit > 500 ? 25 : null;
}

export function parseLimit(raw: string | null): number | null {
  if (raw === null || !/^\d+$/.test(raw.trim())) return null;
  return Number(raw.trim());
}

/** ESPN's error bodies (the 400 text is what it answers to date ranges). */
export function errorBody(status: number): { code: number; message: string } {
  const messages: Record<number, string> = {
    400: 'Failed to get events endpoint.',
    403: 'Forbidden',
    404: 'Not Found',
    405: 'Method Not Allowed',
    429: 'Too Many Requests',
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    504: 'Gateway Timeout',
  };
  return { code: status, message: messages[status] ?? 'Error' };
}

/** The HTML an edge proxy answers when the origin is down: a 200 that is not JSON. */
export const MALFORMED_BODY =
  '<!DOCTYPE html>\n<html><head><title>ESPN - Service Unavailable</title></head>\n<body><h1>We\'re sorry</h1><p>The page you requested is temporarily unavailable. Please try again later.</p>\n<!-- edge: origin timeout --></body></html>\n';

export interface LeagueMeta {
  leagues: Record<string, unknown>[];
  season?: { type: number; year: number; [key: string]: unknown };
  week?: { number: number; [key: string]: unknown };
}

const defaultMeta = new Map<string, LeagueMeta>();

/** The leagues/season/week blocks a league's responses carry when nothing else said. */
export function defaultLeagueMeta(league: string): LeagueMeta {
  const cached = defaultMeta.get(league);
  if (cached) return structuredClone(cached);
  const source = LEAGUE_SOURCES[league];
  let meta: LeagueMeta;
  if (source) {
    const body = readScoreboardFixture(source.scoreboard);
    meta = metaOf(body);
  } else {
    const [sport = league, slug = league] = league.split('/');
    meta = { leagues: [{ id: '0', uid: 's:0~l:0', name: slug.toUpperCase(), abbreviation: slug.toUpperCase(), slug, sport }] };
  }
  defaultMeta.set(league, meta);
  return structuredClone(meta);
}

export function metaOf(body: EspnScoreboard): LeagueMeta {
  return {
    leagues: structuredClone(body.leagues),
    ...(body.season ? { season: structuredClone(body.season) } : {}),
    ...(body.week ? { week: structuredClone(body.week) } : {}),
  };
}

/**
 * A scoreboard response stitched from cached event JSON: `{ leagues, [groups], season,
 * week, day, events }` in ESPN's key order.
 */
export function scoreboardJson(
  meta: LeagueMeta,
  eventsJson: string[],
  opts: { day?: string; groups?: string | null; firstEvent?: { season?: unknown; week?: unknown } },
): string {
  const season = meta.season ?? pickSeason(opts.firstEvent?.season);
  const week = meta.week ?? pickWeek(opts.firstEvent?.week);
  const head: Record<string, unknown> = { leagues: meta.leagues };
  if (opts.groups) head.groups = [opts.groups];
  if (season) head.season = season;
  if (week) head.week = week;
  if (opts.day) head.day = { date: opts.day };
  const prefix = JSON.stringify(head);
  return `${prefix.slice(0, -1)},"events":[${eventsJson.join(',')}]}`;
}

function pickSeason(s: unknown): { type: number; year: number } | undefined {
  if (typeof s === 'object' && s !== null && 'year' in s && 'type' in s) {
    const { year, type } = s;
    if (typeof year === 'number' && typeof type === 'number') return { type, year };
  }
  return undefined;
}

function pickWeek(w: unknown): { number: number } | undefined {
  if (typeof w === 'object' && w !== null && 'number' in w && typeof w.number === 'number') return { number: w.number };
  return undefined;
}
