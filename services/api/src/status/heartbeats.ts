import type { ServiceHeartbeat } from '@scores/contracts';

/** up: heard from and ready; degraded: heard from, a dependency down; stale: silent too long */
export type InstanceStatus = 'up' | 'degraded' | 'stale';
export type ServiceStatus = 'up' | 'degraded' | 'down';

export interface InstanceHealth {
  instance: string;
  version: string;
  startedAt: string;
  /** when its last heartbeat was sent */
  at: string;
  ready: boolean;
  checks: Record<string, boolean>;
  status: InstanceStatus;
}

export interface ServiceHealth {
  service: string;
  status: ServiceStatus;
  instances: InstanceHealth[];
}

/** A heartbeat older than this many intervals means the instance is stale (down or cut off). */
export const STALE_AFTER_INTERVALS = 3;
/** Instances silent this long are forgotten: a replaced pod stops being listed. */
export const FORGET_AFTER_MS = 10 * 60_000;

/**
 * The last heartbeat of every service instance of the namespace. Ages are measured on
 * this replica's clock (when a heartbeat arrived), so clock skew between hosts does not
 * make a healthy instance look stale.
 */
export class HeartbeatBoard {
  private readonly last = new Map<string, { hb: ServiceHeartbeat; receivedAtMs: number }>();

  record(hb: ServiceHeartbeat, receivedAtMs: number): void {
    const key = `${hb.service}\u0000${hb.instance}`;
    const held = this.last.get(key);
    if (held && Date.parse(held.hb.at) > Date.parse(hb.at)) return;
    this.last.set(key, { hb, receivedAtMs });
  }

  services(nowMs: number): ServiceHealth[] {
    const byService = new Map<string, InstanceHealth[]>();
    for (const [key, { hb, receivedAtMs }] of this.last) {
      const age = nowMs - receivedAtMs;
      if (age > FORGET_AFTER_MS) {
        this.last.delete(key);
        continue;
      }
      const stale = age > STALE_AFTER_INTERVALS * hb.intervalS * 1000;
      const status: InstanceStatus = stale ? 'stale' : hb.ready ? 'up' : 'degraded';
      const list = byService.get(hb.service) ?? [];
      list.push({ instance: hb.instance, version: hb.version, startedAt: hb.startedAt, at: hb.at, ready: hb.ready, checks: hb.checks, status });
      byService.set(hb.service, list);
    }
    return [...byService]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([service, instances]) => ({
        service,
        status: instances.some((i) => i.status === 'up') ? 'up' : instances.some((i) => i.status === 'degraded') ? 'degraded' : 'down',
        instances: instances.sort((a, b) => (a.instance < b.instance ? -1 : 1)),
      }));
  }
}
