/**
 * The whole ESPN response is unusable (not an object, no `events` array, a summary without a
 * competition...). The poll counts as failed for the breaker and writes nothing; the next poll
 * may well get a good response, hence retryable.
 */
export class EspnShapeError extends Error {
  override readonly name = 'EspnShapeError';
  readonly code = 'ESPN_SHAPE';
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * One event is not the shape we know. The scoreboard parser catches it, skips that event and
 * records the reason; the rest of the response is used. Retrying the same bytes cannot help.
 */
export class EspnEventError extends Error {
  override readonly name = 'EspnEventError';
  readonly code = 'ESPN_EVENT_SHAPE';
  readonly retryable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
