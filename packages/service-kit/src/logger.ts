import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import type { LogLevel } from './common-config.js';

export type { Logger };

/** Paths whose values never reach a log line. */
const REDACT = [
  'password',
  'token',
  'apiKey',
  'apiKeys',
  'authorization',
  '*.password',
  '*.token',
  '*.apiKey',
  '*.apiKeys',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
];

/**
 * pino JSON logs; pretty output only when stdout is a terminal (and pino-pretty is
 * installed, a dev dependency), never keyed on NODE_ENV.
 */
export function createLogger(opts: { service: string; level: LogLevel; base?: Record<string, unknown> }): Logger {
  const options = {
    level: opts.level,
    base: { service: opts.service, ...opts.base },
    redact: { paths: REDACT, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (process.stdout.isTTY && prettyAvailable()) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return pino(options);
}

function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}
