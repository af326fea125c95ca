/**
 * bench/results/latest.json as a Markdown table (for docs/performance.md):
 *   npx tsx bench/markdown.ts [file]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchRow } from './lib.js';

const file = process.argv[2] ?? join(import.meta.dirname, 'results', 'latest.json');
const data = JSON.parse(readFileSync(file, 'utf8')) as { at: string; quick: boolean; node: string; cpus: number; cpu: string; results: (BenchRow & { bench: string })[] };
const cell = (s: string) => s.replaceAll('|', '\\|');
const num = (n: number) => (Number.isInteger(n) && Math.abs(n) >= 10_000 ? n.toLocaleString('en-US') : String(n));
console.log(`Run of ${data.at}${data.quick ? ' (quick: timings not judged)' : ''}, Node ${data.node}, ${data.cpus} x ${data.cpu}.\n`);
console.log('| benchmark | value | baseline (same run) | ratio | target | |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of data.results) {
  const base = r.baseline ? `${r.baseline.name}: ${num(r.baseline.value)}` : '';
  const verdict = r.pass === undefined ? '' : r.pass ? 'ok' : '**missed**';
  console.log(`| ${cell(r.name)} | ${num(r.value)} ${r.unit} | ${cell(base)} | ${r.ratio === undefined ? '' : `${r.ratio}x`} | ${cell(r.target ?? '')} | ${verdict} |`);
}
