import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { readRecording, startSimulator } from '@scores/espn-sim';
import { easternDate } from '@scores/service-kit';
import { CliError } from '../nats.js';

/**
 * A recorded game day (one file per poll, as `record` writes) served by the ESPN
 * simulator, moved to today and played at --speed; or loaded into a simulator already
 * running (--sim http://host:port). Point the poller's ESPN_BASE_URL at what it prints.
 */
export async function replay(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      speed: { type: 'string', default: '1' },
      port: { type: 'string', default: process.env.SIM_PORT ?? '0' },
      sim: { type: 'string' },
      'keep-day': { type: 'boolean', default: false },
    },
  });
  const [dir] = positionals;
  if (!dir) throw new CliError('replay needs a recording directory: scores replay <dir> [--speed N]', 2);
  const path = resolve(dir);
  if (!existsSync(path)) throw new CliError(`no recording at ${path}`, 2);
  const speed = Number(values.speed);
  if (!Number.isFinite(speed) || speed <= 0) throw new CliError(`--speed must be a positive number, got ${values.speed}`, 2);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be 0-65535, got ${values.port}`, 2);

  let recording;
  try {
    recording = readRecording(path);
  } catch (err) {
    throw new CliError(`cannot read the recording: ${(err as Error).message}`, 2);
  }
  if (recording.snapshots.length === 0) throw new CliError(`${path} holds no snapshots (files named <time>__<sport>__<league>__<YYYYMMDD>.json)`, 2);
  const first = recording.snapshots[0]!;
  const last = recording.snapshots.at(-1)!;
  const shiftToDay = values['keep-day'] ? undefined : easternDate(Date.now());

  if (values.sim) {
    const res = await fetch(new URL('/_sim/recording', values.sim), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'scores-cli' },
      body: JSON.stringify({ dir: path, speed, ...(shiftToDay ? { shiftToDay } : {}) }),
    }).catch((err: unknown) => {
      throw new CliError(`cannot reach the simulator at ${values.sim}: ${(err as Error).message}`, 3);
    });
    if (!res.ok) throw new CliError(`the simulator refused the recording: ${res.status} ${await res.text()}`, 1);
    console.log(`loaded ${recording.snapshots.length} snapshots into ${values.sim} at ${speed}x`);
    return;
  }

  const sim = await startSimulator({ port });
  sim.loadRecording(recording, { startAt: new Date(), ...(shiftToDay ? { shiftToDay } : {}) });
  sim.clock.run(speed);
  const spanS = (last.at.getTime() - first.at.getTime()) / 1000;
  console.log(`replaying ${recording.snapshots.length} snapshots (${Math.round(spanS / 60)} min recorded) at ${speed}x: about ${Math.ceil(spanS / speed / 60)} min`);
  console.log(`ESPN_BASE_URL=${sim.baseUrl}`);
  console.log(`control: ${sim.origin}/_sim/state   (Ctrl-C stops)`);
  await new Promise<void>((r) => {
    process.once('SIGINT', r);
    process.once('SIGTERM', r);
  });
  await sim.close();
}
