/** Queued faults: validation, matching, and the built-in schema-drift rewrites. */
import { SimError } from './errors.js';
import type { DriftVariant, Fault, Match } from './types.js';

export const driftVariants: readonly DriftVariant[] = ['scores-as-numbers', 'renamed-competitors', 'missing-status', 'extra-nesting'];

const KINDS = ['status', 'hang', 'slow', 'malformed', 'truncated', 'reset', 'limit25', 'mutate', 'drift'] as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function eachCompetition(body: unknown, f: (c: Obj, e: Obj) => void): void {
  if (!isObj(body) || !Array.isArray(body.events)) return;
  for (const e of body.events) {
    if (!isObj(e) || !Array.isArray(e.competitions)) continue;
    for (const c of e.competitions) if (isObj(c)) f(c, e);
  }
}

/**
 * ESPN-style schema drift, as seen in the wild: scores turning into numbers, a renamed
 * array, a missing block, the payload moving one level down (ESPN's web API nests the
 * scoreboard under content.sbData).
 */
export function applyDrift(variant: DriftVariant, body: unknown): unknown {
  switch (variant) {
    case 'scores-as-numbers':
      eachCompetition(body, (c) => {
        for (const t of Array.isArray(c.competitors) ? c.competitors : []) {
          if (isObj(t) && typeof t.score === 'string' && t.score.trim() !== '' && Number.isFinite(Number(t.score))) t.score = Number(t.score);
        }
      });
      return body;
    case 'renamed-competitors':
      eachCompetition(body, (c) => {
        c.participants = c.competitors;
        delete c.competitors;
      });
      return body;
    case 'missing-status':
      eachCompetition(body, (c, e) => {
        delete c.status;
        delete e.status;
      });
      return body;
    case 'extra-nesting':
      return { content: { sbData: body } };
  }
}

function bad(message: string): never {
  throw new SimError('bad_fault', message);
}

function checkTimes(v: unknown): number {
  if (v === undefined) return 1;
  if (v === Infinity || v === 'Infinity') return Infinity;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1) return v;
  return bad('times must be a positive integer or Infinity ("Infinity" in JSON)');
}

function checkMs(v: unknown, name: string, required: boolean): number | undefined {
  if (v === undefined && !required) return undefined;
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  return bad(`${name} must be a non-negative number of milliseconds`);
}

function checkMatch(v: unknown): Match | undefined {
  if (v === undefined) return undefined;
  if (!isObj(v)) return bad('match must be an object { league?, dates? }');
  const m: Match = {};
  for (const [k, val] of Object.entries(v)) {
    if (k !== 'league' && k !== 'dates') bad(`match has an unknown key ${JSON.stringify(k)}`);
    if (typeof val !== 'string' || val === '') bad(`match.${k} must be a non-empty string`);
    m[k] = val;
  }
  if (m.league !== undefined && !/^[a-z0-9.-]+\/[a-z0-9.-]+$/i.test(m.league)) bad('match.league must look like sport/league');
  return m;
}

/** A checked copy of a fault (times filled in). `mutate` is refused unless allowed (it cannot cross HTTP). */
export function validateFault(input: unknown, opts: { allowMutate: boolean }): Fault & { times: number } {
  if (!isObj(input)) return bad('a fault is an object with a kind');
  const kind = input.kind;
  if (typeof kind !== 'string' || !(KINDS as readonly string[]).includes(kind)) return bad(`kind must be one of ${KINDS.join(', ')}`);
  const times = checkTimes(input.times);
  const match = checkMatch(input.match);
  const base = { times, ...(match ? { match } : {}) };
  switch (kind as Fault['kind']) {
    case 'status': {
      const status = input.status;
      if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) return bad('status must be an HTTP status code (100-599)');
      const retryAfterS = input.retryAfterS;
      if (retryAfterS !== undefined && (typeof retryAfterS !== 'number' || !Number.isInteger(retryAfterS) || retryAfterS < 0)) {
        return bad('retryAfterS must be a non-negative integer');
      }
      return { kind: 'status', status, ...(retryAfterS !== undefined ? { retryAfterS } : {}), ...base };
    }
    case 'hang': {
      const ms = checkMs(input.ms, 'ms', false);
      return { kind: 'hang', ...(ms !== undefined ? { ms } : {}), ...base };
    }
    case 'slow':
      return { kind: 'slow', ms: checkMs(input.ms, 'ms', true)!, ...base };
    case 'malformed':
    case 'truncated':
    case 'reset':
    case 'limit25':
      return { kind: kind as 'malformed', ...base };
    case 'mutate':
      if (!opts.allowMutate) return bad('kind "mutate" takes a function and is only available in-process; use kind "drift" over HTTP');
      if (typeof input.mutate !== 'function') return bad('mutate must be a function (body) => newBody');
      return { kind: 'mutate', mutate: input.mutate as (body: unknown) => unknown, ...base };
    case 'drift': {
      const variant = input.variant;
      if (typeof variant !== 'string' || !(driftVariants as readonly string[]).includes(variant)) {
        return bad(`variant must be one of ${driftVariants.join(', ')}`);
      }
      return { kind: 'drift', variant: variant as DriftVariant, ...base };
    }
  }
}

export const faultLabel = (f: Fault): string => (f.kind === 'drift' ? `drift:${f.variant}` : f.kind);

export function matches(m: Match | undefined, req: { league: string; dates: string }): boolean {
  if (!m) return true;
  return (m.league === undefined || m.league === req.league) && (m.dates === undefined || m.dates === req.dates);
}

export class FaultQueue {
  private readonly queue: (Fault & { times: number })[] = [];

  add(f: Fault & { times: number }): void {
    this.queue.push(f);
  }

  clear(): number {
    const n = this.queue.length;
    this.queue.length = 0;
    return n;
  }

  get size(): number {
    return this.queue.length;
  }

  /** Faults still queued, for /_sim/state (functions left out). */
  describe(): { kind: string; times: number | 'Infinity'; match?: Match }[] {
    return this.queue.map((f) => ({ kind: faultLabel(f), times: f.times === Infinity ? 'Infinity' : f.times, ...(f.match ? { match: f.match } : {}) }));
  }

  /** The first fault matching the request, with one of its uses spent. */
  take(req: { league: string; dates: string }): Fault | null {
    const i = this.queue.findIndex((f) => matches(f.match, req));
    if (i < 0) return null;
    const f = this.queue[i]!;
    f.times -= 1;
    if (f.times <= 0) this.queue.splice(i, 1);
    return f;
  }
}
