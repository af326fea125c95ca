import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import { got, type Response } from 'got';
import { Circuit, Ratelimit, Retry, RetryMode, Timeout } from 'mollitia';
import type { Registry } from 'prom-client';
import { counter, histogram, type Logger } from '@scores/service-kit';
import type { EspnConfig, LeagueRef } from '../config.js';

export type RequestOutcome = 'ok' | 'http_403' | 'http_429' | 'http_4xx' | 'http_5xx' | 'timeout' | 'network' | 'malformed';

/** One failed request to ESPN, after what retries it was worth. */
export class EspnRequestError extends Error {
  override readonly name = 'EspnRequestError';
  constructor(
    readonly code: string,
    message: string,
    readonly outcome: RequestOutcome,
    readonly retryable: boolean,
    readonly extra: { status?: number; retryAfterMs?: number; url?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface DayResponse {
  /** parsed JSON (shared with the previous response when `unchanged`: do not mutate) */
  body: unknown;
  /** the bytes as received */
  raw: Buffer;
  /** byte for byte the previous answer to the same URL: nothing in it can have changed */
  unchanged: boolean;
  durationMs: number;
  url: string;
}

/** The last good answer per URL, to skip parsing an identical one (most polls). */
const LAST_ANSWERS = 64;

/** Content-Encodings we ask for and undo ourselves (see `wire` below). */
const DECODERS: Record<string, (b: Buffer) => Promise<Buffer>> = {
  gzip: promisify(gunzip),
  'x-gzip': promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
};

export interface EspnClient {
  /** one league, one US Eastern day; through rate limit, retries with backoff and a timeout */
  fetchDay(league: LeagueRef, day: string): Promise<DayResponse>;
  dispose(): void;
}

/** ESPN wants YYYYMMDD, one day per request (it answers 400 to ranges). */
export function scoreboardUrl(baseUrl: string, league: LeagueRef, day: string): string {
  const dates = day.replaceAll('-', '');
  const groups = league.sport === 'football' && league.league === 'college-football' ? '&groups=80' : '';
  return `${baseUrl}/${league.sport}/${league.league}/scoreboard?dates=${dates}&limit=500${groups}`;
}

function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (!v) return undefined;
  const s = Number(v);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

function classify(res: Response<Buffer>, url: string): EspnRequestError | undefined {
  const status = res.statusCode;
  if (status >= 200 && status < 300) return undefined;
  const ra = retryAfterMs(res.headers['retry-after']);
  const extra = { status, url, ...(ra !== undefined ? { retryAfterMs: ra } : {}) };
  if (status === 429) return new EspnRequestError('ESPN_RATE_LIMITED', `ESPN answered 429`, 'http_429', true, extra);
  // ESPN's 403s come in bursts from its edge; one more try may pass. Our UA is not the cause (config refuses browser-like ones).
  if (status === 403) return new EspnRequestError('ESPN_FORBIDDEN', `ESPN answered 403`, 'http_403', true, extra);
  if (status >= 500) return new EspnRequestError('ESPN_UNAVAILABLE', `ESPN answered ${status}`, 'http_5xx', true, extra);
  return new EspnRequestError('ESPN_REJECTED', `ESPN answered ${status}`, 'http_4xx', false, extra);
}

function networkError(err: unknown, url: string): EspnRequestError {
  const e = err as { name?: string; code?: string; message?: string };
  if (e?.name === 'TimeoutError' || e?.code === 'ETIMEDOUT' || e?.message === 'Timed out') {
    return new EspnRequestError('ESPN_TIMEOUT', 'ESPN did not answer in time', 'timeout', true, { url }, { cause: err });
  }
  return new EspnRequestError('ESPN_NETWORK', `request to ESPN failed: ${e?.code ?? e?.message ?? 'unknown'}`, 'network', true, { url }, { cause: err });
}

export function createEspnClient(config: EspnConfig, deps: { log: Logger; registry: Registry }): EspnClient {
  const requests = counter(deps.registry, {
    name: 'scores_espn_requests_total',
    help: 'Requests (attempts) to ESPN by league and outcome',
    labelNames: ['league', 'outcome'],
  });
  const seconds = histogram(deps.registry, {
    name: 'scores_espn_request_seconds',
    help: 'Duration of one request (attempt) to ESPN',
    labelNames: ['league'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
  });

  const http = got.extend({
    retry: { limit: 0 }, // mollitia retries
    timeout: { request: config.timeoutMs },
    throwHttpErrors: false,
    responseType: 'buffer',
    // We decompress ourselves: an answer whose compressed bytes equal the last one's is
    // unchanged without inflating it. A 300-game Saturday is ~1.1 MB of JSON in ~150 KB of
    // gzip; inflating it was the largest single CPU cost of an unchanged poll.
    headers: { 'user-agent': config.userAgent, accept: 'application/json', 'accept-encoding': 'gzip, deflate, br' },
    decompress: false,
    http2: false,
  });

  /** wire: the body as received (compressed or not); raw: decoded */
  const last = new Map<string, { wire: Buffer; raw: Buffer; body: unknown }>();

  const malformed = (url: string, status: number, cause: unknown) =>
    new EspnRequestError('ESPN_MALFORMED', 'ESPN answered with a body that is not JSON (or is cut short)', 'malformed', true, { url, status }, { cause });

  const decode = async (res: Response<Buffer>, url: string): Promise<Buffer> => {
    const encoding = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
    if (encoding === '' || encoding === 'identity') return res.body;
    const decoder = DECODERS[encoding];
    if (!decoder) throw malformed(url, res.statusCode, new Error(`unknown content-encoding ${encoding}`));
    try {
      return await decoder(res.body);
    } catch (err) {
      throw malformed(url, res.statusCode, err);
    }
  };

  /** one attempt; throws EspnRequestError */
  const attempt = async (league: LeagueRef, url: string, signal: AbortSignal): Promise<DayResponse> => {
    const label = `${league.sport}/${league.league}`;
    const end = seconds.startTimer({ league: label });
    const t0 = performance.now();
    let outcome: RequestOutcome = 'ok';
    try {
      let res: Response<Buffer>;
      try {
        res = await http.get(url, { signal, responseType: 'buffer' });
      } catch (err) {
        throw networkError(err, url);
      }
      const refused = classify(res, url);
      if (refused) throw refused;
      const prev = last.get(url);
      const unchanged = (raw: Buffer): DayResponse => ({ body: prev!.body, raw, unchanged: true, durationMs: performance.now() - t0, url });
      // the same compressed bytes cannot decode to anything else
      if (prev && prev.wire.equals(res.body)) return unchanged(prev.raw);
      const raw = await decode(res, url);
      // compressed differently (a CDN may), the same JSON all the same
      const same = prev !== undefined && prev.raw.equals(raw);
      let body: unknown = prev?.body;
      if (!same) {
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch (err) {
          throw malformed(url, res.statusCode, err);
        }
      }
      last.delete(url);
      last.set(url, { wire: res.body, raw, body });
      if (last.size > LAST_ANSWERS) last.delete(last.keys().next().value!);
      return same ? unchanged(prev.raw) : { body, raw, unchanged: false, durationMs: performance.now() - t0, url };
    } catch (err) {
      outcome = err instanceof EspnRequestError ? err.outcome : 'network';
      throw err;
    } finally {
      end();
      requests.inc({ league: label, outcome });
    }
  };

  // Module order matters: the first wraps the rest. The rate limit counts each logical
  // request once; retries back off with jitter (or wait what Retry-After asks, within
  // reason); mollitia's timeout does not cancel the call, so got has its own (slightly
  // shorter) timeout and an AbortSignal.
  const ratelimit = new Ratelimit({ name: 'espn-ratelimit', limitPeriod: 1000, limitForPeriod: config.rateLimitPerS });
  const retry = new Retry({
    name: 'espn-retry',
    attempts: config.retries,
    interval: config.retryBaseMs,
    mode: RetryMode.JITTER,
    factor: 2,
    maxInterval: 10_000,
    jitterAdjustment: 0.5,
    onRejection: (err: unknown) => {
      if (!(err instanceof EspnRequestError)) return (err as Error)?.message === 'Timed out';
      if (!err.retryable) return false;
      const wait = err.extra.retryAfterMs;
      if (wait === undefined) return true;
      return wait <= config.maxRetryAfterMs ? wait : false;
    },
  });
  const timeout = new Timeout({ name: 'espn-timeout', delay: config.timeoutMs + 250 });
  const circuit = new Circuit({
    name: 'espn',
    func: (league: LeagueRef, url: string, signal: AbortSignal) => attempt(league, url, signal),
    options: { modules: [ratelimit, retry, timeout] },
  });

  return {
    async fetchDay(league, day) {
      const url = scoreboardUrl(config.baseUrl, league, day);
      for (;;) {
        const controller = new AbortController();
        try {
          return await circuit.execute<DayResponse>(league, url, controller.signal);
        } catch (err) {
          controller.abort();
          const e = err as { name?: string; remainingTimeInRatelimit?: number; message?: string };
          if (typeof e?.remainingTimeInRatelimit === 'number') {
            // our own rate limit, not ESPN's answer: wait for a free slot and go again
            await new Promise((r) => setTimeout(r, e.remainingTimeInRatelimit! + 5));
            continue;
          }
          if (err instanceof EspnRequestError) throw err;
          throw networkError(err, url);
        }
      }
    },
    dispose() {
      circuit.dispose();
    },
  };
}
