import { ServiceError } from '@scores/service-kit';

export type GraderErrorCode =
  | 'INVALID_INPUT'
  | 'LEAGUE_NOT_FOUND'
  | 'GAME_NOT_FOUND'
  | 'GAME_NOT_ON_SLATE'
  | 'TEAM_NOT_IN_GAME'
  | 'GAME_STARTED'
  | 'KEY_PICK_TAKEN'
  | 'TIEBREAKER_TAKEN'
  | 'MIGRATION_CHANGED'
  | 'EVENT_INCONSISTENT'
  | 'EVENT_REJECTED'
  | 'DATABASE_UNAVAILABLE';

/** The HTTP status an api answers for each code (the data layer itself knows no HTTP). */
const STATUS: Record<GraderErrorCode, number> = {
  INVALID_INPUT: 400,
  LEAGUE_NOT_FOUND: 404,
  GAME_NOT_FOUND: 404,
  GAME_NOT_ON_SLATE: 404,
  TEAM_NOT_IN_GAME: 400,
  GAME_STARTED: 409,
  KEY_PICK_TAKEN: 409,
  TIEBREAKER_TAKEN: 409,
  MIGRATION_CHANGED: 500,
  EVENT_INCONSISTENT: 422,
  EVENT_REJECTED: 422,
  DATABASE_UNAVAILABLE: 503,
};

export class GraderError extends ServiceError {
  override readonly code: GraderErrorCode;
  readonly status: number;
  constructor(code: GraderErrorCode, message: string, opts: { retryable?: boolean; cause?: unknown } = {}) {
    super(code, message, { retryable: opts.retryable ?? code === 'DATABASE_UNAVAILABLE', cause: opts.cause });
    this.name = 'GraderError';
    this.code = code;
    this.status = STATUS[code];
  }
}

// Connection-level failures of postgres.js, and Node's socket errors underneath.
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
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * Whether a database failure can go away by itself. Only bad data (class 22) and broken
 * constraints (class 23, bar a unique violation lost to a concurrent insert) are
 * permanent: everything else (connection lost, admin shutdown, serialization failure,
 * deadlock, too many connections, even a missing table during a deploy) is retried,
 * because refusing an event loses it while retrying only delays it.
 */
export function isTransientDbError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return true;
  if (CONNECTION_CODES.has(code)) return true;
  if (/^[0-9A-Z]{5}$/.test(code)) {
    if (code === '23505') return true;
    return !code.startsWith('22') && !code.startsWith('23');
  }
  return true;
}

/** Wraps a database failure met while applying an event with a retryable verdict. */
export function eventFailure(err: unknown): Error {
  if (err instanceof GraderError) return err;
  if (isTransientDbError(err)) {
    return new GraderError('DATABASE_UNAVAILABLE', `database failure: ${(err as Error)?.message ?? String(err)}`, {
      retryable: true,
      cause: err,
    });
  }
  return new GraderError('EVENT_REJECTED', `the database refused the event: ${(err as Error)?.message ?? String(err)}`, {
    retryable: false,
    cause: err,
  });
}
