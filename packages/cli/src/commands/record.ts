import { parseArgs } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { snapshotFileName } from '@scores/espn-sim';
import { createEspnClient, loadConfig as loadPollerConfig } from '@scores/poller';
import { addDays, easternDate } from '@scores/service-kit';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { CliError } from '../nats.js';

/**
 * Saves what ESPN serves, one file per league-day per poll, in the format `replay`
 * reads. Talks to ESPN the way the poller does (same client: user agent, timeout,
 * retries, rate limit) from ESPN_BASE_URL / ESPN_LEAGUES.
 */
export async function record(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      interval: { type: 'string', default: '60' },
      once: { type: 'boolean', default: false },
      day: { type: 'string', multiple: true },
    },
  });
  const [dir] = positionals;
  if (!dir) throw new CliError('record needs a directory: scores record <dir> [--interval S] [--once] [--day YYYY-MM-DD ...]', 2);
  const intervalS = Number(values.interval);
  if (!Number.isFinite(intervalS) || intervalS < 5) throw new CliError(`--interval must be at least 5 seconds, got ${values.interval}`, 2);
  for (const d of values.day ?? []) if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) throw new CliError(`--day must be YYYY-MM-DD, got ${d}`, 2);
  const config = loadPollerConfig(process.env);
  const out = resolve(dir);
  mkdirSync(out, { recursive: true });
  const client = createEspnClient(config.espn, { log: pino({ level: 'silent' }), registry: new Registry() });

  let stop = false;
  const stopped = new Promise<void>((r) => {
    const onSignal = () => {
      stop = true;
      r();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  let files = 0;
  let failures = 0;
  console.error(`recording ${config.espn.leagues.map((l) => `${l.sport}/${l.league}`).join(', ')} from ${config.espn.baseUrl} into ${out} every ${intervalS} s (Ctrl-C stops)`);
  try {
    while (!stop) {
      const today = easternDate(Date.now());
      const days = values.day ?? [addDays(today, -1), today];
      for (const league of config.espn.leagues) {
        for (const day of days) {
          const at = new Date();
          try {
            const res = await client.fetchDay(league, day);
            // the bytes exactly as received (after HTTP decompression)
            writeFileSync(join(out, snapshotFileName({ at, league: `${league.sport}/${league.league}`, day: day.replaceAll('-', '') })), res.raw);
            files++;
          } catch (err) {
            failures++;
            console.error(`${at.toISOString()} ${league.sport}/${league.league} ${day}: ${(err as Error).message}`);
          }
        }
      }
      console.error(`${new Date().toISOString()} ${files} file(s) written, ${failures} failure(s)`);
      if (values.once) break;
      await Promise.race([stopped, new Promise((r) => setTimeout(r, intervalS * 1000))]);
    }
  } finally {
    client.dispose();
  }
  console.log(`recorded ${files} file(s) into ${out}${failures ? `; ${failures} request(s) failed` : ''}`);
  if (files === 0) process.exitCode = 1;
}
