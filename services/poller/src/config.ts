import { envReader, readCommon, VERSION, type CommonConfig } from '@scores/service-kit';

export interface LeagueRef {
  sport: string;
  league: string;
}

export interface EspnConfig {
  baseUrl: string;
  leagues: LeagueRef[];
  timeoutMs: number;
  userAgent: string;
  /** retries after the first attempt (429, 5xx, timeouts, bad bodies) */
  retries: number;
  retryBaseMs: number;
  /** a Retry-After longer than this fails the request instead of waiting */
  maxRetryAfterMs: number;
  /** requests per second to ESPN, across the leagues and days of a poll */
  rateLimitPerS: number;
  /** requests in flight at once */
  concurrency: number;
}

export interface PollerConfig {
  common: CommonConfig;
  espn: EspnConfig;
  minGapS: number;
  idleS: number;
  breaker: { failures: number; openS: number };
}

export const REPOSITORY_URL = 'https://github.com/scores-dev/scores';
export const DEFAULT_USER_AGENT = `scores/${VERSION} (+${REPOSITORY_URL})`;
const LEAGUE = /^[a-z0-9_-]+\/[a-z0-9_-]+$/i;

export function readPollerConfig(v: ReturnType<typeof envReader>): Omit<PollerConfig, 'common'> {
  const leagues = v
    .list('ESPN_LEAGUES', ['football/college-football'], { pattern: LEAGUE, hint: 'must be sport/league paths, e.g. football/nfl', min: 1 })
    .map((path) => {
      const [sport = '', league = ''] = path.split('/');
      return { sport, league };
    });
  const userAgent = v.string('ESPN_USER_AGENT', DEFAULT_USER_AGENT);
  if (/^mozilla\//i.test(userAgent)) v.problem(`ESPN_USER_AGENT=${JSON.stringify(userAgent)}: ESPN answers 403 to browser-like user agents`);
  return {
    espn: {
      baseUrl: v.url('ESPN_BASE_URL', 'https://site.api.espn.com/apis/site/v2/sports', ['http', 'https']).replace(/\/+$/, ''),
      leagues,
      timeoutMs: v.int('ESPN_TIMEOUT_MS', 5000, { min: 50, max: 120_000 }),
      userAgent,
      retries: v.int('ESPN_RETRIES', 3, { min: 0, max: 10 }),
      retryBaseMs: v.int('ESPN_RETRY_BASE_MS', 500, { min: 0, max: 60_000 }),
      maxRetryAfterMs: v.int('ESPN_MAX_RETRY_AFTER_S', 30, { min: 0, max: 3600 }) * 1000,
      rateLimitPerS: v.int('ESPN_RATE_LIMIT_PER_S', 5, { min: 1, max: 1000 }),
      concurrency: v.int('ESPN_CONCURRENCY', 4, { min: 1, max: 64 }),
    },
    minGapS: v.int('POLL_MIN_GAP_S', 30, { min: 0, max: 86_400 }),
    idleS: v.int('POLL_IDLE_S', 300, { min: 1, max: 86_400 }),
    breaker: {
      failures: v.int('BREAKER_FAILURES', 5, { min: 1, max: 1000 }),
      openS: v.int('BREAKER_OPEN_S', 300, { min: 1, max: 86_400 }),
    },
  };
}

/** Pure: the environment in, a config out, or a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): PollerConfig {
  const v = envReader(env);
  const config = { common: readCommon(v), ...readPollerConfig(v) };
  v.done();
  return config;
}
