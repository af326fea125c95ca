/** ESPN files games under their US Eastern date; so do our `date` filters. */
const easternDay = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'America/New_York',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

// Intl formatting costs microseconds a call, and a poll asks for the day of every game's
// kickoff (the same few hundred instants each time): remembered, bounded.
const dayOfInstant = new Map<number, string>();

/** YYYY-MM-DD in US Eastern time. */
export function easternDate(at: Date | number | string): string {
  const ms = typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : at.getTime();
  if (Number.isNaN(ms)) return easternDay.format(new Date(NaN)); // throws the RangeError it always did
  let day = dayOfInstant.get(ms);
  if (day === undefined) {
    day = easternDay.format(ms);
    if (dayOfInstant.size >= 8192) dayOfInstant.clear();
    dayOfInstant.set(ms, day);
  }
  return day;
}

/** YYYY-MM-DD plus n calendar days (no time zone involved). */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Every day from `from` to `to` inclusive. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

export const isDay = (s: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

/** The UTC instants at which an Eastern day starts and ends (DST aware). */
export function easternDayBounds(day: string): { start: Date; end: Date } {
  return { start: easternMidnight(day), end: easternMidnight(addDays(day, 1)) };
}

function easternMidnight(day: string): Date {
  // Eastern is UTC-5 or UTC-4: try both and keep the one that is midnight there.
  for (const offset of [4, 5]) {
    const candidate = new Date(`${day}T${String(offset).padStart(2, '0')}:00:00.000Z`);
    if (easternDate(candidate) === day && easternDate(candidate.getTime() - 1) !== day) return candidate;
  }
  return new Date(`${day}T05:00:00.000Z`);
}
