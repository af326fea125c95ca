import { request } from 'node:http';
import type { EspnEvent, EspnScoreboard, Match, Simulator } from '../src/index.js';

/** What the poller sends; ESPN refuses default agents. */
export const UA = 'scores/0.1.0 (+https://github.com/example/scores)';

export function scoreboardUrl(sim: Simulator, league: string, query: Record<string, string> = {}): string {
  const qs = new URLSearchParams(query).toString();
  return `${sim.baseUrl}/${league}/scoreboard${qs ? `?${qs}` : ''}`;
}

export function get(url: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  return fetch(url, { headers: { 'user-agent': UA, ...headers }, ...(signal ? { signal } : {}) });
}

export async function getJson<T = EspnScoreboard>(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: T; res: Response }> {
  const res = await get(url, headers);
  return { status: res.status, body: (await res.json()) as T, res };
}

/** A request with exactly these headers (fetch always adds a user agent and accept-encoding). */
export function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The fields control routes answer (each route fills some of them; tests assert which). */
export interface Answer {
  error: { code: string; message: string };
  clock: string;
  day: string;
  speed: number;
  running: boolean;
  mode: string;
  events: Record<string, number>;
  faults: { kind: string; times: number | 'Infinity'; match?: Match }[];
  requests: number;
  baseUrl: string;
  cleared: number;
  stored: number;
  removed: string;
  event: EspnEvent;
}

export async function control<T = Answer>(sim: Simulator, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${sim.origin}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'user-agent': UA },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** Polls until `f` returns a truthy value (no fixed sleeps). */
export async function waitFor<T>(f: () => T | Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('waitFor timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
