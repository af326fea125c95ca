/**
 * Polls `condition` until it returns something other than undefined/false or throws no
 * more; fails with the last error (or the message) at the deadline. Never a fixed sleep.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  opts: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<Exclude<T, false | undefined | null>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  let lastError: unknown;
  for (;;) {
    try {
      const v = await condition();
      if (v !== undefined && v !== false && v !== null) return v as Exclude<T, false | undefined | null>;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`waitFor timed out after ${opts.timeoutMs ?? 10_000} ms${opts.message ? ` (${opts.message})` : ''}${why}`, {
        cause: lastError,
      });
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 25));
  }
}

/** Resolves after `ms` of real time; for tests that must prove something does NOT happen. */
export const quietPeriod = (ms: number) => new Promise((r) => setTimeout(r, ms));
