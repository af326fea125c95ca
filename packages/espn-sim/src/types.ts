/**
 * The parts of ESPN's scoreboard JSON the simulator reads or writes. ESPN sends far more;
 * every type is open (`[key: string]: unknown`) because unknown fields pass through untouched.
 */

export type EspnState = 'pre' | 'in' | 'post';

export interface EspnStatusType {
  id: string;
  name: string;
  state: EspnState;
  completed: boolean;
  description: string;
  detail: string;
  shortDetail: string;
  [key: string]: unknown;
}

export interface EspnStatus {
  clock: number;
  displayClock: string;
  period: number;
  type: EspnStatusType;
  [key: string]: unknown;
}

export interface EspnTeam {
  id: string;
  uid?: string;
  location?: string;
  name?: string;
  abbreviation: string;
  displayName?: string;
  shortDisplayName?: string;
  logo?: string;
  [key: string]: unknown;
}

export interface EspnLinescore {
  value: number;
  displayValue?: string;
  period?: number;
  [key: string]: unknown;
}

export interface EspnCompetitor {
  id: string;
  uid?: string;
  type?: string;
  order?: number;
  homeAway: 'home' | 'away';
  winner?: boolean;
  team: EspnTeam;
  score?: string;
  linescores?: EspnLinescore[];
  [key: string]: unknown;
}

export interface EspnCompetition {
  id: string;
  uid?: string;
  date: string;
  startDate?: string;
  competitors: EspnCompetitor[];
  status: EspnStatus;
  odds?: Record<string, unknown>[];
  situation?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface EspnEvent {
  id: string;
  uid?: string;
  date: string;
  name: string;
  shortName: string;
  season?: { year: number; type: number; slug?: string; [key: string]: unknown };
  week?: { number: number; [key: string]: unknown };
  competitions: EspnCompetition[];
  status: EspnStatus;
  [key: string]: unknown;
}

/** One scoreboard response (`GET …/scoreboard`). */
export interface EspnScoreboard {
  leagues: Record<string, unknown>[];
  season?: { type: number; year: number; [key: string]: unknown };
  week?: { number: number; [key: string]: unknown };
  day?: { date: string };
  events: EspnEvent[];
  [key: string]: unknown;
}

/** One recorded poll: the raw body ESPN answered for one league and one day. */
export interface Snapshot {
  at: Date;
  /** 'sport/league', e.g. 'football/college-football' */
  league: string;
  /** YYYYMMDD, the `dates` the poll asked for */
  day: string;
  body: EspnScoreboard;
}

export interface Recording {
  /** Sorted by `at`, oldest first. */
  snapshots: Snapshot[];
}

export interface Match {
  /** 'sport/league' */
  league?: string;
  /** the request's `dates` (YYYYMMDD); a request without `dates` matches the sim clock's day */
  dates?: string;
}

export type DriftVariant = 'scores-as-numbers' | 'renamed-competitors' | 'missing-status' | 'extra-nesting';

interface FaultBase {
  /** How many matching requests it applies to; default 1; Infinity until clearFaults(). */
  times?: number;
  match?: Match;
}

export type Fault =
  | (FaultBase & { kind: 'status'; status: number; retryAfterS?: number })
  | (FaultBase & { kind: 'hang'; ms?: number })
  | (FaultBase & { kind: 'slow'; ms: number })
  | (FaultBase & { kind: 'malformed' })
  | (FaultBase & { kind: 'truncated' })
  | (FaultBase & { kind: 'reset' })
  | (FaultBase & { kind: 'limit25' })
  | (FaultBase & { kind: 'mutate'; mutate: (body: any) => unknown }) // eslint-disable-line @typescript-eslint/no-explicit-any -- the body is whatever ESPN-shaped JSON the test rewrites
  | (FaultBase & { kind: 'drift'; variant: DriftVariant });

export type FaultKind = Fault['kind'];

export interface RequestRecord {
  /** real time the request arrived */
  at: Date;
  /** sim clock time the request was served at */
  simAt: Date;
  /** the request target as sent (path and query) */
  path: string;
  sport: string;
  league: string;
  dates: string | null;
  limit: number | null;
  groups: string | null;
  userAgent: string | null;
  /** HTTP status sent; 0 while hanging or when the connection was dropped without a response */
  status: number;
  /** kind of the fault applied (drift as 'drift:<variant>'), null when served normally */
  fault: string | null;
}
