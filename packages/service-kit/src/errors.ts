/** Errors that say whether retrying can help; consumers nak the retryable ones and term the rest. */
export class ServiceError extends Error {
  readonly retryable: boolean;
  readonly code: string;
  constructor(code: string, message: string, opts: { retryable: boolean; cause?: unknown }) {
    super(message, { cause: opts.cause });
    this.name = 'ServiceError';
    this.code = code;
    this.retryable = opts.retryable;
  }
}

export function isRetryable(err: unknown): boolean {
  if (err && typeof err === 'object' && 'retryable' in err) return Boolean(err.retryable);
  return true; // unknown failures (network, database down) are presumed transient
}

