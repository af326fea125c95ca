/**
 * US Eastern calendar arithmetic. ESPN files games under their Eastern date, so every
 * "which day" question here is asked in America/New_York, DST included.
 */

const TZ = 'America/New_York';

const wallFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: TZ,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  weekday: 'short',
});

export interface EasternWall {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: string; // Mon, Tue, …
}

export function easternWall(at: Date | number | string): EasternWall {
  const parts = wallFormat.formatToParts(typeof at === 'string' ? new Date(at) : at);
  const get = (t: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === t)?.value ?? '';
  return {
    year: Number(get('year')),
    month: Number(get('month')),
    day: Number(get('day')),
    hour: Number(get('hour')),
    minute: Number(get('minute')),
    second: Number(get('second')),
    weekday: get('weekday'),
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** YYYY-MM-DD in US Eastern time. */
export function easternDay(at: Date | number | string): string {
  const w = easternWall(at);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
}

/** YYYYMMDD in US Eastern time (ESPN's `dates` form). */
export function easternDates(at: Date | number | string): string {
  return easternDay(at).replaceAll('-', '');
}

export const toDates = (day: string): string => day.replaceAll('-', '');
export const fromDates = (dates: string): string => `${dates.slice(0, 4)}-${dates.slice(4, 6)}-${dates.slice(6, 8)}`;

/** A real calendar day written YYYY-MM-DD. */
export function isDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}

/** YYYY-MM-DD plus n calendar days. */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Whole calendar days from `from` to `to` (YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T12:00:00Z`) - Date.parse(`${from}T12:00:00Z`)) / 86_400_000);
}

/** The instant at which the Eastern wall clock reads `day` `hh:mm:ss`. */
export function easternInstant(day: string, hour: number, minute = 0, second = 0): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  // Eastern is UTC-4 (EDT) or UTC-5 (EST): keep the offset under which the wall clock matches.
  for (const offset of [4, 5]) {
    const candidate = new Date(Date.UTC(y, m - 1, d, hour + offset, minute, second));
    const w = easternWall(candidate);
    if (w.year === y && w.month === m && w.day === d && w.hour === hour && w.minute === minute) return candidate;
  }
  // Only inside the spring-forward gap (02:00-03:00) does neither match; an hour later exists.
  return new Date(Date.UTC(y, m - 1, d, hour + 4, minute, second));
}

/** ESPN writes instants to the minute: 2022-09-17T16:00Z. */
export function espnDate(at: Date): string {
  return `${at.toISOString().slice(0, 16)}Z`;
}

/**
 * Moves an instant by whole Eastern calendar days keeping its Eastern time of day (so a
 * 12:00 PM EDT kickoff in September stays 12:00 PM EST when moved into November).
 */
export function shiftInstant(at: Date, days: number): Date {
  if (days === 0) return new Date(at.getTime());
  const w = easternWall(at);
  const day = addDays(`${w.year}-${pad(w.month)}-${pad(w.day)}`, days);
  const moved = easternInstant(day, w.hour, w.minute, w.second);
  return new Date(moved.getTime() + (at.getTime() % 1000));
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function ordinalSuffix(n: number): string {
  const t = n % 100;
  if (t >= 11 && t <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
}

export function ordinal(n: number): string {
  return `${n}${ordinalSuffix(n)}`;
}

function zoneAbbreviation(at: Date): 'EDT' | 'EST' {
  const utcHour = at.getUTCHours();
  const w = easternWall(at);
  return (utcHour - w.hour + 24) % 24 === 4 ? 'EDT' : 'EST';
}

/** ESPN's scheduled-game texts: "Sat, September 17th at 2:00 PM EDT" and "9/17 - 2:00 PM EDT". */
export function scheduledTexts(at: Date): { detail: string; shortDetail: string } {
  const w = easternWall(at);
  const h12 = w.hour % 12 === 0 ? 12 : w.hour % 12;
  const time = `${h12}:${pad(w.minute)} ${w.hour < 12 ? 'AM' : 'PM'} ${zoneAbbreviation(at)}`;
  return {
    detail: `${w.weekday}, ${MONTHS[w.month - 1]} ${ordinal(w.day)} at ${time}`,
    shortDetail: `${w.month}/${w.day} - ${time}`,
  };
}
