/**
 * Every NATS subject, built broad to narrow from the namespace. No versions in subjects:
 * the version travels in the envelope (`schemaVersion`).
 */
const TOKEN = /^[A-Za-z0-9_-]+$/;

/** A subject token may not hold `.`, `*`, `>` or whitespace; ESPN ids and league slugs never do. */
export function assertToken(value: string, what: string): string {
  if (!TOKEN.test(value)) throw new TypeError(`${what} is not a valid subject token: ${JSON.stringify(value)}`);
  return value;
}

export interface GameRef {
  sport: string;
  league: string;
  id: string;
}

export interface GameFilter {
  sport?: string;
  league?: string;
  gameId?: string;
}

export const subjects = {
  tickPoll: (ns: string) => `${ns}.tick.poll`,
  tickCleanup: (ns: string) => `${ns}.tick.cleanup`,
  ticks: (ns: string) => `${ns}.tick.>`,
  gameChanged: (ns: string, game: GameRef) =>
    `${ns}.game.changed.${assertToken(game.sport, 'sport')}.${assertToken(game.league, 'league')}.${assertToken(game.id, 'game id')}`,
  /** Everything, or narrowed to a sport, a league or one game. */
  gameChangedFilter: (ns: string, filter: GameFilter = {}) =>
    filter.sport === undefined && filter.league === undefined && filter.gameId === undefined
      ? `${ns}.game.changed.>`
      : `${ns}.game.changed.${filter.sport ?? '*'}.${filter.league ?? '*'}.${filter.gameId ?? '*'}`,
  pollCompleted: (ns: string) => `${ns}.poll.completed`,
  breakerChanged: (ns: string) => `${ns}.breaker.changed`,
  picksGraded: (ns: string, gameId: string) => `${ns}.picks.graded.${assertToken(gameId, 'game id')}`,
  picksGradedAll: (ns: string) => `${ns}.picks.graded.>`,
  adminPollNow: (ns: string) => `${ns}.admin.poll-now`,
  adminSync: (ns: string) => `${ns}.admin.sync`,
  health: (ns: string, service: string) => `${ns}.health.${assertToken(service, 'service')}`,
  healthAll: (ns: string) => `${ns}.health.*`,
  /** request: every service instance answers with its ServiceHeartbeat (scatter-gather) */
  adminHealth: (ns: string) => `${ns}.admin.health`,
} as const;

/** The game id is always the last token of a game.changed subject. */
export function gameIdOfSubject(subject: string): string | undefined {
  const i = subject.lastIndexOf('.');
  return i < 0 ? undefined : subject.slice(i + 1);
}

/** Message ids that make publishing idempotent (JetStream dedup window). */
export const msgIds = {
  pollTick: (slot: string) => `poll:${slot}`,
  cleanupTick: (slot: string) => `cleanup:${slot}`,
  gameChanged: (gameId: string, revision: number) => `${gameId}:${revision}`,
  picksGraded: (gameId: string, revision: number) => `graded:${gameId}:${revision}`,
  breakerChanged: (state: string, since: string) => `breaker:${state}:${since}`,
} as const;
