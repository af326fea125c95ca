import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Game } from '@scores/contracts';
import type { Logger } from '@scores/service-kit';

/** The last published state of one game: what the next poll is compared against. */
export interface GameRecord {
  revision: number;
  /** stream sequence of that revision's game.changed event (0: none retained) */
  seq: number;
  game: Game;
  /** when the game was first seen final, for re-polling its day while ESPN may correct it */
  finalAt: string | null;
}

export interface StoredRecord {
  record: GameRecord;
  /** KV revision, for compare-and-set */
  kv: number;
}

/**
 * Per-game revisions in a NATS KV bucket: they survive restarts and are shared by every
 * poller replica. Each replica keeps all of it in memory (an unchanged poll compares
 * against memory and writes nothing) and follows the other replicas' writes through a
 * watch.
 */
export class RevisionStore {
  private readonly records = new Map<string, StoredRecord>();
  private stopWatch: (() => void) | undefined;

  private constructor(
    private readonly kv: KV,
    private readonly log: Logger,
  ) {}

  static async open(nc: NatsConnection, bucket: string, log: Logger, replicas = 1): Promise<RevisionStore> {
    const kv = await new Kvm(nc).create(bucket, { history: 1, replicas, description: 'last published revision of each game' });
    const store = new RevisionStore(kv, log);
    await store.follow();
    return store;
  }

  private async follow(): Promise<void> {
    const status = await this.kv.status();
    const watch = await this.kv.watch({ key: '>' });
    this.stopWatch = () => watch.stop();
    let resolveReady!: () => void;
    const ready = new Promise<void>((r) => (resolveReady = r));
    if (status.values === 0) resolveReady();
    void (async () => {
      for await (const e of watch) {
        if (e.operation === 'PUT') {
          try {
            this.adopt(e.key, e.json<GameRecord>(), e.revision);
          } catch (err) {
            this.log.warn({ err, gameId: e.key }, 'unreadable revision record ignored');
          }
        } else {
          this.records.delete(e.key);
        }
        if (!e.isUpdate && (e.delta ?? 0) === 0) resolveReady();
        if (e.isUpdate) resolveReady();
      }
    })().catch((err: unknown) => this.log.error({ err }, 'revision watch ended'));
    await ready;
  }

  private adopt(gameId: string, record: GameRecord, kv: number): void {
    const cur = this.records.get(gameId);
    if (!cur || kv > cur.kv) this.records.set(gameId, { record, kv });
  }

  get(gameId: string): StoredRecord | undefined {
    return this.records.get(gameId);
  }

  values(): IterableIterator<StoredRecord> {
    return this.records.values();
  }

  get size(): number {
    return this.records.size;
  }

  /** Compare-and-set against the KV revision we read; false when another replica wrote first. */
  async save(gameId: string, record: GameRecord, expected: number | undefined): Promise<boolean> {
    const data = JSON.stringify(record);
    try {
      const kv = expected === undefined ? await this.kv.create(gameId, data) : await this.kv.update(gameId, data, expected);
      this.adopt(gameId, record, kv);
      return true;
    } catch (err) {
      if (isWrongLastSequence(err)) {
        await this.reload(gameId);
        return false;
      }
      throw err;
    }
  }

  async reload(gameId: string): Promise<StoredRecord | undefined> {
    const e = await this.kv.get(gameId);
    if (e && e.operation === 'PUT') this.adopt(gameId, e.json<GameRecord>(), e.revision);
    return this.records.get(gameId);
  }

  close(): void {
    this.stopWatch?.();
  }
}

/** JetStream's answer to a failed expectation (KV create/update, or a publish with expect). */
export function isWrongLastSequence(err: unknown): boolean {
  const e = err as { code?: unknown; message?: string };
  return e?.code === 10071 || e?.code === 10164 || /wrong last sequence|key exists/i.test(e?.message ?? '');
}
