import { EspnEventError } from './errors.js';

// Tolerant readers for ESPN's JSON: they accept the forms ESPN is known to send for a field and
// answer undefined (or throw EspnEventError) for anything else, so a drifted field is refused,
// never coerced into a wrong value.

export type Rec = Record<string, unknown>;

export function isRecord(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function rec(v: unknown): Rec | undefined {
  return isRecord(v) ? v : undefined;
}

export function arr(v: unknown): unknown[] | undefined {
  return Array.isArray(v) ? v : undefined;
}

/** A non-empty string, or undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** ESPN ids come as strings; a number is the same id. */
export function idOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v.length > 0 ? v : undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return undefined;
}

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** A finite number, or a string holding only one ("46.5", "+3.5"); else undefined. */
export function num(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') {
    const s = v.trim();
    return NUMERIC.test(s) ? Number(s) : undefined;
  }
  return undefined;
}

/** An integer (or a string of one); else undefined. */
export function int(v: unknown): number | undefined {
  const n = num(v);
  return n !== undefined && Number.isInteger(n) ? n : undefined;
}

export function fail(message: string): never {
  throw new EspnEventError(message);
}
