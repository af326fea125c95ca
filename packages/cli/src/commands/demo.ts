import { CliError } from '../nats.js';

export async function demo(_argv: string[]): Promise<void> {
  throw new CliError('demo is not available yet', 2);
}
