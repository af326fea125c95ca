#!/usr/bin/env node
/**
 * The operator CLI: `pnpm scores <command>` (or the `scores` bin). It prints to the
 * terminal; exit codes: 0 done, 1 the operation failed, 2 bad usage or refused input,
 * 3 NATS unreachable, 4 no service answered.
 */
import { ConfigError } from '@scores/service-kit';
import { CliError } from './nats.js';

const USAGE = `usage: scores <command> [options]

commands:
  start                          every service in one process (as pnpm start)
  demo                           start + the ESPN simulator replaying a game day (as pnpm demo)
  poll-now [--force]             ask a poller to poll now; --force bypasses last-poll protection
  sync --from YYYY-MM-DD --to YYYY-MM-DD [--league sport/league ...]
                                 fetch a date range day by day, publish every game not seen
  status [--json]                breaker, last poll, live games, services, consumer lag
  migrate                        run the database migrations
  replay <dir> [--speed N]       serve a recorded game day from the ESPN simulator
  record <dir>                   save what ESPN serves, one file per poll, for replay
  tail [--json]                  print game.changed, poll.completed and breaker.changed as they happen

configuration comes from the environment (see README.md): NATS_URL, NAMESPACE, DATABASE_URL, ...`;

const commands: Record<string, (argv: string[]) => Promise<unknown>> = {
  start: async () => (await import('./commands/start.js')).start(),
  demo: async (argv) => (await import('./commands/demo.js')).demo(argv),
  'poll-now': async (argv) => (await import('./commands/admin.js')).pollNow(argv),
  sync: async (argv) => (await import('./commands/admin.js')).sync(argv),
  status: async (argv) => (await import('./commands/status.js')).status(argv),
  migrate: async () => (await import('./commands/migrate.js')).migrate(),
  replay: async (argv) => (await import('./commands/replay.js')).replay(argv),
  record: async (argv) => (await import('./commands/record.js')).record(argv),
  tail: async (argv) => (await import('./commands/tail.js')).tail(argv),
};

const [name, ...argv] = process.argv.slice(2);
if (!name || name === '--help' || name === '-h' || name === 'help') {
  console.log(USAGE);
  process.exit(name ? 0 : 2);
}
const command = commands[name];
if (!command) {
  console.error(`unknown command: ${name}\n\n${USAGE}`);
  process.exit(2);
}
try {
  await command(argv);
} catch (err) {
  if (err instanceof CliError) {
    console.error(`scores ${name}: ${err.message}`);
    process.exit(err.exitCode);
  }
  if (err instanceof ConfigError) {
    console.error(`scores ${name}: ${err.message}`);
    process.exit(2);
  }
  const code = (err as { code?: string })?.code;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' || code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    console.error(`scores ${name}: ${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(`scores ${name}: ${(err as Error)?.stack ?? String(err)}`);
  process.exit(1);
}
