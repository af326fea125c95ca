/**
 * SSE fan-out: 5,000 clients on one api process (its own process, as deployed), 60 live
 * games. Each round publishes one game.changed into JetStream and times, from just before
 * the publish, when every client has the new frame. The clients are raw sockets in this
 * process (the api gets a core of its own); a client's time is when this process read
 * its data, so the last client's figure includes reading the 4,999 before it.
 */
import { connect, type Socket } from 'node:net';
import { encode, GameChanged, subjects } from '@scores/contracts';
import { fixtures, startProcess, waitFor, type RunningProcess } from '@scores/testkit';
import { median, percentile, round, type Bench, type BenchRow } from './lib.js';
import { rssOf } from './support.js';
import { openStack, type Stack } from './stack.js';

const GAMES = 60;

async function publishGame(stack: Stack, g: ReturnType<typeof fixtures.game>): Promise<number> {
  const ev = fixtures.changed(g);
  const ack = await stack.ctx.js.publish(subjects.gameChanged(stack.ns, g), encode(GameChanged, ev), { msgID: ev.id });
  return ack.seq;
}

interface Client {
  socket: Socket;
  tail: string;
  ready: boolean;
  seenAt: number;
}

export const run: Bench = async ({ quick }) => {
  const clientCount = quick ? 200 : 5000;
  const rounds = quick ? 3 : 20;
  const stack = await openStack('benchsse');
  let api: RunningProcess | undefined;
  const clients: Client[] = [];
  const rows: BenchRow[] = [];
  try {
    const kickoff = Date.now() - 3600_000;
    const games = Array.from({ length: GAMES }, (_, i) =>
      fixtures.game({
        id: `sse${i}`,
        kickoff,
        phase: 'in',
        home: { teamId: `${1000 + 2 * i}`, abbreviation: `H${i}`, score: 7 },
        away: { teamId: `${1001 + 2 * i}`, abbreviation: `A${i}`, score: 3 },
      }),
    );
    let position = 0;
    for (const g of games) position = await publishGame(stack, g);

    api = startProcess(['services/api/src/main.ts'], { ...stack.env, LOG_LEVEL: 'info' });
    const listening = await api.waitForLog((l) => l.msg === 'api listening', 60_000);
    const port = Number(listening.port);
    const rssIdle = rssOf(api.child.pid!);

    // connect in batches; a client is ready once it has the snapshot's closing id frame
    // (chunked encoding wraps each frame: the id-only frame is "\r\n<len>\r\nid: N\n\n")
    const snapshotEnd = `\nid: ${position}\n\n`;
    let marker = '';
    const open = () =>
      new Promise<void>((resolve, reject) => {
        const c: Client = { socket: connect(port, '127.0.0.1'), tail: '', ready: false, seenAt: 0 };
        let head = '';
        const timer = setTimeout(() => reject(new Error(`no snapshot within 30 s; got: ${JSON.stringify(head.slice(0, 600))}`)), 30_000);
        c.socket.setEncoding('utf8');
        c.socket.on('connect', () => c.socket.write('GET /api/games/stream HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n'));
        c.socket.on('data', (chunk: string) => {
          const text = c.tail + chunk;
          c.tail = text.slice(-64);
          if (!c.ready) {
            if (head.length < 600) head += chunk;
            if (text.includes(snapshotEnd)) {
              c.ready = true;
              clearTimeout(timer);
              resolve();
            }
          } else if (!c.seenAt && marker && text.includes(marker)) c.seenAt = performance.now();
        });
        c.socket.on('error', reject);
        clients.push(c);
      });
    for (let i = 0; i < clientCount; i += 250) {
      await Promise.all(Array.from({ length: Math.min(250, clientCount - i) }, open));
    }
    const rssClients = rssOf(api.child.pid!);

    const last: number[] = [];
    const p50s: number[] = [];
    const all: number[] = [];
    const target = games[0]!;
    for (let r = 1; r <= rounds; r++) {
      for (const c of clients) c.seenAt = 0;
      const score = 100 + r;
      marker = `"score":${score}`;
      const next = { ...target, revision: r + 1, home: { ...target.home, score } };
      const t0 = performance.now();
      await publishGame(stack, next);
      await waitFor(() => clients.every((c) => c.seenAt > 0), { timeoutMs: 30_000, intervalMs: 5, message: `round ${r}: not every client got the change` });
      const times = clients.map((c) => c.seenAt - t0);
      last.push(Math.max(...times));
      p50s.push(median(times));
      all.push(...times);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const dropped = clients.filter((c) => c.socket.destroyed).length;
    if (dropped) throw new Error(`${dropped} clients were dropped`);

    const p99 = percentile(last, 99);
    rows.push({
      name: `SSE fan-out: ${clientCount.toLocaleString('en-US')} clients on one api process, last client after the change`,
      value: round(p99, 1),
      unit: 'ms p99',
      target: '<= 500 ms p99',
      ...(quick ? {} : { pass: p99 <= 500 }),
      runs: last.map((x) => round(x, 1)),
      notes:
        `from just before the publish to JetStream; median client ${round(median(p50s), 1)} ms, p99 of all clients ${round(percentile(all, 99), 1)} ms, ` +
        `last client median ${round(median(last), 1)} ms over ${rounds} changes; api RSS ${rssIdle} MB idle, ${rssClients} MB with the clients connected`,
    });
  } finally {
    for (const c of clients) c.socket.destroy();
    await api?.stop('SIGTERM', 10_000);
    await stack.close();
  }
  return rows;
};
