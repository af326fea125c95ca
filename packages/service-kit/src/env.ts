/**
 * Reads configuration from the environment once, at the edge. Every variable is read
 * through one reader that collects problems, so a bad start names every bad variable
 * at once instead of failing on the first.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';
  readonly retryable = false;
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

type Env = Record<string, string | undefined>;

export interface EnvReader {
  string(name: string, fallback: string, opts?: { pattern?: RegExp; hint?: string }): string;
  optional(name: string): string | undefined;
  int(name: string, fallback: number, opts?: { min?: number; max?: number }): number;
  number(name: string, fallback: number, opts?: { min?: number; max?: number }): number;
  bool(name: string, fallback: boolean): boolean;
  oneOf<T extends string>(name: string, fallback: T, values: readonly T[]): T;
  list(name: string, fallback: string[], opts?: { pattern?: RegExp; hint?: string; min?: number }): string[];
  url(name: string, fallback: string, protocols: readonly string[]): string;
  /** a problem found by the caller that involves one or more variables */
  problem(message: string): void;
  /** throws ConfigError when anything was wrong */
  done(): void;
}

export function envReader(env: Env): EnvReader {
  const problems: string[] = [];
  const raw = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const bad = (name: string, value: string, why: string) => {
    problems.push(`${name}=${JSON.stringify(redactUrl(value))}: ${why}`);
  };
  const numeric = (name: string, fallback: number, integer: boolean, opts: { min?: number; max?: number } = {}) => {
    const v = raw(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
      bad(name, v, integer ? 'must be an integer' : 'must be a number');
      return fallback;
    }
    if (opts.min !== undefined && n < opts.min) bad(name, v, `must be at least ${opts.min}`);
    else if (opts.max !== undefined && n > opts.max) bad(name, v, `must be at most ${opts.max}`);
    return n;
  };
  return {
    string(name, fallback, opts = {}) {
      const v = raw(name) ?? fallback;
      if (opts.pattern && !opts.pattern.test(v)) bad(name, v, opts.hint ?? `must match ${String(opts.pattern)}`);
      return v;
    },
    optional: raw,
    int: (name, fallback, opts) => numeric(name, fallback, true, opts),
    number: (name, fallback, opts) => numeric(name, fallback, false, opts),
    bool(name, fallback) {
      const v = raw(name)?.toLowerCase();
      if (v === undefined) return fallback;
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      bad(name, v, 'must be true or false');
      return fallback;
    },
    oneOf(name, fallback, values) {
      const v = raw(name);
      if (v === undefined) return fallback;
      if ((values as readonly string[]).includes(v)) return v as typeof fallback;
      bad(name, v, `must be one of ${values.join(', ')}`);
      return fallback;
    },
    list(name, fallback, opts = {}) {
      const v = raw(name);
      const items = v === undefined ? fallback : v.split(',').map((s) => s.trim()).filter(Boolean);
      if (v !== undefined && opts.pattern) {
        const wrong = items.filter((i) => !opts.pattern!.test(i));
        if (wrong.length) bad(name, v, `${wrong.map((w) => JSON.stringify(w)).join(', ')} ${opts.hint ?? `must match ${String(opts.pattern)}`}`);
      }
      if (v !== undefined && items.length < (opts.min ?? 0)) bad(name, v, `needs at least ${opts.min} item(s)`);
      return items;
    },
    url(name, fallback, protocols) {
      const v = raw(name) ?? fallback;
      try {
        const u = new URL(v);
        if (!protocols.includes(u.protocol.replace(/:$/, ''))) bad(name, v, `must be a ${protocols.join(' or ')} URL`);
      } catch {
        bad(name, v, 'must be a URL');
      }
      return v;
    },
    problem(message) {
      problems.push(message);
    },
    done() {
      if (problems.length) throw new ConfigError(problems);
    },
  };
}

/** Replaces the password of a URL (or of each URL in a list) for logs and errors. */
export function redactUrl(value: string): string {
  return value.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s,]*:)[^@/\s,]+@/gi, '$1***@');
}
