import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface RunningProcess {
  child: ChildProcess;
  /** every stdout/stderr line so far */
  lines: string[];
  /** parsed pino JSON lines */
  logs(): Record<string, unknown>[];
  waitForLog(match: (log: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** sends the signal and resolves with the exit code (or null when killed) */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
  exited: Promise<number | null>;
}

/**
 * Runs a command of the repository as a user would (e.g. the CLI's `start`), with its
 * own environment, collecting its output.
 */
export function startProcess(args: string[], env: Record<string, string>, opts: { cwd?: string; tsx?: boolean } = {}): RunningProcess {
  const child = spawn(process.execPath, opts.tsx === false ? args : ['--import', 'tsx', ...args], {
    cwd: opts.cwd ?? repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const collect = (buf: Buffer) => lines.push(...buf.toString('utf8').split('\n').filter(Boolean));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const logs = () =>
    lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  return {
    child,
    lines,
    logs,
    exited,
    waitForLog: (match, timeoutMs = 20_000) =>
      waitFor(() => logs().find(match), { timeoutMs, message: `log line not seen; output:\n${lines.slice(-20).join('\n')}` }),
    async stop(signal = 'SIGTERM', timeoutMs = 30_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
