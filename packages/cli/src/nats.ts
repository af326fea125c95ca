import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { envReader, readCommon, type CommonConfig } from '@scores/service-kit';
import { readFileSync } from 'node:fs';

export function commonFromEnv(env: Record<string, string | undefined> = process.env): CommonConfig {
  const v = envReader(env);
  const common = readCommon(v);
  v.done();
  return common;
}

/** The CLI gives up quickly instead of reconnecting forever like a service. */
export async function connectCli(common: CommonConfig): Promise<NatsConnection> {
  try {
    return await connect({
      servers: common.nats.servers,
      name: 'scores-cli',
      maxReconnectAttempts: 2,
      timeout: 5000,
      ...(common.nats.token ? { token: common.nats.token } : {}),
      ...(common.nats.credsFile ? { authenticator: credsAuthenticator(readFileSync(common.nats.credsFile)) } : {}),
    });
  } catch (err) {
    throw new CliError(`cannot reach NATS at ${common.nats.servers.join(', ')}: ${(err as Error).message}`, 3);
  }
}

/** A failure the CLI reports in one line, with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
