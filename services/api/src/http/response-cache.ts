/** An answer as it is written to the wire, with the headers decided with it. */
export interface Cached {
  /** encoded once: a hit writes these bytes, it does not encode ~70 KB of UTF-8 again */
  body: Buffer;
  etag: string;
  cacheControl: string;
}

export interface ResponseCacheLimits {
  entries: number;
  /**
   * Answers without `limit` hold every matching game (a wide `from`/`to` could be a whole
   * season), so the cache is bounded in bytes too: distinct wide queries cannot hold
   * hundreds of megabytes. An answer bigger than this alone is served, not kept.
   */
  bytes: number;
}

const DEFAULT_LIMITS: ResponseCacheLimits = { entries: 500, bytes: 64 * 1024 * 1024 };

/**
 * Serialized answers of the current snapshot and meta: a repeated request costs a map
 * lookup. The whole cache goes when the snapshot, the meta or the day changes, or when
 * it is full.
 */
export class ResponseCache {
  private snapshotVersion = -1;
  private metaVersion = -1;
  private day = '';
  private readonly entries = new Map<string, Cached>();
  private bytes = 0;

  constructor(private readonly limits: ResponseCacheLimits = DEFAULT_LIMITS) {}

  get size(): number {
    return this.entries.size;
  }

  get(snapshotVersion: number, metaVersion: number, day: string, key: string): Cached | undefined {
    if (snapshotVersion !== this.snapshotVersion || metaVersion !== this.metaVersion || day !== this.day) {
      this.clear();
      this.snapshotVersion = snapshotVersion;
      this.metaVersion = metaVersion;
      this.day = day;
    }
    return this.entries.get(key);
  }

  set(key: string, value: Cached): Cached {
    const size = value.body.length;
    if (size > this.limits.bytes) return value;
    if (this.entries.size >= this.limits.entries || this.bytes + size > this.limits.bytes) this.clear();
    this.entries.set(key, value);
    this.bytes += size;
    return value;
  }

  private clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}
