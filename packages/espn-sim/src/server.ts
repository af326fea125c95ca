/**
 * The simulator: an HTTP server answering ESPN's scoreboard route from versioned events,
 * with queued faults, and a JSON control API under /_sim/ for other processes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { SimClock } from './clock.js';
import { control } from './control.js';
import { SimError } from './errors.js';
import { applyScore, applyStatus, cloneEvent, eventDay, shiftEvent } from './events.js';
import { applyDrift, faultLabel, FaultQueue, validateFault } from './faults.js';
import { leagueOf, readScoreboardFixture } from './fixtures.js';
import { readRecording, recordingOps, recordingShift } from './recording.js';
import {
  defaultLeagueMeta,
  errorBody,
  eventCap,
  MALFORMED_BODY,
  metaOf,
  parseLimit,
  parseScoreboardPath,
  planDates,
  SCOREBOARD_PREFIX,
  scoreboardJson,
  userAgentRefused,
  type LeagueMeta,
} from './scoreboard.js';
import { daysBetween, fromDates, isDay } from './time.js';
import { EventStore } from './store.js';
import type { EspnEvent, EspnScoreboard, EspnStatus, Fault, Recording, RequestRecord } from './types.js';

export interface SimulatorOptions {
  /** 0 (default) picks a free port */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** 'real' (default): Date.now() until moved; a Date: a sim clock paused at that instant */
  clock?: 'real' | Date;
  /** gzip responses to clients that accept it (default true) */
  gzip?: boolean;
}

export interface LoadFixtureOptions {
  league?: string;
  /** YYYY-MM-DD: move every event so the fixture's first game day becomes this Eastern day */
  shiftToDay?: string;
  at?: Date;
}

export interface LoadRecordingOptions {
  shiftToDay?: string;
  /** sim time the first snapshot maps to (default: clock.now()) */
  startAt?: Date;
}

export interface Simulator {
  /** e.g. http://127.0.0.1:PORT/apis/site/v2/sports: the poller's ESPN_BASE_URL */
  baseUrl: string;
  /** http://127.0.0.1:PORT, where /_sim/ lives */
  origin: string;
  port: number;
  clock: SimClock;
  setEvents(league: string, events: EspnEvent[], at?: Date): void;
  updateEvent(eventId: string, mutate: (e: EspnEvent) => void, at?: Date): EspnEvent;
  setScore(eventId: string, score: { home: number | string; away: number | string }, at?: Date): void;
  setStatus(eventId: string, status: EspnStatus, at?: Date): void;
  removeEvent(eventId: string, at?: Date): void;
  /** The events current at `at` (default now), optionally of one league. */
  currentEvents(league?: string, at?: Date): EspnEvent[];
  loadFixture(name: string, opts?: LoadFixtureOptions): EspnEvent[];
  loadRecording(rec: Recording | string, opts?: LoadRecordingOptions): void;
  fault(f: Fault): void;
  clearFaults(): void;
  requests: RequestRecord[];
  resetRequests(): void;
  close(): Promise<void>;
}

const LEAGUE_PATTERN = /^[a-z0-9.-]+\/[a-z0-9.-]+$/i;

export function checkLeague(league: unknown): string {
  if (typeof league !== 'string' || !LEAGUE_PATTERN.test(league)) {
    throw new SimError('bad_league', `league must look like sport/league (e.g. football/nfl), got ${JSON.stringify(league)}`);
  }
  return league;
}

function checkAt(at: unknown, fallback: () => Date): Date {
  if (at === undefined) return fallback();
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new SimError('bad_time', '`at` must be a valid Date');
  return at;
}

function checkEvent(e: unknown, i: number): EspnEvent {
  const ev = e as Partial<EspnEvent> | null;
  if (typeof ev !== 'object' || ev === null) throw new SimError('bad_event', `events[${i}] is not an object`);
  if (typeof ev.id !== 'string' || ev.id === '') throw new SimError('bad_event', `events[${i}].id must be a non-empty string`);
  if (typeof ev.date !== 'string' || Number.isNaN(Date.parse(ev.date))) throw new SimError('bad_event', `events[${i}].date must be an ISO date (event ${ev.id})`);
  if (!Array.isArray(ev.competitions)) throw new SimError('bad_event', `events[${i}].competitions must be an array (event ${ev.id})`);
  return ev as EspnEvent;
}

function firstGameDay(events: EspnEvent[]): string | null {
  const days = events.filter((e) => !Number.isNaN(Date.parse(e.date))).map(eventDay).sort();
  return days[0] ?? null;
}

function checkShiftDay(day: unknown): string | undefined {
  if (day === undefined) return undefined;
  if (typeof day !== 'string' || !isDay(day)) throw new SimError('bad_day', `shiftToDay must be YYYY-MM-DD, got ${JSON.stringify(day)}`);
  return day;
}

function shiftMeta(meta: LeagueMeta, years: number): LeagueMeta {
  if (years === 0) return meta;
  if (meta.season) meta.season.year += years;
  for (const l of meta.leagues) {
    const season = l.season as { year?: number } | undefined;
    if (season && typeof season.year === 'number') season.year += years;
  }
  return meta;
}

interface Reply {
  status: number;
  body: string;
  contentType: string;
  headers?: Record<string, string>;
}

const JSON_TYPE = 'application/json;charset=UTF-8';
const MAX_RECORDS = 100_000;

export class SimulatorServer implements Simulator {
  baseUrl = '';
  origin = '';
  port = 0;
  readonly clock: SimClock;
  readonly requests: RequestRecord[] = [];
  readonly store = new EventStore();
  readonly faults = new FaultQueue();
  private readonly meta = new Map<string, LeagueMeta>();
  private readonly server: Server;
  private readonly pending = new Set<NodeJS.Timeout>();
  private readonly hanging = new Set<ServerResponse>();
  private readonly gzip: boolean;

  constructor(opts: SimulatorOptions = {}) {
    this.clock = new SimClock(opts.clock ?? 'real');
    this.gzip = opts.gzip ?? true;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => this.internalError(res, err));
    });
    // Pollers keep connections alive; a closing test must not wait for them.
    this.server.keepAliveTimeout = 5_000;
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const addr = this.server.address() as AddressInfo;
    this.port = addr.port;
    const h = host.includes(':') ? `[${host}]` : host;
    this.origin = `http://${h === '0.0.0.0' ? '127.0.0.1' : h}:${this.port}`;
    this.baseUrl = `${this.origin}${SCOREBOARD_PREFIX}`;
  }

  // ---- events -------------------------------------------------------------------------

  setEvents(league: string, events: EspnEvent[], at?: Date): void {
    checkLeague(league);
    if (!Array.isArray(events)) throw new SimError('bad_event', 'events must be an array');
    const when = checkAt(at, () => this.clock.now());
    const checked = events.map(checkEvent);
    for (const e of checked) this.store.put(league, cloneEvent(e), when);
  }

  updateEvent(eventId: string, mutate: (e: EspnEvent) => void, at?: Date): EspnEvent {
    const when = checkAt(at, () => this.clock.now());
    const base = this.store.base(eventId, when);
    if (!base) throw new SimError('unknown_event', `no event ${JSON.stringify(eventId)} (or it is removed at ${when.toISOString()})`);
    const next = cloneEvent(base.event);
    mutate(next);
    checkEvent(next, 0);
    if (next.id !== eventId) throw new SimError('bad_event', `updateEvent must not change the event id (${eventId} -> ${next.id})`);
    this.store.put(base.league, next, when);
    return cloneEvent(next);
  }

  setScore(eventId: string, score: { home: number | string; away: number | string }, at?: Date): void {
    if (typeof score !== 'object' || score === null) throw new SimError('bad_score', 'score must be { home, away }');
    this.updateEvent(eventId, (e) => applyScore(e, score), at);
  }

  setStatus(eventId: string, status: EspnStatus, at?: Date): void {
    if (typeof status !== 'object' || status === null || typeof status.type !== 'object' || status.type === null) {
      throw new SimError('bad_status', 'status must be an ESPN status object with a type');
    }
    this.updateEvent(eventId, (e) => applyStatus(e, status), at);
  }

  removeEvent(eventId: string, at?: Date): void {
    const when = checkAt(at, () => this.clock.now());
    const league = this.store.leagueOf(eventId);
    if (!league) throw new SimError('unknown_event', `no event ${JSON.stringify(eventId)}`);
    this.store.remove(eventId, league, when);
  }

  currentEvents(league?: string, at?: Date): EspnEvent[] {
    const when = checkAt(at, () => this.clock.now());
    return this.store.current(when, league ? (l) => l === league : undefined).map((c) => cloneEvent(c.event));
  }

  loadFixture(name: string, opts: LoadFixtureOptions = {}): EspnEvent[] {
    const body = readScoreboardFixture(name);
    const league = checkLeague(opts.league ?? leagueOf(body) ?? undefined);
    const target = checkShiftDay(opts.shiftToDay);
    const from = firstGameDay(body.events);
    const shift = target && from ? daysBetween(from, target) : 0;
    const events = body.events.map((e) => shiftEvent(e, shift));
    this.meta.set(league, shiftMeta(metaOf(body), Math.round(shift / 365.25)));
    this.setEvents(league, events, opts.at);
    return events.map(cloneEvent);
  }

  loadRecording(rec: Recording | string, opts: LoadRecordingOptions = {}): void {
    const recording = typeof rec === 'string' ? readRecording(rec) : rec;
    if (!recording || !Array.isArray(recording.snapshots)) throw new SimError('bad_recording', 'a recording is { snapshots: Snapshot[] } or a directory');
    if (recording.snapshots.length === 0) throw new SimError('empty_recording', 'the recording has no snapshots');
    for (const s of recording.snapshots) {
      checkLeague(s.league);
      if (!(s.at instanceof Date) || Number.isNaN(s.at.getTime())) throw new SimError('bad_snapshot', 'snapshot.at must be a valid Date');
    }
    const sorted: Recording = { snapshots: [...recording.snapshots].sort((a, b) => a.at.getTime() - b.at.getTime()) };
    const target = checkShiftDay(opts.shiftToDay);
    const shiftDays = target ? recordingShift(sorted, target) : 0;
    const startAt = checkAt(opts.startAt, () => this.clock.now());
    for (const op of recordingOps(sorted, { startAt, shiftDays })) {
      if (op.kind === 'meta') this.meta.set(op.league, metaOf(op.body));
      else if (op.kind === 'put') this.store.put(op.league, op.event, op.at);
      else this.store.remove(op.id, op.league, op.at);
    }
  }

  // ---- faults and requests ------------------------------------------------------------

  fault(f: Fault): void {
    this.faults.add(validateFault(f, { allowMutate: true }));
  }

  clearFaults(): void {
    this.faults.clear();
  }

  resetRequests(): void {
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
    for (const res of this.hanging) res.socket?.destroy();
    this.hanging.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  // ---- HTTP ---------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    if (url.pathname === '/_sim' || url.pathname.startsWith('/_sim/')) {
      await control(this, req, res, url);
      return;
    }
    const route = parseScoreboardPath(url.pathname);
    if (!route) {
      this.send(req, res, { status: 404, body: JSON.stringify(errorBody(404)), contentType: JSON_TYPE });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      this.send(req, res, { status: 405, body: JSON.stringify(errorBody(405)), contentType: JSON_TYPE, headers: { Allow: 'GET, HEAD' } });
      return;
    }
    this.scoreboard(req, res, url, route);
  }

  private scoreboard(req: IncomingMessage, res: ServerResponse, url: URL, route: { sport: string; league: string }): void {
    const simAt = this.clock.now();
    const q = url.searchParams;
    const dates = q.get('dates');
    const userAgent = req.headers['user-agent'] ?? null;
    const league = `${route.sport}/${route.league}`;
    const plan = planDates(dates, simAt);
    const record: RequestRecord = {
      at: new Date(),
      simAt,
      path: req.url ?? url.pathname,
      sport: route.sport,
      league,
      dates,
      limit: parseLimit(q.get('limit')),
      groups: q.get('groups'),
      userAgent,
      status: 0,
      fault: null,
    };
    // A demo left running for days must not grow without bound; tests never come near this.
    if (this.requests.length >= MAX_RECORDS) this.requests.splice(0, MAX_RECORDS / 10);
    this.requests.push(record);
    const fault = this.faults.take({ league, dates: dates || (plan.kind === 'day' ? plan.dates : '') });
    record.fault = fault ? faultLabel(fault) : null;

    const normal = (cap: number | null = eventCap(record.limit)): Reply => {
      if (userAgentRefused(userAgent)) return { status: 403, body: JSON.stringify(errorBody(403)), contentType: JSON_TYPE };
      if (plan.kind === 'bad') return { status: 400, body: JSON.stringify(errorBody(400)), contentType: JSON_TYPE };
      return { status: 200, body: this.body(league, plan, simAt, cap, record.groups), contentType: JSON_TYPE };
    };
    const okBody = () => this.body(league, plan.kind === 'bad' ? { kind: 'day', dates: '00000000' } : plan, simAt, eventCap(record.limit), record.groups);
    const reply = (r: Reply, opts?: { raw?: boolean }) => {
      record.status = r.status;
      this.send(req, res, r, opts);
    };

    if (!fault) return reply(normal());
    switch (fault.kind) {
      case 'status': {
        const headers: Record<string, string> = fault.retryAfterS !== undefined ? { 'Retry-After': String(fault.retryAfterS) } : {};
        return reply({ status: fault.status, body: JSON.stringify(errorBody(fault.status)), contentType: JSON_TYPE, headers });
      }
      case 'hang': {
        this.hanging.add(res);
        res.once('close', () => this.hanging.delete(res));
        if (fault.ms !== undefined) this.later(fault.ms, () => res.socket?.destroy());
        return;
      }
      case 'slow':
        return this.later(fault.ms, () => {
          if (!res.destroyed) reply(normal());
        });
      case 'malformed':
        return reply({ status: 200, body: MALFORMED_BODY, contentType: 'text/html; charset=utf-8' }, { raw: true });
      case 'truncated': {
        const full = okBody();
        return reply({ status: 200, body: full.slice(0, Math.max(1, Math.floor(full.length / 2))), contentType: JSON_TYPE }, { raw: true });
      }
      case 'reset': {
        const full = Buffer.from(okBody());
        record.status = 200;
        res.writeHead(200, { 'Content-Type': JSON_TYPE, 'Content-Length': String(full.length) });
        res.write(full.subarray(0, Math.max(1, Math.floor(full.length / 2))), () => res.socket?.destroy());
        return;
      }
      case 'limit25':
        return reply(normal(25));
      case 'mutate':
      case 'drift': {
        const r = normal();
        if (r.status !== 200) return reply(r);
        const body = JSON.parse(r.body) as unknown;
        let out: unknown;
        if (fault.kind === 'drift') out = applyDrift(fault.variant, body);
        else {
          try {
            out = fault.mutate(body) ?? body;
          } catch (err) {
            throw new SimError('mutate_failed', `the mutate fault threw: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
          }
        }
        return reply({ ...r, body: JSON.stringify(out) });
      }
    }
  }

  private body(league: string, plan: { kind: 'day'; dates: string } | { kind: 'prefix'; prefix: string }, at: Date, cap: number | null, groups: string | null): string {
    const filter = plan.kind === 'day' ? (l: string, d: string) => l === league && d === plan.dates : (l: string, d: string) => l === league && d.startsWith(plan.prefix);
    let events = this.store.current(at, filter);
    if (cap !== null) events = events.slice(0, cap);
    const meta = this.meta.get(league) ?? defaultLeagueMeta(league);
    return scoreboardJson(
      meta,
      events.map((e) => e.json),
      { ...(plan.kind === 'day' ? { day: fromDates(plan.dates) } : {}), groups, ...(events[0] ? { firstEvent: events[0].event } : {}) },
    );
  }

  /** Body as a parsed scoreboard, for in-process callers and tests. */
  scoreboardFor(league: string, dates: string, at: Date = this.clock.now()): EspnScoreboard {
    return JSON.parse(this.body(league, { kind: 'day', dates }, at, null, null)) as EspnScoreboard;
  }

  private later(ms: number, f: () => void): void {
    const t = setTimeout(() => {
      this.pending.delete(t);
      f();
    }, ms);
    this.pending.add(t);
  }

  private send(req: IncomingMessage, res: ServerResponse, r: Reply, opts: { raw?: boolean } = {}): void {
    if (res.headersSent || res.destroyed) return;
    let payload: Buffer = Buffer.from(r.body);
    const headers: Record<string, string> = { 'Content-Type': r.contentType, ...r.headers };
    const accepts = String(req.headers['accept-encoding'] ?? '');
    if (this.gzip && !opts.raw && payload.length > 1024 && /\bgzip\b/.test(accepts)) {
      payload = gzipSync(payload, { level: 1 });
      headers['Content-Encoding'] = 'gzip';
      headers.Vary = 'Accept-Encoding';
    }
    headers['Content-Length'] = String(payload.length);
    res.writeHead(r.status, headers);
    res.end(req.method === 'HEAD' ? undefined : payload);
  }

  private internalError(res: ServerResponse, err: unknown): void {
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    const code = err instanceof SimError ? err.code : 'internal';
    const message = err instanceof Error ? err.message : String(err);
    const body = JSON.stringify({ error: { code, message } });
    res.writeHead(500, { 'Content-Type': JSON_TYPE, 'Content-Length': String(Buffer.byteLength(body)) });
    res.end(body);
  }
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  if (opts.clock !== undefined && opts.clock !== 'real' && !(opts.clock instanceof Date)) throw new SimError('bad_clock', "clock must be 'real' or a Date");
  const sim = new SimulatorServer(opts);
  await sim.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  return sim;
}
