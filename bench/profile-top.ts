/**
 * The top self-time functions of a V8 CPU profile (node --cpu-prof), optionally only the
 * samples taken inside a function (a span of interest, e.g. runPoll) and its callees.
 *
 *   npx tsx bench/profile-top.ts <file.cpuprofile> [--within name] [--top 30]
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { within: { type: 'string', multiple: true }, top: { type: 'string', default: '30' } },
});
const file = positionals[0];
if (!file) {
  console.error('usage: profile-top <file.cpuprofile> [--within name] [--top N]');
  process.exit(2);
}
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const label = (n: Node) => {
  const f = n.callFrame;
  const where = f.url ? `${relative(process.cwd(), f.url.replace(/^file:\/\//, ''))}:${f.lineNumber + 1}` : '';
  return `${f.functionName || '(anonymous)'} ${where}`.trim();
};
const within = values.within ?? [];
const inside = (id: number): boolean => {
  if (within.length === 0) return true;
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    if (within.includes(byId.get(cur)!.callFrame.functionName)) return true;
  }
  return false;
};

const self = new Map<string, number>();
let total = 0;
let all = 0;
p.samples.forEach((id, i) => {
  const dt = p.timeDeltas[i] ?? 0;
  const n = byId.get(id)!;
  if (n.callFrame.functionName === '(idle)') return;
  all += dt;
  if (!inside(id)) return;
  total += dt;
  const k = label(n);
  self.set(k, (self.get(k) ?? 0) + dt);
});
const ms = (us: number) => (us / 1000).toFixed(1);
console.log(`busy ${ms(all)} ms of ${ms(p.endTime - p.startTime)} ms profiled${within.length ? `; within ${within.join(', ')}: ${ms(total)} ms` : ''}`);
for (const [k, v] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
  console.log(`${ms(v).padStart(9)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
}
