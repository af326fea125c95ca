import { parseArgs } from 'node:util';
import { createInbox } from '@nats-io/transport-node';
import {
  decode,
  encode,
  PollNowReply,
  PollNowRequest,
  subjects,
  SyncProgress,
  SyncReply,
  SyncRequest,
} from '@scores/contracts';
import { isDay } from '@scores/service-kit';
import { CliError, commonFromEnv, connectCli } from '../nats.js';

const noResponders = (err: unknown) => /no responders|503/i.test((err as Error)?.message ?? '');

export async function pollNow(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { force: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } } });
  const common = commonFromEnv();
  const nc = await connectCli(common);
  try {
    const req: PollNowRequest = { force: values.force };
    const msg = await nc.request(subjects.adminPollNow(common.namespace), encode(PollNowRequest, req), { timeout: 120_000 }).catch((err: unknown) => {
      throw noResponders(err) ? new CliError('no poller is running in this namespace', 4) : err;
    });
    const raw = msg.json<Record<string, unknown>>();
    if (values.json) console.log(JSON.stringify(raw));
    if (raw.ok === false && raw.code) throw new CliError(`refused: ${String(raw.error)}`, 2);
    const reply = decode(PollNowReply, msg.data);
    if (!values.json) {
      if (!reply.polled) console.log(`skipped: ${reply.skipped ?? 'unknown reason'} (use --force to bypass last-poll protection)`);
      else console.log(`${reply.ok ? 'polled' : 'poll failed'}: ${reply.gamesSeen ?? 0} games seen, ${reply.changed ?? 0} changed, ${Math.round(reply.durationMs ?? 0)} ms${reply.error ? ` (${reply.error})` : ''}`);
    }
    if (!reply.ok) process.exitCode = 1;
  } finally {
    await nc.close();
  }
}

export async function sync(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      league: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.from || !values.to) throw new CliError('sync needs --from YYYY-MM-DD and --to YYYY-MM-DD', 2);
  for (const [name, v] of [['--from', values.from], ['--to', values.to]] as const) if (!isDay(v)) throw new CliError(`${name} must be a date YYYY-MM-DD, got ${v}`, 2);
  if (values.from > values.to) throw new CliError('--from must not be after --to', 2);
  for (const l of values.league ?? []) if (!/^[a-z0-9_-]+\/[a-z0-9_-]+$/i.test(l)) throw new CliError(`--league must be sport/league, e.g. football/nfl; got ${l}`, 2);

  const common = commonFromEnv();
  const nc = await connectCli(common);
  const progressSubject = createInbox();
  const { renderProgress, clearProgress } = await import('../progress.js');
  const sub = nc.subscribe(progressSubject, {
    callback: (_e, m) => {
      try {
        const p = decode(SyncProgress, m.data);
        if (!values.json) renderProgress(p);
      } catch {
        // progress is best effort
      }
    },
  });
  try {
    const req: SyncRequest = { from: values.from, to: values.to, progressSubject, ...(values.league ? { leagues: values.league } : {}) };
    const msg = await nc.request(subjects.adminSync(common.namespace), encode(SyncRequest, req), { timeout: 60 * 60_000 }).catch((err: unknown) => {
      throw noResponders(err) ? new CliError('no poller is running in this namespace', 4) : err;
    });
    clearProgress();
    const raw = msg.json<Record<string, unknown>>();
    if (raw.ok === false && raw.code) throw new CliError(`refused: ${String(raw.error)}`, 2);
    const reply = decode(SyncReply, msg.data);
    if (values.json) console.log(JSON.stringify(reply));
    else {
      console.log(`synced ${reply.days} day(s), ${reply.requests} request(s): ${reply.gamesSeen} games seen, ${reply.published} published, ${reply.failed.length} failed, ${(reply.durationMs / 1000).toFixed(1)} s`);
      for (const f of reply.failed) console.log(`  failed ${f.league} ${f.day}: ${f.error}`);
      if (reply.error) console.log(`error: ${reply.error}`);
    }
    if (!reply.ok) process.exitCode = 1;
  } finally {
    sub.unsubscribe();
    await nc.close();
  }
}
