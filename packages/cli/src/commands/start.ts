import { ConfigError } from '@scores/service-kit';
import { startAll } from '../all-in-one.js';

export async function start(): Promise<void> {
  try {
    await startAll();
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    // runServices has logged it and is shutting down
    process.exitCode = 1;
  }
}
