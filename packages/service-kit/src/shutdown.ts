import type { Logger } from './logger.js';

export interface ShutdownStep {
  name: string;
  run: () => Promise<void> | void;
}

/**
 * Runs shutdown steps in order on SIGTERM/SIGINT (stop taking work, finish or nak what
 * is in flight, drain NATS, close pools) and exits within the grace period, whatever
 * a step does. A second signal exits at once.
 */
export function handleSignals(opts: { steps: () => ShutdownStep[]; graceMs: number; log: Logger }): {
  shutdown: (reason: string) => Promise<void>;
} {
  let started = false;
  const shutdown = async (reason: string) => {
    if (started) return;
    started = true;
    opts.log.info({ reason, graceMs: opts.graceMs }, 'shutting down');
    const deadline = setTimeout(() => {
      opts.log.error({ graceMs: opts.graceMs }, 'shutdown exceeded its grace period; exiting');
      process.exit(1);
    }, opts.graceMs);
    deadline.unref();
    let failed = false;
    for (const step of opts.steps()) {
      const t0 = performance.now();
      try {
        await step.run();
        opts.log.debug({ step: step.name, ms: Math.round(performance.now() - t0) }, 'shutdown step done');
      } catch (err) {
        failed = true;
        opts.log.error({ err, step: step.name }, 'shutdown step failed');
      }
    }
    clearTimeout(deadline);
    opts.log.info('stopped');
    opts.log.flush?.();
    process.exit(failed ? 1 : 0);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (started) {
      opts.log.warn({ signal }, 'second signal; exiting now');
      process.exit(1);
    }
    void shutdown(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return { shutdown };
}
