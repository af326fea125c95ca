/** What every benchmark returns: one row per figure, each against a baseline where it has one. */
export interface BenchRow {
  name: string;
  /** the figure itself */
  value: number;
  unit: string;
  /** the same work done the reference way, in the same run */
  baseline?: { name: string; value: number };
  /** value / baseline (or baseline / value for lower-is-better figures), when both exist */
  ratio?: number;
  /** e.g. ">= 0.8x of baseline", "<= 20 ms" */
  target?: string;
  /** undefined when the run was too short to judge (quick mode) */
  pass?: boolean;
  /** every repetition, so readers can see the spread */
  runs?: number[];
  notes?: string;
}

export interface BenchOptions {
  quick: boolean;
}

export type Bench = (opts: BenchOptions) => Promise<BenchRow[]>;

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
};

export const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;
