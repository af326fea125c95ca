// The shared builders of valid contract objects (packages/testkit/src/events.ts).
import { fixtures } from '@scores/testkit';

export type { Phase, GameOpts } from '@scores/testkit';
export const { game, changed, poll, breaker, heartbeat } = fixtures;
