import type { SyncProgress } from '@scores/contracts';

const tty = process.stderr.isTTY;

/** One line, redrawn in place on a terminal; a line every 10 % otherwise. */
export function renderProgress(p: SyncProgress): void {
  const width = 30;
  const done = p.total ? p.done / p.total : 1;
  const bar = '█'.repeat(Math.round(done * width)).padEnd(width, '░');
  const line = `${bar} ${p.done}/${p.total} ${p.league} ${p.day}  games ${p.gamesSeen}  published ${p.published}${p.error ? '  (a request failed)' : ''}`;
  if (tty) process.stderr.write(`\r${line.slice(0, (process.stderr.columns || 120) - 1)}\x1b[K`);
  else if (p.done === p.total || Math.floor((p.done * 10) / p.total) !== Math.floor(((p.done - 1) * 10) / p.total)) process.stderr.write(`${line}\n`);
}

export function clearProgress(): void {
  if (tty) process.stderr.write('\r\x1b[K');
}
