/**
 * Recordings: a directory with one file per poll,
 * `<ISO time, ':' as '-'>__<sport>__<league>__<YYYYMMDD>.json`, each the scoreboard body
 * as ESPN sent it. Shared with the CLI's `record` and `replay`.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SimError } from './errors.js';
import { shiftEvent } from './events.js';
import { daysBetween, easternDay, fromDates } from './time.js';
import type { EspnEvent, EspnScoreboard, Recording, Snapshot } from './types.js';

const FILE = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2}(?:\.\d+)?)Z__([^_]+(?:_[^_]+)*)__([^_]+(?:_[^_]+)*)__(\d{8})\.json$/;

export function snapshotFileName(s: { at: Date; league: string; day: string }): string {
  const [sport, league] = s.league.split('/');
  if (!sport || !league || s.league.split('/').length !== 2) throw new SimError('bad_snapshot', `league must be sport/league, got ${JSON.stringify(s.league)}`);
  if (!/^\d{8}$/.test(s.day)) throw new SimError('bad_snapshot', `day must be YYYYMMDD, got ${JSON.stringify(s.day)}`);
  if (Number.isNaN(s.at.getTime())) throw new SimError('bad_snapshot', 'snapshot time is not a valid date');
  return `${s.at.toISOString().replaceAll(':', '-')}__${sport}__${league}__${s.day}.json`;
}

export function parseSnapshotFileName(name: string): { at: Date; league: string; day: string } | null {
  const m = FILE.exec(name);
  if (!m) return null;
  const at = new Date(`${m[1]}T${m[2]}:${m[3]}:${m[4]}Z`);
  if (Number.isNaN(at.getTime())) return null;
  return { at, league: `${m[5]}/${m[6]}`, day: m[7]! };
}

function checkBody(body: unknown, where: string): EspnScoreboard {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as EspnScoreboard).events)) {
    throw new SimError('bad_snapshot', `${where}: not a scoreboard (no events array)`);
  }
  return body as EspnScoreboard;
}

/** Writes one poll; returns the file's path. */
export function writeSnapshot(dir: string, snapshot: Snapshot): string {
  checkBody(snapshot.body, 'writeSnapshot');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, snapshotFileName(snapshot));
  writeFileSync(path, JSON.stringify(snapshot.body));
  return path;
}

export function writeRecording(dir: string, rec: Recording): string[] {
  return rec.snapshots.map((s) => writeSnapshot(dir, s));
}

/** Every snapshot in `dir` (files that do not follow the naming are ignored), oldest first. */
export function readRecording(dir: string): Recording {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    names = readdirSync(dir);
  } catch (err) {
    throw new SimError('recording_not_found', `no recording directory at ${dir}`, { cause: err });
  }
  const snapshots: Snapshot[] = [];
  for (const name of names) {
    const meta = parseSnapshotFileName(name);
    if (!meta) continue;
    let body: unknown;
    try {
      body = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    } catch (err) {
      throw new SimError('bad_snapshot', `${join(dir, name)} is not valid JSON`, { cause: err });
    }
    snapshots.push({ ...meta, body: checkBody(body, join(dir, name)) });
  }
  snapshots.sort((a, b) => a.at.getTime() - b.at.getTime() || a.league.localeCompare(b.league) || a.day.localeCompare(b.day));
  return { snapshots };
}

/**
 * The recording's game day (YYYY-MM-DD): the Eastern day it started on when it polled that
 * day, else the earliest day it polled.
 */
export function recordingFirstDay(rec: Recording): string {
  const first = rec.snapshots[0];
  if (!first) throw new SimError('empty_recording', 'the recording has no snapshots');
  const startDay = easternDay(first.at);
  const days = rec.snapshots.map((s) => fromDates(s.day)).sort();
  return days.includes(startDay) ? startDay : days[0]!;
}

export type RecordingOp =
  | { kind: 'put'; at: Date; league: string; event: EspnEvent }
  | { kind: 'remove'; at: Date; league: string; id: string }
  | { kind: 'meta'; league: string; body: EspnScoreboard };

/**
 * A recording as store operations: each snapshot's events become versions at
 * startAt + (snapshot.at - first.at); an event missing from a later snapshot of the same
 * league and day is removed then, unless it was last seen under another day (it moved).
 * Unchanged events are not repeated.
 */
export function recordingOps(rec: Recording, opts: { startAt: Date; shiftDays?: number }): RecordingOp[] {
  const first = rec.snapshots[0];
  if (!first) throw new SimError('empty_recording', 'the recording has no snapshots');
  const shift = opts.shiftDays ?? 0;
  const years = Math.round(shift / 365.25);
  const ops: RecordingOp[] = [];
  const lastIds = new Map<string, Set<string>>(); // league|day -> ids in its latest snapshot
  const lastSeenDay = new Map<string, string>(); // id -> day of the snapshot it was last seen in
  const lastJson = new Map<string, string>(); // id -> JSON of its latest stored version
  const metaDone = new Set<string>();
  for (const s of rec.snapshots) {
    const at = new Date(opts.startAt.getTime() + (s.at.getTime() - first.at.getTime()));
    if (!metaDone.has(s.league)) {
      metaDone.add(s.league);
      const body = structuredClone(s.body);
      if (years !== 0) {
        if (body.season) body.season.year += years;
        for (const l of body.leagues ?? []) {
          const season = l.season as { year?: number } | undefined;
          if (season && typeof season.year === 'number') season.year += years;
        }
      }
      ops.push({ kind: 'meta', league: s.league, body });
    }
    const key = `${s.league}|${s.day}`;
    const ids = new Set<string>();
    for (const raw of s.body.events) {
      if (typeof raw?.id !== 'string') continue;
      ids.add(raw.id);
      lastSeenDay.set(raw.id, s.day);
      const json = JSON.stringify(raw);
      if (lastJson.get(raw.id) === json) continue;
      lastJson.set(raw.id, json);
      const event = shiftEvent(JSON.parse(json) as EspnEvent, shift);
      ops.push({ kind: 'put', at, league: s.league, event });
    }
    for (const id of lastIds.get(key) ?? []) {
      if (ids.has(id) || lastSeenDay.get(id) !== s.day) continue;
      ops.push({ kind: 'remove', at, league: s.league, id });
      lastJson.delete(id);
    }
    lastIds.set(key, ids);
  }
  return ops;
}

/** Whole days from the recording's game day to `day`. */
export function recordingShift(rec: Recording, day: string): number {
  return daysBetween(recordingFirstDay(rec), day);
}
