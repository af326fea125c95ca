import { describe, expect, it } from 'vitest';
import { ConfigError } from '@scores/service-kit';
import { loadConfig } from '../src/config.js';

describe('scheduler config', () => {
  it('has the SPEC defaults', () => {
    const c = loadConfig({});
    expect(c.intervals).toEqual({ liveS: 60, idleS: 300, offseasonS: 3600 });
    expect(c.common.namespace).toBe('scores');
    expect(c.common.nats.servers).toEqual(['nats://127.0.0.1:4222']);
  });

  it('names every bad variable at once', () => {
    try {
      loadConfig({ POLL_LIVE_S: 'soon', POLL_IDLE_S: '0', NAMESPACE: 'a.b', NATS_URL: 'http://x' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as Error).message;
      for (const name of ['POLL_LIVE_S', 'POLL_IDLE_S', 'NAMESPACE', 'NATS_URL']) expect(msg).toContain(name);
    }
  });
});
