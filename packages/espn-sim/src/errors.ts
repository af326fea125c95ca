/** A refused simulator call: bad input, an unknown event or fixture. Retrying cannot help. */
export class SimError extends Error {
  readonly code: string;
  readonly retryable = false;
  constructor(code: string, message: string, opts?: { cause?: unknown }) {
    super(message, opts);
    this.name = 'SimError';
    this.code = code;
  }
}
