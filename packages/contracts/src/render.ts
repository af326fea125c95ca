import { allSchemas } from './catalog.js';
import { streamSpecs } from './streams.js';
import { subjects } from './subjects.js';

const DRAFT = 'https://json-schema.org/draft/2020-12/schema';

/** File name -> content of everything in packages/contracts/schema; a test keeps it current. */
export function renderPublishedFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [name, schema] of Object.entries(allSchemas)) {
    files[`${name}.schema.json`] = JSON.stringify({ $schema: DRAFT, ...schema }, null, 2) + '\n';
  }
  files['asyncapi.json'] = JSON.stringify(asyncApi(), null, 2) + '\n';
  return files;
}

function asyncApi() {
  const ns = '{namespace}';
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const message = (name: string, summary: string) => ({ name, summary, contentType: 'application/json', payload: ref(name) });
  const channel = (address: string, msg: string, summary: string, description?: string) => ({
    address,
    ...(description ? { description } : {}),
    messages: { [msg]: message(msg, summary) },
    parameters: { namespace: { description: 'NAMESPACE of the deployment (default scores)' } },
  });
  const streams = streamSpecs(ns);
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'scores events',
      version: '1.0.0',
      description:
        'Live sports events over NATS. Events that must not be lost go through JetStream ' +
        `(streams ${Object.values(streams).map((s) => s.name).join(', ')}); Nats-Msg-Id makes publishing idempotent.`,
    },
    defaultContentType: 'application/json',
    channels: {
      gameChanged: channel(
        subjects.gameChangedFilter(ns).replace('>', '{sport}.{league}.{gameId}'),
        'GameChanged',
        'A game changed (or was first seen). Nats-Msg-Id <gameId>:<revision>.',
      ),
      tickPoll: channel(subjects.tickPoll(ns), 'PollTick', 'Poll now; one per slot. Nats-Msg-Id poll:<slot>.'),
      tickCleanup: channel(subjects.tickCleanup(ns), 'CleanupTick', 'Every 15 minutes.'),
      pollCompleted: channel(subjects.pollCompleted(ns), 'PollCompleted', 'After every poll attempt.'),
      breakerChanged: channel(subjects.breakerChanged(ns), 'BreakerChanged', 'One per breaker transition.'),
      picksGraded: channel(
        subjects.picksGradedAll(ns).replace('>', '{gameId}'),
        'PicksGraded',
        'After a final game was graded. Nats-Msg-Id graded:<gameId>:<revision>.',
      ),
      health: channel(subjects.healthAll(ns).replace('*', '{service}'), 'ServiceHeartbeat', 'Service heartbeats.'),
      adminPollNow: channel(subjects.adminPollNow(ns), 'PollNowRequest', 'Request/reply; answers PollNowReply.'),
      adminSync: channel(subjects.adminSync(ns), 'SyncRequest', 'Request/reply; answers SyncReply.'),
    },
    components: { schemas: Object.fromEntries(Object.entries(allSchemas)) },
  };
}
