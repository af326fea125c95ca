import { parseArgs } from 'node:util';
import { decode, GameChanged, PollCompleted, BreakerChanged, subjects } from '@scores/contracts';
import { commonFromEnv, connectCli } from '../nats.js';

/** Prints the events of the namespace as they happen: games, polls, breaker. Ctrl-C stops. */
export async function tail(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } } });
  const common = commonFromEnv();
  const nc = await connectCli(common);
  const ns = common.namespace;
  const line = (subject: string, data: Uint8Array): string => {
    if (values.json) return `${subject} ${new TextDecoder().decode(data)}`;
    if (subject === subjects.pollCompleted(ns)) {
      const p = decode(PollCompleted, data);
      return `poll     ${p.ok === false ? 'FAILED ' : ''}${p.gamesSeen} games, ${p.changed} changed, ${p.liveGameCount} live, ${p.durationMs} ms`;
    }
    if (subject === subjects.breakerChanged(ns)) {
      const b = decode(BreakerChanged, data);
      return `breaker  ${b.state} (failures ${b.failures}${b.retryAt ? `, retry at ${b.retryAt}` : ''})`;
    }
    const e = decode(GameChanged, data);
    const g = e.game;
    const score = g.home.score === null ? '' : ` ${g.away.score}-${g.home.score}`;
    return `game     ${g.away.abbreviation} @ ${g.home.abbreviation}${score}  ${g.status.shortDetail}  r${e.revision} [${e.changed.join(', ') || 'new'}]`;
  };
  console.error(`watching ${ns}.game.changed.>, ${ns}.poll.completed, ${ns}.breaker.changed on ${common.nats.servers.join(',')} (Ctrl-C to stop)`);
  for (const subject of [subjects.gameChangedFilter(ns), subjects.pollCompleted(ns), subjects.breakerChanged(ns)]) {
    nc.subscribe(subject, {
      callback: (_err, m) => {
        try {
          console.log(`${new Date().toISOString().slice(11, 19)} ${line(m.subject, m.data)}`);
        } catch (err) {
          console.log(`${m.subject} (does not match its contract: ${(err as Error).message})`);
        }
      },
    });
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await nc.drain();
}
