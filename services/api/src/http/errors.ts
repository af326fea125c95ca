import { GraderError } from '@scores/grader';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** An HTTP answer that is not a success: every one leaves as `{ error: { code, message } }`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly retryable: boolean;
  /** sent with the error, e.g. Retry-After */
  readonly headers: Record<string, string>;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    opts: { cause?: unknown; retryable?: boolean; headers?: Record<string, string> } = {},
  ) {
    super(message, { cause: opts.cause });
    this.retryable = opts.retryable ?? status >= 500;
    this.headers = opts.headers ?? {};
  }
}

export const badParameter = (name: string, why: string) =>
  new ApiError(400, 'INVALID_PARAMETER', `query parameter "${name}" ${why}`);

export interface ErrorBody {
  error: { code: string; message: string };
}

// The data layer's verdicts. A game off the league's slate is a bad request here: the
// pick names a game the league does not offer (SPEC: 400, like a team not in the game).
const GRADER_STATUS: Partial<Record<string, number>> = {
  INVALID_INPUT: 400,
  LEAGUE_NOT_FOUND: 404,
  GAME_NOT_FOUND: 404,
  GAME_NOT_ON_SLATE: 400,
  TEAM_NOT_IN_GAME: 400,
  GAME_STARTED: 409,
  KEY_PICK_TAKEN: 409,
  TIEBREAKER_TAKEN: 409,
  DATABASE_UNAVAILABLE: 503,
};

// postgres.js and socket failures: the database is away, not the request wrong
const CONNECTION_CODES = new Set([
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs that say the database cannot serve now, not that the request or the code is
 * wrong: connection exceptions (08), insufficient resources (53), operator intervention
 * (57P), a database not created yet (3D000) or not migrated yet (42P01).
 */
function isDatabaseAway(code: string): boolean {
  return /^(08|53)[0-9A-Z]{3}$/.test(code) || /^57P0[1-4]$/.test(code) || code === '3D000' || code === '42P01';
}

const FASTIFY_CODES: Record<string, { status: number; code: string; message?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'BODY_TOO_LARGE' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send the body as application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'INVALID_BODY', message: 'the Content-Length does not match the body' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'INVALID_BODY', message: 'the body is empty; send a JSON object' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'INVALID_JSON', message: 'the body is not valid JSON' },
  FST_ERR_CTP_INVALID_TYPE: { status: 400, code: 'INVALID_BODY' },
  FST_ERR_BAD_URL: { status: 400, code: 'INVALID_URL', message: 'the URL is malformed' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'URI_TOO_LONG', message: 'a path parameter is longer than 200 characters' },
  FST_ERR_ASYNC_CONSTRAINT: { status: 400, code: 'BAD_REQUEST' },
};

interface ValidationIssue {
  keyword?: string;
  instancePath?: string;
  params?: Record<string, unknown>;
  message?: string;
}

const PART: Record<string, { code: string; what: string }> = {
  querystring: { code: 'INVALID_PARAMETER', what: 'query parameter' },
  params: { code: 'INVALID_PARAMETER', what: 'path parameter' },
  headers: { code: 'INVALID_HEADER', what: 'header' },
  body: { code: 'INVALID_BODY', what: 'body field' },
};

const describeAllowed = (values: unknown[]) => values.map((v) => JSON.stringify(v)).join(', ');

/**
 * One readable sentence naming the parameter at fault. TypeBox reports a union of
 * literals as one error per branch: those become "must be one of ...".
 */
export function validationMessage(context: string | undefined, issues: ValidationIssue[]): { code: string; message: string } {
  const part = PART[context ?? 'body'] ?? PART.body!;
  const first = issues[0] ?? {};
  const path = (first.instancePath ?? '').split('/').filter(Boolean);
  let name = path.join('.');
  let why = first.message ?? 'is invalid';
  if (first.keyword === 'required') {
    const missing = (first.params?.requiredProperties as string[] | undefined) ?? [];
    name = [...path, missing[0] ?? ''].filter(Boolean).join('.');
    why = 'is required';
  } else if (first.keyword === 'additionalProperties' || (first.keyword === 'boolean' && first.message === 'schema is false')) {
    const extra = (first.params?.additionalProperties as string[] | undefined)?.[0] ?? path.at(-1);
    name = [...(first.keyword === 'boolean' ? path.slice(0, -1) : path), extra ?? ''].filter(Boolean).join('.');
    why = context === 'body' ? 'is not a known field' : 'is not a known parameter';
  } else {
    const sameSpot = issues.filter((i) => i.instancePath === first.instancePath);
    const allowed = sameSpot.filter((i) => i.keyword === 'const').map((i) => i.params?.allowedValue);
    if (allowed.length > 1 || (allowed.length === 1 && sameSpot.length === 1)) why = `must be one of ${describeAllowed(allowed)}`;
    else if (first.keyword === 'enum') why = `must be one of ${describeAllowed((first.params?.allowedValues as unknown[]) ?? [])}`;
    else if (first.keyword === 'pattern') why = `is malformed (must match ${JSON.stringify(first.params?.pattern ?? '')})`;
    else if (first.keyword === 'format') why = `must be a valid ${JSON.stringify(first.params?.format ?? 'value')}`;
    else if (first.keyword === 'anyOf' && sameSpot.some((i) => i.keyword === 'type')) {
      const types = sameSpot.filter((i) => i.keyword === 'type').map((i) => i.params?.type);
      why = `must be ${types.join(' or ')}`;
    }
  }
  if (context === 'body' && !name) return { code: part.code, message: `the body ${why}` };
  return { code: part.code, message: `${part.what} "${name || '?'}" ${why}` };
}

/** What a failure looks like to the client; anything unexpected is a 500 and logged once. */
export function toHttpError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof GraderError) {
    const status = GRADER_STATUS[err.code] ?? 500;
    return new ApiError(status, status >= 500 && status !== 503 ? 'INTERNAL_ERROR' : err.code, status >= 500 && status !== 503 ? 'internal error' : err.message, { cause: err });
  }
  const e = (err ?? {}) as Partial<FastifyError> & { validation?: ValidationIssue[]; validationContext?: string };
  if (Array.isArray(e.validation)) {
    const { code, message } = validationMessage(e.validationContext, e.validation);
    return new ApiError(400, code, message, { cause: err });
  }
  if (typeof e.code === 'string') {
    const known = FASTIFY_CODES[e.code];
    if (known) return new ApiError(known.status, known.code, known.message ?? e.message ?? known.code, { cause: err });
    if (CONNECTION_CODES.has(e.code)) {
      return new ApiError(503, 'SERVICE_UNAVAILABLE', 'a dependency is unavailable; retry shortly', { cause: err, headers: { 'retry-after': '5' } });
    }
    if (isDatabaseAway(e.code)) {
      return new ApiError(503, 'SERVICE_UNAVAILABLE', 'the database is unavailable; retry shortly', { cause: err, headers: { 'retry-after': '5' } });
    }
    // Postgres SQLSTATE: bad data (22) or a broken constraint (23) means the input was wrong
    if (/^22[0-9A-Z]{3}$/.test(e.code)) return new ApiError(400, 'INVALID_INPUT', 'a value is out of range or malformed', { cause: err });
    if (/^23[0-9A-Z]{3}$/.test(e.code)) return new ApiError(409, 'CONFLICT', 'the change conflicts with existing data', { cause: err });
  }
  if (err instanceof SyntaxError && (e.statusCode === 400 || 'body' in (err as object))) {
    return new ApiError(400, 'INVALID_JSON', 'the body is not valid JSON', { cause: err });
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new ApiError(e.statusCode, e.statusCode === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', e.message ?? 'bad request', { cause: err });
  }
  return new ApiError(500, 'INTERNAL_ERROR', 'internal error', { cause: err });
}

export function sendError(reply: FastifyReply, err: ApiError): FastifyReply {
  reply.code(err.status).header('cache-control', 'no-store');
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  if (err.status === 401) reply.header('www-authenticate', 'Bearer realm="scores"');
  return reply.send({ error: { code: err.code, message: err.message } } satisfies ErrorBody);
}

/** Every error and every unknown route answers `{ error: { code, message } }`; input never causes a 500. */
/** `onUnmatched`: told about every request no route matched, as its 404 is sent (metrics) */
export function installErrorHandling(app: FastifyInstance, onUnmatched?: (req: FastifyRequest, reply: FastifyReply) => void): void {
  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const httpErr = toHttpError(err);
    if (httpErr.status >= 500) {
      req.log.error({ err, route: req.routeOptions.url, method: req.method }, 'request failed');
    }
    return sendError(reply, httpErr);
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    const sent = sendError(reply, new ApiError(404, 'NOT_FOUND', `no route ${req.method} ${path.slice(0, 200)}`));
    onUnmatched?.(req, reply);
    return sent;
  });
}
