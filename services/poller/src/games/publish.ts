import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import {
  decode,
  encode,
  GameChanged,
  isFinal,
  msgIds,
  streamSpecs,
  subjects,
  type Game,
} from '@scores/contracts';
import { diffGames, sameGame } from './diff.js';
import { isWrongLastSequence, type GameRecord, type RevisionStore } from './revisions.js';

export interface PublishDeps {
  ns: string;
  js: JetStreamClient;
  jsm: JetStreamManager;
  store: RevisionStore;
  now: () => number;
}

export type PublishOutcome = { published: false } | { published: true; event: GameChanged; seq: number };

const MAX_ATTEMPTS = 6;

/**
 * Publishes the next revision of a game if it changed. The publish is a compare-and-set
 * on the stream itself: it expects the subject's last sequence to be the one our record
 * names, so two pollers can never both publish revision r+1 (the loser re-reads and
 * re-compares), and a poller that died between publishing and recording finds its event
 * in the stream instead of publishing that revision again.
 */
export async function publishIfChanged(deps: PublishDeps, game: Game): Promise<PublishOutcome> {
  const subject = subjects.gameChanged(deps.ns, game);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const cur = deps.store.get(game.id);
    const prev = cur?.record;
    if (prev && sameGame(prev.game, game)) return { published: false };

    const revision = (prev?.revision ?? 0) + 1;
    const occurredAt = new Date(deps.now()).toISOString();
    const event: GameChanged = {
      type: 'game.changed',
      schemaVersion: 1,
      id: msgIds.gameChanged(game.id, revision),
      occurredAt,
      gameId: game.id,
      revision,
      changed: diffGames(prev?.game, game),
      game,
    };
    let seq: number;
    try {
      const ack = await deps.js.publish(subject, encode(GameChanged, event), {
        msgID: event.id,
        expect: { lastSubjectSequence: prev?.seq ?? 0 },
      });
      if (ack.duplicate) {
        // this revision is already in the stream (another replica, or us before a restart)
        await reconcile(deps, game.id, subject);
        continue;
      }
      seq = ack.seq;
    } catch (err) {
      if (!isWrongLastSequence(err)) throw err;
      await reconcile(deps, game.id, subject);
      continue;
    }

    const record: GameRecord = {
      revision,
      seq,
      game,
      finalAt: isFinal(game) ? (prev?.finalAt ?? occurredAt) : null,
    };
    await saveAtLeast(deps.store, game.id, record, cur?.kv);
    return { published: true, event, seq };
  }
  throw new Error(`could not publish game ${game.id}: the revision kept moving under us`);
}

/** Records our revision unless the store already holds a newer one. */
async function saveAtLeast(store: RevisionStore, gameId: string, record: GameRecord, expected: number | undefined) {
  let kv = expected;
  for (let i = 0; i < MAX_ATTEMPTS; i++) {
    if (await store.save(gameId, record, kv)) return;
    const now = store.get(gameId);
    if (now && now.record.revision >= record.revision) return;
    kv = now?.kv;
  }
}

/**
 * Brings the store in line with the stream after a failed expectation: the stream's last
 * event for the game is the truth when it is at least as new; when the stream no longer
 * holds any (retention), the record keeps its revision and expects an empty subject.
 */
async function reconcile(deps: PublishDeps, gameId: string, subject: string): Promise<void> {
  const stream = streamSpecs(deps.ns).games.name;
  const cur = await deps.store.reload(gameId);
  const last = await deps.jsm.streams.getMessage(stream, { last_by_subj: subject });
  if (!last) {
    if (cur && cur.record.seq !== 0) await saveAtLeast(deps.store, gameId, { ...cur.record, seq: 0 }, cur.kv);
    return;
  }
  const ev = decode(GameChanged, last.data);
  if (!cur || ev.revision > cur.record.revision || (ev.revision === cur.record.revision && last.seq !== cur.record.seq)) {
    const record: GameRecord = {
      revision: ev.revision,
      seq: last.seq,
      game: ev.game,
      finalAt: isFinal(ev.game) ? (cur?.record.finalAt ?? ev.occurredAt) : null,
    };
    if (!(await deps.store.save(gameId, record, cur?.kv))) await deps.store.reload(gameId);
  } else if (cur.record.seq !== last.seq) {
    // the stream lost newer events (purged or recreated): keep our revision, expect its last sequence
    await saveAtLeast(deps.store, gameId, { ...cur.record, seq: last.seq }, cur.kv);
  }
}
