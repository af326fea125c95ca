import type { Game } from '@scores/contracts';

/**
 * The dotted leaf paths where `next` differs from `prev`, in the Game's field order:
 * `home.score`, `status.clock`, `odds.homeSpread`. A value that changes between null and an
 * object is reported at the object (`odds`), and an array is one leaf (`broadcasts`), since a
 * consumer replaces it whole. `[]` when nothing changed, and on a first sighting (`prev`
 * undefined): everything is new then, and the event's revision 1 already says so.
 */
export function diffGames(prev: Game | undefined, next: Game): string[] {
  if (prev === undefined) return [];
  const out: string[] = [];
  diffRecords(prev, next, '', out);
  return out;
}

/** True when the two games would publish the same JSON content. */
export function sameGame(a: Game, b: Game): boolean {
  return equal(a, b);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function diffRecords(a: Record<string, unknown>, b: Record<string, unknown>, prefix: string, out: string[]): void {
  for (const key of Object.keys(b)) diffValue(a[key], b[key], prefix + key, out);
  // A key the new game lost is a change too (never happens with schema-checked games, but a
  // diff that misses it would hide it forever).
  for (const key of Object.keys(a)) if (!(key in b)) out.push(prefix + key);
}

function diffValue(a: unknown, b: unknown, path: string, out: string[]): void {
  if (a === b) return;
  if (isPlainObject(a) && isPlainObject(b)) {
    diffRecords(a, b, path + '.', out);
    return;
  }
  if (!equal(a, b)) out.push(path);
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equal(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = Object.keys(ra);
  if (keys.length !== Object.keys(rb).length) return false;
  for (const key of keys) {
    if (!(key in rb) || !equal(ra[key], rb[key])) return false;
  }
  return true;
}
