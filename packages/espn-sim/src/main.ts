/**
 * Runs the simulator alone:
 *   pnpm --dir packages/espn-sim start -- --port 4000 [--recording <dir>] [--game-day [--day YYYY-MM-DD]]
 *     [--shift-to-day YYYY-MM-DD|none] [--speed 60] [--host 127.0.0.1]
 * A recording is moved to today (US Eastern) unless --shift-to-day says otherwise.
 */
import { parseArgs } from 'node:util';
import { buildGameDay } from './gameday.js';
import { startSimulator } from './server.js';
import { easternDay, isDay } from './time.js';

function fail(message: string): never {
  process.stderr.write(`espn-sim: ${message}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    recording: { type: 'string' },
    'game-day': { type: 'boolean' },
    day: { type: 'string' },
    'shift-to-day': { type: 'string' },
    speed: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
  allowPositionals: false,
});

if (values.help) {
  process.stdout.write(
    'usage: espn-sim [--port N] [--host H] [--recording DIR | --game-day [--day YYYY-MM-DD]] [--shift-to-day YYYY-MM-DD|none] [--speed N]\n',
  );
  process.exit(0);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0-65535, got ${values.port}`);
const speed = values.speed === undefined ? undefined : Number(values.speed);
if (speed !== undefined && !(Number.isFinite(speed) && speed > 0)) fail(`--speed must be a positive number, got ${values.speed}`);
const today = easternDay(new Date());
const shift = values['shift-to-day'] ?? today;
if (shift !== 'none' && !isDay(shift)) fail(`--shift-to-day must be YYYY-MM-DD or none, got ${shift}`);
const gameDay = values.day ?? today;
if (!isDay(gameDay)) fail(`--day must be YYYY-MM-DD, got ${gameDay}`);
if (values['game-day'] && values.recording) fail('choose --recording or --game-day, not both');

const sim = await startSimulator({ port, host: values.host });
try {
  if (values.recording) sim.loadRecording(values.recording, shift === 'none' ? {} : { shiftToDay: shift });
  if (values['game-day']) sim.loadRecording(buildGameDay({ day: gameDay }));
} catch (err) {
  await sim.close();
  fail(err instanceof Error ? err.message : String(err));
}
if (speed !== undefined) sim.clock.run(speed);

process.stdout.write(`${sim.baseUrl}\n`);
process.stdout.write(`control: ${sim.origin}/_sim/state\n`);

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (closing) return;
    closing = true;
    void sim.close().then(() => process.exit(0));
  });
}
