import { CliError } from '../nats.js';

export async function record(_argv: string[]): Promise<void> {
  throw new CliError('record is not available yet', 2);
}
