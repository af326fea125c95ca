import { parseArgs } from 'node:util';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import {
  BreakerChanged,
  consumerNames,
  decode,
  PollCompleted,
  ServiceHeartbeat,
  streamSpecs,
  subjects,
} from '@scores/contracts';
import { commonFromEnv, connectCli } from '../nats.js';

const ago = (iso: string | null | undefined, now = Date.now()): string => {
  if (!iso) return 'never';
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (s < 0) return `in ${human(-s)}`;
  return `${human(s)} ago`;
};
const human = (s: number): string => (s < 90 ? `${s} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`);

async function lastOf<T>(jsm: JetStreamManager, stream: string, subject: string, decodeFn: (d: Uint8Array) => T): Promise<T | null> {
  try {
    const m = await jsm.streams.getMessage(stream, { last_by_subj: subject });
    return m ? decodeFn(m.data) : null;
  } catch {
    return null;
  }
}

/** What an operator asks first: is ESPN reachable, are polls happening, is every service up, is anything behind. */
export async function status(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false }, wait: { type: 'string', default: '1000' } } });
  const common = commonFromEnv();
  const ns = common.namespace;
  const nc = await connectCli(common);
  try {
    const jsm = await jetstreamManager(nc);
    const streams = streamSpecs(ns);
    const names = consumerNames(ns);
    const [poll, breaker] = await Promise.all([
      lastOf(jsm, streams.polls.name, subjects.pollCompleted(ns), (d) => decode(PollCompleted, d)),
      lastOf(jsm, streams.polls.name, subjects.breakerChanged(ns), (d) => decode(BreakerChanged, d)),
    ]);

    const services: ServiceHeartbeat[] = [];
    try {
      const replies = await nc.requestMany(subjects.adminHealth(ns), '', { maxWait: Number(values.wait) || 1000 });
      for await (const r of replies) {
        try {
          services.push(decode(ServiceHeartbeat, r.data));
        } catch {
          // an instance of another version; skip it
        }
      }
    } catch {
      // no responders: no service running
    }
    services.sort((a, b) => a.service.localeCompare(b.service) || a.instance.localeCompare(b.instance));

    const durables: [string, string][] = [
      [streams.ticks.name, names.pollerTicks],
      [streams.games.name, names.graderGames],
      [streams.games.name, names.cacheWriterGames],
      [streams.polls.name, names.cacheWriterPolls],
      [streams.polls.name, `${names.cacheWriterPolls}-breaker`],
      [streams.ticks.name, names.cacheWriterCleanup],
    ];
    const consumers = await Promise.all(
      durables.map(async ([stream, durable]) => {
        try {
          const i = await jsm.consumers.info(stream, durable);
          return { stream, durable, pending: i.num_pending, inFlight: i.num_ack_pending, redelivered: i.num_redelivered, exists: true };
        } catch {
          return { stream, durable, pending: 0, inFlight: 0, redelivered: 0, exists: false };
        }
      }),
    );

    const report = {
      namespace: ns,
      breaker: breaker ?? { state: 'closed', failures: 0, openedAt: null, retryAt: null },
      lastPoll: poll,
      live: { hasLiveGames: poll?.hasLiveGames ?? false, liveGameCount: poll?.liveGameCount ?? 0, nextKickoff: poll?.nextKickoff ?? null },
      services,
      consumers,
    };
    if (values.json) {
      console.log(JSON.stringify(report, null, 2));
      return;
    }
    const b = report.breaker;
    console.log(`namespace   ${ns} on ${common.nats.servers.join(', ')}`);
    console.log(`breaker     ${b.state}${b.failures ? ` (${b.failures} failed polls in a row)` : ''}${b.retryAt ? `, half-open ${ago(b.retryAt)}` : ''}`);
    console.log(
      `last poll   ${poll ? `${ago(poll.at)} (${poll.at}): ${poll.ok === false ? 'FAILED, ' : ''}${poll.gamesSeen} games, ${poll.changed} changed, ${poll.durationMs} ms` : 'none yet'}`,
    );
    console.log(`live games  ${report.live.liveGameCount}${report.live.nextKickoff ? `; next kickoff ${report.live.nextKickoff} (${ago(report.live.nextKickoff)})` : ''}`);
    console.log(`services    ${services.length ? '' : 'none answered'}`);
    for (const s of services) {
      const failing = Object.entries(s.checks).filter(([, ok]) => !ok).map(([k]) => k);
      console.log(`  ${s.service.padEnd(13)} ${s.instance.padEnd(24)} ${s.ready ? 'ready' : `NOT READY (${failing.join(', ')})`}  v${s.version}  up ${ago(s.startedAt).replace(' ago', '')}`);
    }
    console.log('consumers   pending = not yet delivered, in flight = delivered not acked');
    for (const c of consumers) {
      console.log(`  ${`${c.stream}/${c.durable}`.padEnd(44)} ${c.exists ? `pending ${String(c.pending).padStart(6)}  in flight ${String(c.inFlight).padStart(4)}  redelivered ${c.redelivered}` : 'not created yet'}`);
    }
  } finally {
    await nc.close();
  }
}
