import { CliError } from '../nats.js';

export async function replay(_argv: string[]): Promise<void> {
  throw new CliError('replay is not available yet', 2);
}
