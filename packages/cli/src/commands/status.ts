import { CliError } from '../nats.js';

export async function status(_argv: string[]): Promise<void> {
  throw new CliError('status is not available yet', 2);
}
