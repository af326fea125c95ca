/**
 * pnpm bench: every benchmark, one table, bench/results/latest.json. Each figure is
 * measured against a baseline in the same run where it has one (the machine is shared
 * and noisy: medians and ratios, never absolute promises). --quick runs a small variant
 * of each in seconds (CI keeps them from rotting; it does not judge timings).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Bench, BenchRow } from './lib.js';

const benches: Record<string, () => Promise<{ run: Bench }>> = {
  poll: () => import('./poll.js'),
  http: () => import('./http.js'),
  grading: () => import('./grading.js'),
  latency: () => import('./latency.js'),
  sse: () => import('./sse.js'),
  events: () => import('./events.js'),
  memory: () => import('./memory.js'),
};

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string', multiple: true } } });
const quick = values.quick;
const selected = Object.keys(benches).filter((n) => !values.only || values.only.includes(n));
const results: (BenchRow & { bench: string })[] = [];
let failed = false;
for (const name of selected) {
  process.stderr.write(`bench ${name}${quick ? ' (quick)' : ''}...\n`);
  try {
    const mod = await benches[name]!();
    for (const row of await mod.run({ quick })) results.push({ bench: name, ...row });
  } catch (err) {
    failed = true;
    process.stderr.write(`bench ${name} failed: ${(err as Error).stack ?? String(err)}\n`);
    results.push({ bench: name, name: `${name}: FAILED`, value: NaN, unit: '', notes: (err as Error).message });
  }
}

const fmt = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '' : String(n));
const table = results.map((r) => [
  r.name,
  `${fmt(r.value)} ${r.unit}`.trim(),
  r.baseline ? `${r.baseline.name}: ${fmt(r.baseline.value)}` : '',
  r.ratio === undefined ? '' : `${r.ratio}x`,
  r.target ?? '',
  r.pass === undefined ? '' : r.pass ? 'ok' : 'MISSED',
]);
const head = ['benchmark', 'value', 'baseline', 'ratio', 'target', ''];
const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
const line = (row: string[]) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
console.log(line(head));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of table) console.log(line(row));
for (const r of results.filter((x) => x.notes)) console.log(`  ${r.name}: ${r.notes}`);

const out = join(import.meta.dirname, 'results');
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, 'latest.json'),
  JSON.stringify({ at: new Date().toISOString(), quick, node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, results }, null, 2) + '\n',
);
console.log(`\nwrote bench/results/latest.json`);
if (failed) process.exitCode = 1;
