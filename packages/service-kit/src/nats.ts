import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import type { NatsConfig } from './common-config.js';
import type { Logger } from './logger.js';

/** Connects with unlimited reconnects and logs every connection status change. */
export async function connectNats(config: NatsConfig, log: Logger, name: string): Promise<NatsConnection> {
  const nc = await connect({
    servers: config.servers,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
    pingInterval: 20_000,
    ...(config.token ? { token: config.token } : {}),
    ...(config.credsFile ? { authenticator: credsAuthenticator(readFileSync(config.credsFile)) } : {}),
  });
  log.info({ server: nc.getServer() }, 'nats connected');
  void (async () => {
    for await (const s of nc.status()) {
      switch (s.type) {
        case 'disconnect':
        case 'staleConnection':
        case 'error':
        case 'slowConsumer':
          log.warn({ status: s }, 'nats connection status');
          break;
        case 'reconnect':
          log.info({ status: s }, 'nats reconnected');
          break;
        default:
          log.debug({ status: s }, 'nats connection status');
      }
    }
  })().catch((err: unknown) => log.error({ err }, 'nats status loop failed'));
  return nc;
}
