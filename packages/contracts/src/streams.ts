/**
 * The JetStream streams, durable consumers and KV buckets of one namespace. Names are
 * part of the interface for operators (lag, alerts) and for systems that subscribe
 * from other languages, so they live with the contracts.
 */
import { subjects } from './subjects.js';

const HOUR_S = 3600;
const DAY_S = 24 * HOUR_S;

export interface StreamSpec {
  name: string;
  subjects: string[];
  /** 0: no limit */
  maxAgeS: number;
  maxMsgsPerSubject: number;
  duplicateWindowS: number;
  description: string;
}

export function streamSpecs(ns: string) {
  return {
    games: {
      name: `${ns}_games`,
      subjects: [subjects.gameChangedFilter(ns)],
      maxAgeS: 30 * DAY_S,
      maxMsgsPerSubject: 0,
      duplicateWindowS: 600,
      description: 'game.changed: every revision of every game',
    },
    ticks: {
      name: `${ns}_ticks`,
      subjects: [subjects.ticks(ns)],
      maxAgeS: HOUR_S,
      maxMsgsPerSubject: 0,
      duplicateWindowS: 600,
      description: 'poll and cleanup ticks, one per slot whatever the number of schedulers',
    },
    polls: {
      name: `${ns}_polls`,
      subjects: [subjects.pollCompleted(ns), subjects.breakerChanged(ns)],
      maxAgeS: DAY_S,
      maxMsgsPerSubject: 1000,
      duplicateWindowS: 120,
      description: 'poll.completed and breaker.changed; the last of each is read at start-up',
    },
    grades: {
      name: `${ns}_grades`,
      subjects: [subjects.picksGradedAll(ns)],
      maxAgeS: 30 * DAY_S,
      maxMsgsPerSubject: 0,
      duplicateWindowS: 600,
      description: 'picks.graded, once per game and revision',
    },
  } satisfies Record<string, StreamSpec>;
}

/**
 * Durable consumer names, prefixed with the namespace like every stream, subject and
 * bucket (SPEC: NAMESPACE); each is shared by all replicas of its service.
 */
export function consumerNames(ns: string) {
  return {
    pollerTicks: `${ns}_poller`,
    graderGames: `${ns}_grader`,
    cacheWriterGames: `${ns}_cache-writer`,
    cacheWriterPolls: `${ns}_cache-writer-polls`,
    cacheWriterCleanup: `${ns}_cache-writer-cleanup`,
  } as const;
}

export function bucketNames(ns: string) {
  return {
    /** per game: the last published revision and game, shared by poller replicas */
    revisions: `${ns}_revisions`,
    /** last poll time, breaker state, future-days poll time */
    poller: `${ns}_poller`,
  } as const;
}
