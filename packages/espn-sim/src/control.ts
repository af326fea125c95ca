/**
 * The control API under /_sim/ (JSON in and out) for processes that do not hold the
 * Simulator object: `pnpm demo`, the CLI's replay, the chaos runner.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SimError } from './errors.js';
import { validateFault } from './faults.js';
import { buildGameDay, busySaturday } from './gameday.js';
import type { SimulatorServer } from './server.js';
import { isStatusPresetName, statusPresets } from './status.js';
import { easternDay, isDay } from './time.js';
import type { EspnStatus } from './types.js';

const MAX_BODY = 64 * 1024 * 1024;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

class HttpError extends SimError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(code, message);
  }
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}

async function readJson(req: IncomingMessage): Promise<Obj> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'body_too_large', `request body over ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'bad_json', 'the request body is not valid JSON');
  }
  if (!isObj(value)) throw new HttpError(400, 'bad_body', 'the request body must be a JSON object');
  return value;
}

function optionalTime(v: unknown, name: string): Date | undefined {
  if (v === undefined || v === null) return undefined;
  const d = typeof v === 'string' ? new Date(v) : null;
  if (!d || Number.isNaN(d.getTime())) throw new HttpError(400, 'bad_time', `${name} must be an ISO 8601 time`);
  return d;
}

function optionalDay(v: unknown, name: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !isDay(v)) throw new HttpError(400, 'bad_day', `${name} must be YYYY-MM-DD`);
  return v;
}

function optionalSpeed(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new HttpError(400, 'bad_speed', 'speed must be a positive number');
  return v;
}

function allowedKeys(body: Obj, keys: string[]): void {
  const extra = Object.keys(body).filter((k) => !keys.includes(k));
  if (extra.length > 0) throw new HttpError(400, 'bad_body', `unknown field(s): ${extra.join(', ')}; allowed: ${keys.join(', ')}`);
}

export function simState(sim: SimulatorServer) {
  const now = sim.clock.now();
  return {
    clock: now.toISOString(),
    day: easternDay(now),
    speed: sim.clock.speed,
    running: sim.clock.running,
    mode: sim.clock.mode,
    events: sim.store.countsByLeague(now),
    faults: sim.faults.describe(),
    requests: sim.requests.length,
    baseUrl: sim.baseUrl,
  };
}

function statusFrom(body: Obj): EspnStatus {
  if (body.status !== undefined) {
    if (!isObj(body.status) || !isObj(body.status.type)) throw new HttpError(400, 'bad_status', 'status must be an ESPN status object with a type');
    return body.status as unknown as EspnStatus;
  }
  const preset = body.preset;
  if (!isStatusPresetName(preset)) {
    throw new HttpError(400, 'bad_preset', `preset must be one of ${Object.keys(statusPresets).join(', ')}`);
  }
  const args: unknown[] = Array.isArray(body.args) ? (body.args as unknown[]) : body.args === undefined ? [] : [null];
  if (!Array.isArray(body.args ?? []) || args.some((a) => typeof a !== 'number' && typeof a !== 'string')) {
    throw new HttpError(400, 'bad_args', 'args must be an array of numbers and strings');
  }
  const check = (i: number, type: 'number' | 'string|number') => {
    const a: unknown = args[i];
    if (a === undefined) return;
    if (type === 'number' ? typeof a !== 'number' : typeof a !== 'number' && typeof a !== 'string') {
      throw new HttpError(400, 'bad_args', `${preset} argument ${i + 1} must be a ${type}`);
    }
  };
  switch (preset) {
    case 'inProgress':
      if (args.length < 2) throw new HttpError(400, 'bad_args', 'inProgress takes [period, clock]');
      check(0, 'number');
      check(1, 'string|number');
      break;
    case 'endOfPeriod':
    case 'suspended':
      if (args.length < 1) throw new HttpError(400, 'bad_args', `${preset} takes [period]`);
      check(0, 'number');
      break;
    case 'final':
    case 'finalOT':
      check(0, 'number');
      if (preset === 'finalOT' && args[1] !== undefined && args[1] !== 'STATUS_FINAL' && args[1] !== 'STATUS_FINAL_OT') {
        throw new HttpError(400, 'bad_args', 'finalOT argument 2 must be STATUS_FINAL_OT or STATUS_FINAL');
      }
      break;
    case 'delayed':
      if (args[0] !== undefined && args[0] !== 'pre' && args[0] !== 'in') throw new HttpError(400, 'bad_args', "delayed takes ['pre' | 'in', period?, clock?]");
      check(1, 'number');
      check(2, 'string|number');
      break;
    case 'scheduled':
      if (args[0] !== undefined && (typeof args[0] !== 'string' || Number.isNaN(Date.parse(args[0])))) throw new HttpError(400, 'bad_args', 'scheduled takes [ISO kickoff?]');
      break;
    default:
      break;
  }
  return (statusPresets[preset] as (...a: unknown[]) => EspnStatus)(...args);
}

/** Routes /_sim/…; every refusal is `{ error: { code, message } }`. */
export async function control(sim: SimulatorServer, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  try {
    const value = await route(sim, req, url);
    sendJson(res, value.status ?? 200, value.body);
  } catch (err) {
    if (err instanceof HttpError) sendJson(res, err.status, { error: { code: err.code, message: err.message } });
    else if (err instanceof SimError) sendJson(res, err.code === 'unknown_event' || err.code === 'recording_not_found' ? 404 : 400, { error: { code: err.code, message: err.message } });
    else sendJson(res, 500, { error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } });
  }
}

async function route(sim: SimulatorServer, req: IncomingMessage, url: URL): Promise<{ status?: number; body: unknown }> {
  const method = req.method ?? 'GET';
  const path = url.pathname.replace(/\/+$/, '');
  const is = (m: string, p: string) => method === m && path === p;
  const eventRoute = /^\/_sim\/events\/([^/]+)(?:\/(score|status))?$/.exec(path);

  if (is('GET', '/_sim/state')) return { body: simState(sim) };

  if (is('POST', '/_sim/clock')) {
    const body = await readJson(req);
    allowedKeys(body, ['set', 'advance', 'speed', 'pause']);
    const set = optionalTime(body.set, 'set');
    const advance = body.advance;
    if (advance !== undefined && (typeof advance !== 'number' || !Number.isFinite(advance))) throw new HttpError(400, 'bad_advance', 'advance must be a number of milliseconds');
    const speed = optionalSpeed(body.speed);
    if (body.pause !== undefined && typeof body.pause !== 'boolean') throw new HttpError(400, 'bad_pause', 'pause must be true or false');
    if (body.pause === true && speed !== undefined) throw new HttpError(400, 'bad_body', 'pause: true and speed contradict each other');
    if (set) sim.clock.set(set);
    if (typeof advance === 'number') sim.clock.advance(advance);
    if (speed !== undefined) sim.clock.run(speed);
    else if (body.pause === true) sim.clock.pause();
    else if (body.pause === false) sim.clock.run(sim.clock.speed || 1);
    return { body: simState(sim) };
  }

  if (is('GET', '/_sim/faults')) return { body: { faults: sim.faults.describe() } };
  if (is('POST', '/_sim/faults')) {
    const body = await readJson(req);
    sim.faults.add(validateFault(body, { allowMutate: false }));
    return { status: 201, body: { faults: sim.faults.describe() } };
  }
  if (is('DELETE', '/_sim/faults')) return { body: { cleared: sim.faults.clear() } };

  if (is('GET', '/_sim/requests')) return { body: { requests: sim.requests } };
  if (is('DELETE', '/_sim/requests')) {
    const n = sim.requests.length;
    sim.resetRequests();
    return { body: { cleared: n } };
  }

  if (is('GET', '/_sim/events')) {
    const league = url.searchParams.get('league') ?? undefined;
    return { body: { events: sim.currentEvents(league) } };
  }
  if (is('POST', '/_sim/events')) {
    const body = await readJson(req);
    allowedKeys(body, ['league', 'events', 'at']);
    if (!Array.isArray(body.events)) throw new HttpError(400, 'bad_event', 'events must be an array of ESPN events');
    sim.setEvents(body.league as string, body.events as never, optionalTime(body.at, 'at'));
    return { status: 201, body: { stored: body.events.length } };
  }
  if (eventRoute && method === 'POST' && eventRoute[2] === 'score') {
    const id = decodeURIComponent(eventRoute[1]!);
    const body = await readJson(req);
    allowedKeys(body, ['home', 'away', 'at']);
    for (const side of ['home', 'away'] as const) {
      const v = body[side];
      if (typeof v !== 'number' && typeof v !== 'string') throw new HttpError(400, 'bad_score', `${side} must be a number or a string`);
    }
    sim.setScore(id, { home: body.home as number | string, away: body.away as number | string }, optionalTime(body.at, 'at'));
    return { body: { event: sim.currentEvents(undefined, optionalTime(body.at, 'at')).find((e) => e.id === id) ?? null } };
  }
  if (eventRoute && method === 'POST' && eventRoute[2] === 'status') {
    const id = decodeURIComponent(eventRoute[1]!);
    const body = await readJson(req);
    allowedKeys(body, ['preset', 'args', 'status', 'at']);
    sim.setStatus(id, statusFrom(body), optionalTime(body.at, 'at'));
    return { body: { event: sim.currentEvents(undefined, optionalTime(body.at, 'at')).find((e) => e.id === id) ?? null } };
  }
  if (eventRoute && method === 'DELETE' && eventRoute[2] === undefined) {
    const id = decodeURIComponent(eventRoute[1]!);
    sim.removeEvent(id, optionalTime(url.searchParams.get('at') ?? undefined, 'at'));
    return { body: { removed: id } };
  }

  if (is('POST', '/_sim/fixture')) {
    const body = await readJson(req);
    allowedKeys(body, ['name', 'league', 'shiftToDay', 'at']);
    if (typeof body.name !== 'string') throw new HttpError(400, 'bad_fixture', 'name must be a fixture name');
    const events = sim.loadFixture(body.name, {
      ...(body.league !== undefined ? { league: body.league as string } : {}),
      ...(body.shiftToDay !== undefined ? { shiftToDay: optionalDay(body.shiftToDay, 'shiftToDay')! } : {}),
      ...(body.at !== undefined ? { at: optionalTime(body.at, 'at')! } : {}),
    });
    return { status: 201, body: { stored: events.length, ids: events.map((e) => e.id) } };
  }

  if (is('POST', '/_sim/recording')) {
    const body = await readJson(req);
    allowedKeys(body, ['dir', 'shiftToDay', 'speed', 'startAt']);
    if (typeof body.dir !== 'string' || body.dir === '') throw new HttpError(400, 'bad_dir', 'dir must be the path of a recording directory');
    const shiftToDay = optionalDay(body.shiftToDay, 'shiftToDay');
    const speed = optionalSpeed(body.speed);
    const startAt = optionalTime(body.startAt, 'startAt');
    sim.loadRecording(body.dir, { ...(shiftToDay ? { shiftToDay } : {}), ...(startAt ? { startAt } : {}) });
    if (speed !== undefined) sim.clock.run(speed);
    return { status: 201, body: simState(sim) };
  }

  if (is('POST', '/_sim/game-day')) {
    const body = await readJson(req);
    allowedKeys(body, ['day', 'speed', 'startAt']);
    const day = optionalDay(body.day, 'day') ?? easternDay(sim.clock.now());
    const speed = optionalSpeed(body.speed);
    const startAt = optionalTime(body.startAt, 'startAt');
    sim.loadRecording(buildGameDay({ day }), { startAt: startAt ?? sim.clock.now() });
    if (speed !== undefined) sim.clock.run(speed);
    return { status: 201, body: simState(sim) };
  }

  if (is('POST', '/_sim/busy-saturday')) {
    const body = await readJson(req);
    allowedKeys(body, ['day', 'games', 'seed', 'league', 'at']);
    const day = optionalDay(body.day, 'day') ?? easternDay(sim.clock.now());
    if (body.games !== undefined && typeof body.games !== 'number') throw new HttpError(400, 'bad_games', 'games must be a number');
    if (body.seed !== undefined && typeof body.seed !== 'number') throw new HttpError(400, 'bad_seed', 'seed must be a number');
    const league = (body.league as string | undefined) ?? 'football/college-football';
    const events = busySaturday({ day, ...(body.games !== undefined ? { games: body.games } : {}), ...(body.seed !== undefined ? { seed: body.seed } : {}), league });
    sim.setEvents(league, events, optionalTime(body.at, 'at'));
    return { status: 201, body: { stored: events.length } };
  }

  const known = ['/_sim/state', '/_sim/clock', '/_sim/faults', '/_sim/requests', '/_sim/events', '/_sim/fixture', '/_sim/recording', '/_sim/game-day', '/_sim/busy-saturday'];
  if (known.includes(path) || eventRoute) throw new HttpError(405, 'method_not_allowed', `${method} is not allowed on ${path}`);
  throw new HttpError(404, 'not_found', `no control route ${method} ${path}`);
}
