/**
 * Figures of a chaos test: written to test/chaos/results/<name>.json (what
 * docs/reliability.md quotes, with the command that produced it) and printed as one block.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));

export function report(name: string, figures: Record<string, unknown>): void {
  const body = {
    name,
    at: new Date().toISOString(),
    long: process.env.CHAOS_LONG === '1',
    command: process.env.CHAOS_LONG === '1' ? 'CHAOS_LONG=1 pnpm test:chaos' : 'pnpm test:chaos',
    ...figures,
  };
  mkdirSync(RESULTS, { recursive: true });
  const suffix = body.long ? '.long' : '';
  writeFileSync(`${RESULTS}${name}${suffix}.json`, `${JSON.stringify(body, null, 2)}\n`);
  process.stdout.write(`\n[chaos] ${name}: ${JSON.stringify(figures, null, 1)}\n`);
}
